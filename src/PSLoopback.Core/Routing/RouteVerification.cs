using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;

namespace PSLoopback.Routing;

/// <summary>Where the resolver's answer and the OS's own differ, in the fields `ip route get` (or GetBestRoute2) shows.</summary>
public static class RouteVerification
{
    /// <param name="answeredBy">Whose stack answered: Linux's `ip route get`, or Windows' GetBestRoute2, which
    /// reports a route (interface, next hop) and a best source but no route type.</param>
    /// <returns>One line per difference of the headline; empty when they agree.</returns>
    public static IReadOnlyList<string> Compare(RouteQuery query, RouteDecision ours, KernelRouteAnswer kernel, HostOS answeredBy = HostOS.Linux) =>
        Verify(query, ours, kernel, answeredBy).Differences;

    /// <summary>
    /// Compares the headline. When Linux took another of the decision's paths and the decision says the
    /// choice among them is a hash, the verdict is <see cref="KernelVerdict.HashChoseOtherPath"/> (that path
    /// agreeing in every field), never agreement. Windows' tied routes are not a hash: there the path it took
    /// is still accepted, as GetBestRoute2's choice among them is its own.
    /// </summary>
    public static RouteVerificationResult Verify(RouteQuery query, RouteDecision ours, KernelRouteAnswer kernel, HostOS answeredBy = HostOS.Linux)
    {
        var windows = answeredBy == HostOS.Windows;
        var headline = Differences(query, ours, kernel, windows);
        if (headline.Count == 0)
        {
            return new RouteVerificationResult(KernelVerdict.Agrees, headline);
        }

        if (!windows && ours.Paths.Count > 0 && CachedFromOtherRoute(query, ours, ours.Paths[0], kernel))
        {
            return new RouteVerificationResult(KernelVerdict.CachedFromOtherRoute, headline);
        }

        var kernelHop = kernel.Gateway ?? Unspecified(query.Destination);
        var path = ours.Paths.Count > 1 && kernel.Error == RouteError.None && ours.RouteType is RouteType.Unicast or RouteType.Multicast or RouteType.Broadcast
            ? ours.Paths.FirstOrDefault(p => p.InterfaceIndex == kernel.InterfaceIndex && p.NextHop.Equals(kernelHop))
            : null;
        if (path is null || (Differences(query, ours.WithPath(path), kernel, windows).Count > 0 && (windows || !CachedFromOtherRoute(query, ours.WithPath(path), path, kernel))))
        {
            return new RouteVerificationResult(KernelVerdict.Differs, headline);
        }

        if (windows)
        {
            return new RouteVerificationResult(KernelVerdict.Agrees, Array.Empty<string>(), path);
        }

        return ours.PathChoice switch
        {
            RoutePathChoice.Hash => new RouteVerificationResult(KernelVerdict.HashChoseOtherPath, headline, path),
            RoutePathChoice.TableLastChoice => new RouteVerificationResult(KernelVerdict.LastChoiceTookOtherPath, headline, path),
            _ => new RouteVerificationResult(KernelVerdict.Differs, headline, path),
        };
    }

    /// <summary>Whether the kernel gave, on <paramref name="path"/>, the source and MTU of a route sharing its nexthop.</summary>
    private static bool CachedFromOtherRoute(RouteQuery query, RouteDecision ours, RoutePath path, KernelRouteAnswer kernel) =>
        ours.RoutesSharingNextHop.Any(other => ReferenceEquals(other.Path, path) && Differences(query, ours.WithSharedRoute(other), kernel, windows: false).Count == 0);

    private static List<string> Differences(RouteQuery query, RouteDecision ours, KernelRouteAnswer kernel, bool windows)
    {
        var theirs = windows ? "Windows'" : "the kernel's";
        var differences = new List<string>();
        if (ours.Error != kernel.Error)
        {
            differences.Add($"error: ours {ours.Error}, {theirs} {kernel.Error} ({kernel.ErrnoName} {kernel.Errno})");
            return differences;
        }

        if (kernel.Error != RouteError.None)
        {
            return differences;
        }

        if (!windows && ours.RouteType != kernel.RouteType)
        {
            differences.Add($"type: ours {ours.RouteType}, {theirs} {kernel.RouteType}");
        }

        var kernelHop = kernel.Gateway ?? Unspecified(query.Destination);
        if (ours.InterfaceIndex != kernel.InterfaceIndex)
        {
            differences.Add($"interface: ours {ours.InterfaceAlias ?? ours.InterfaceIndex?.ToString()}, {theirs} {kernel.InterfaceAlias ?? kernel.InterfaceIndex?.ToString()}");
        }

        if (!Equals(ours.NextHop ?? Unspecified(query.Destination), kernelHop))
        {
            differences.Add($"next hop: ours {ours.NextHop}, {theirs} {kernelHop}");
        }

        // With a source given the packet carries it. Linux's IPv4 then leaves "prefsrc" out when it equals that
        // source; Linux's IPv6 still sends what it would have chosen without one, so only IPv4 can be compared
        // then. GetBestRoute2 gives back the source it was given as the best one, in both families.
        var isIPv4 = query.Destination.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork;
        var sourceEchoed = windows || isIPv4;
        var kernelSource = sourceEchoed && query.Source is not null ? kernel.PreferredSource ?? query.Source : kernel.PreferredSource;
        if ((query.Source is null || sourceEchoed) && !Equals(ours.SourceAddress, kernelSource))
        {
            differences.Add($"source: ours {ours.SourceAddress?.ToString() ?? "none"}, {theirs} {kernelSource?.ToString() ?? "none"}");
        }

        // Only Linux reports an MTU with its answer, and only when the route or its cache entry has one.
        if (!windows && ours.Mtu != kernel.Mtu)
        {
            differences.Add($"mtu: ours {ours.Mtu?.ToString() ?? "none"}, {theirs} {kernel.Mtu?.ToString() ?? "none"}");
        }

        return differences;
    }

    private static IPAddress Unspecified(IPAddress destination) =>
        destination.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
}

using System.Globalization;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;

namespace PSLoopback.Routing;

// The route exception cache: after the FIB chose a route and a next hop, the kernel looks for an exception on
// that next hop for the destination, and answers with its gateway and path MTU (IPv4 find_exception, IPv6
// rt6_find_cached_rt).
public sealed partial class LinuxRouteResolver
{
    // Built on first use; two threads building it at once build the same thing.
    private ILookup<IPAddress, NetRouteException>? exceptionsByDestination;

    /// <summary>Puts the MTU on a decision that sends a packet, taking the exception cache's entry where one applies.</summary>
    private void AnswerFromCache(DecisionWork work)
    {
        var decision = work.Decision;
        if (decision.Error != RouteError.None)
        {
            return;
        }

        var route = decision.Route;
        decision.Mtu = route?.Mtu;

        // Only a unicast route's next hop carries exceptions: local, broadcast and multicast answers have none.
        if (route is not null && decision.RouteType == RouteType.Unicast && snapshot.Exceptions.Count > 0)
        {
            ApplyException(work, route);
        }

        decision.PathMtu = decision.Mtu ?? (decision.InterfaceIndex is int device ? Device(device)?.Mtu : null);
    }

    private void ApplyException(DecisionWork work, NetRouteInfo route)
    {
        var decision = work.Decision;

        // Each path of a multipath route has its own next hop and so its own entries; the kernel hashes to one.
        decision.Paths = decision.Paths
            .Select(p => FindException(work.Query, route, p.InterfaceIndex, p.NextHop) is NetRouteException own && IsRedirect(own, p.NextHop)
                ? new RoutePath(own.NextHop, p.InterfaceIndex, p.InterfaceAlias, p.SourceAddress, p.Weight) { NextHopId = p.NextHopId }
                : p)
            .ToArray();
        if (decision.InterfaceIndex is not int index || decision.NextHop is not IPAddress hop || FindException(work.Query, route, index, hop) is not NetRouteException exception)
        {
            return;
        }

        var redirected = IsRedirect(exception, hop);
        decision.RouteException = exception;
        decision.Redirected = redirected;
        decision.Mtu = exception.Mtu ?? route.Mtu;
        if (redirected)
        {
            decision.NextHop = exception.NextHop;
        }

        decision.ExtendReason("; " + DescribeException(exception, redirected));
        if (work.Explaining)
        {
            work.Note(RouteTraceStage.Path, exception.ToString(), DescribeException(exception, redirected));
        }
    }

    /// <summary>
    /// The exception on the chosen next hop for the destination. The dump names the next hop by the route's table,
    /// its device and (IPv6) the route's metric; an IPv4 entry that was not redirected also keeps the next hop's
    /// gateway. IPv6 keys a route with a source prefix by source too: the packet's, else the prefix's own address.
    /// </summary>
    private NetRouteException? FindException(RouteQuery query, NetRouteInfo route, int index, IPAddress hop)
    {
        exceptionsByDestination ??= snapshot.Exceptions.ToLookup(e => e.Destination);
        var ipv4 = route.AddressFamily == IPAddressFamily.IPv4;
        return exceptionsByDestination[query.Destination].FirstOrDefault(e =>
            e.AddressFamily == route.AddressFamily
            && e.Table == route.Table
            && e.InterfaceIndex == index
            && (ipv4
                ? e.Redirected || e.NextHop.Equals(hop)
                : e.RouteMetric == route.RouteMetric && SourceKeyMatches(e, route, query)));
    }

    /// <summary>IPv4 marks a redirected entry; an IPv6 entry is one when its gateway is not the next hop's.</summary>
    private static bool IsRedirect(NetRouteException exception, IPAddress hop) =>
        exception.AddressFamily == IPAddressFamily.IPv4 ? exception.Redirected : !exception.NextHop.Equals(hop);

    private static bool SourceKeyMatches(NetRouteException exception, NetRouteInfo route, RouteQuery query)
    {
        if (route.SourcePrefix is not IPPrefix from)
        {
            return exception.Source is null;
        }

        return exception.Source is IPAddress key && (key.Equals(query.Source ?? IPAddress.IPv6Any) || key.Equals(from.Network));
    }

    private static string DescribeException(NetRouteException exception, bool redirected)
    {
        var parts = new System.Collections.Generic.List<string>();
        if (redirected)
        {
            parts.Add("redirected to " + (exception.IsOnLink ? "the link" : exception.NextHop.ToString()));
        }

        if (exception.Mtu is int mtu)
        {
            parts.Add("path MTU " + mtu.ToString(CultureInfo.InvariantCulture));
        }

        if (exception.Expires is System.TimeSpan left)
        {
            parts.Add("expires " + ((long)left.TotalSeconds).ToString(CultureInfo.InvariantCulture) + " s after the snapshot"
                + (exception.ExpiresAt is System.DateTime at ? " (" + at.ToString("u", CultureInfo.InvariantCulture) + ")" : string.Empty));
        }

        return "answered from the route exception cache" + (parts.Count > 0 ? ": " + string.Join(", ", parts) : string.Empty);
    }
}

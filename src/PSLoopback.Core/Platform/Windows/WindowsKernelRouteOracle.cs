using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;
using PSLoopback.Platform.Windows.Native;
using PSLoopback.Routing;

namespace PSLoopback.Platform.Windows;

/// <summary>
/// Asks Windows itself which route, interface and source address it would use (GetBestRoute2), for
/// Resolve-NetRoute -Verify, as `ip route get` is asked on Linux. Windows gives no route type, so an answer
/// with a route is <see cref="RouteType.Unicast"/>; a firewall mark and a user id have no meaning there.
/// <para>
/// Where GetBestRoute2 is missing, or answers ERROR_NOT_SUPPORTED (Windows documents that for a family whose
/// stack is absent; Wine 8 answers it to every question), <see cref="Ask"/> throws a
/// <see cref="PlatformNotSupportedException"/> saying -Verify cannot ask: that is not an answer to compare.
/// </para>
/// </summary>
public sealed class WindowsKernelRouteOracle : IKernelRouteOracle
{
    private readonly IReadOnlyList<NetInterfaceInfo> interfaces;

    /// <param name="interfaces">To name the interface of each answer.</param>
    public WindowsKernelRouteOracle(IReadOnlyList<NetInterfaceInfo> interfaces)
    {
        this.interfaces = interfaces ?? throw new ArgumentNullException(nameof(interfaces));
    }

    public KernelRouteAnswer Ask(RouteQuery query)
    {
        if (query is null)
        {
            throw new ArgumentNullException(nameof(query));
        }

        (uint Status, byte[] Route, byte[] Source) answer;
        try
        {
            answer = IpHelperCalls.BestRoute(
                Sockaddr.Encode(query.Destination),
                query.Source is null ? null : Sockaddr.Encode(query.Source),
                (uint)(query.OutputInterfaceIndex ?? 0));
        }
        catch (PlatformNotSupportedException e)
        {
            throw CannotAsk(e.Message, e);
        }

        return Read(answer.Status, answer.Route, answer.Source, interfaces);
    }

    /// <summary>Nothing is held between questions.</summary>
    public void Dispose()
    {
    }

    /// <summary>GetBestRoute2's status and the bytes it wrote, as an answer. Pure: tests feed it built rows.</summary>
    internal static KernelRouteAnswer Read(uint status, byte[] route, byte[] source, IReadOnlyList<NetInterfaceInfo> interfaces)
    {
        if (status == IpHelper.ERROR_NOT_SUPPORTED)
        {
            throw CannotAsk($"GetBestRoute2 answered ERROR_NOT_SUPPORTED ({IpHelper.ERROR_NOT_SUPPORTED}).", null);
        }

        if (status != IpHelper.NO_ERROR)
        {
            return new KernelRouteAnswer { Error = ToError(status), Errno = (int)status, ErrnoName = "Win32 error" };
        }

        var row = MibRows.Route(route, 0, "GetBestRoute2's route");
        var index = (int)row.Row.InterfaceIndex;
        return new KernelRouteAnswer
        {
            RouteType = RouteType.Unicast,
            InterfaceIndex = index,
            InterfaceAlias = interfaces.FirstOrDefault(i => i.InterfaceIndex == index)?.Name,
            Gateway = AddressClass.IsUnspecified(row.NextHop) ? null : row.NextHop,
            PreferredSource = Sockaddr.Decode(source, 0, source.Length, "GetBestRoute2's source address"),
        };
    }

    /// <summary>The documented failures, in the words `ip route get` would use; others keep their Win32 code.</summary>
    internal static RouteError ToError(uint status) => status switch
    {
        IpHelper.ERROR_NETWORK_UNREACHABLE => RouteError.NetworkUnreachable,
        IpHelper.ERROR_HOST_UNREACHABLE => RouteError.HostUnreachable,
        IpHelper.ERROR_INVALID_PARAMETER => RouteError.InvalidArgument,

        // The interface asked for (InterfaceIndex) does not exist.
        IpHelper.ERROR_FILE_NOT_FOUND => RouteError.NoSuchDevice,
        _ => RouteError.Other,
    };

    private static PlatformNotSupportedException CannotAsk(string why, Exception? inner) =>
        new($"-Verify cannot ask Windows for its route: {why} Without GetBestRoute2 only PSLoopback's own answer is given.", inner);
}

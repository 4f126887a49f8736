using System.Collections.Generic;
using System.Linq;
using PSLoopback.Platform.Linux.Netlink;
using static PSLoopback.Platform.Linux.Netlink.NetlinkConstants;
using static PSLoopback.Platform.Linux.Netlink.RouteConstants;

namespace PSLoopback.Platform.Linux;

/// <summary>
/// The kernel's route exceptions of both families, as `ip route show cache` and `ip -6 route show cache` read
/// them: IPv4 next-hop exceptions (an ICMP redirect's gateway, a learned path MTU) and IPv6 cached routes.
/// </summary>
public static class LinuxRouteExceptionDump
{
    public static IReadOnlyList<RouteMessage> Read()
    {
        using var socket = NetlinkSocket.OpenRoute();

        // Strictly checked, the request's RTM_F_CLONED makes the kernel send the cache alone, not every route again.
        socket.EnableStrictChecking();
        var exceptions = new List<RouteMessage>();
        foreach (var family in new[] { AF_INET, AF_INET6 })
        {
            exceptions.AddRange(Exceptions(socket.Dump(RTM_GETROUTE, CachedRoutesHeader(family))));
        }

        return exceptions;
    }

    /// <summary>
    /// The cache entries of a route dump, told apart by the RTM_F_CLONED each carries: a kernel that does not filter
    /// (before 5.3, or without strict checking) sends its FIB routes too.
    /// </summary>
    internal static IEnumerable<RouteMessage> Exceptions(IEnumerable<NetlinkMessage> messages) =>
        messages.Where(m => m.Type == RTM_NEWROUTE)
            .Select(m => RouteParser.ParseRoute(m.Payload))
            .Where(r => r.IsCloned);

    /// <summary>An rtmsg with the family and RTM_F_CLONED, the request iproute2 sends for `route show cache`.</summary>
    private static byte[] CachedRoutesHeader(byte family)
    {
        var header = new byte[RtMsgLength];
        header[0] = family;
        System.BitConverter.GetBytes(RTM_F_CLONED).CopyTo(header, 8);
        return header;
    }
}

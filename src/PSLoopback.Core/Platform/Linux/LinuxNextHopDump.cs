using System.Collections.Generic;
using System.Linq;
using PSLoopback.Platform.Linux.Netlink;
using static PSLoopback.Platform.Linux.Netlink.NetlinkConstants;
using static PSLoopback.Platform.Linux.Netlink.NextHopConstants;

namespace PSLoopback.Platform.Linux;

/// <summary>
/// The nexthop objects and the IPv4 and IPv6 neighbour entries, as the kernel's rtnetlink dumps give them;
/// turning them into a model is left to the caller.
/// </summary>
public sealed class LinuxNextHopDump
{
    // Kernels before 5.3 have no nexthop objects and answer the dump with one of these.
    private const int EOPNOTSUPP = 95;
    private const int EINVAL = 22;

    private LinuxNextHopDump()
    {
    }

    public static (IReadOnlyList<NextHopMessage> NextHops, IReadOnlyList<NeighborMessage> Neighbors) Read()
    {
        using var socket = NetlinkSocket.OpenRoute();
        IReadOnlyList<NextHopMessage> nextHops;
        try
        {
            // A zeroed nhmsg (AF_UNSPEC) asks for the objects of every family, groups included.
            nextHops = NextHops(socket.Dump(RTM_GETNEXTHOP, new byte[NhMsgLength])).ToList();
        }
        catch (NetlinkException e) when (e.Errno is EOPNOTSUPP or EINVAL)
        {
            nextHops = new List<NextHopMessage>();
        }

        var neighbors = new List<NeighborMessage>();
        foreach (var family in new[] { AF_INET, AF_INET6 })
        {
            var header = new byte[NdMsgLength];
            header[0] = family;
            neighbors.AddRange(Neighbors(socket.Dump(RTM_GETNEIGH, header)));
        }

        return (nextHops, neighbors);
    }

    internal static IEnumerable<NextHopMessage> NextHops(IEnumerable<NetlinkMessage> messages) =>
        messages.Where(m => m.Type == RTM_NEWNEXTHOP).Select(m => NextHopParser.ParseNextHop(m.Payload));

    /// <summary>Only IPv4 and IPv6 entries: a bridge's forwarding entries come in the same message type.</summary>
    internal static IEnumerable<NeighborMessage> Neighbors(IEnumerable<NetlinkMessage> messages) =>
        messages.Where(m => m.Type == RTM_NEWNEIGH && m.Payload.Length > 0 && (m.Payload[0] == AF_INET || m.Payload[0] == AF_INET6))
            .Select(m => NextHopParser.ParseNeighbor(m.Payload));
}

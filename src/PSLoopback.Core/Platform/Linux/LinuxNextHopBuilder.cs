using System.Collections.Generic;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;
using PSLoopback.Platform.Linux.Netlink;
using PSLoopback.Routing;
using static PSLoopback.Platform.Linux.Netlink.NetlinkConstants;

namespace PSLoopback.Platform.Linux;

/// <summary>Turns parsed nexthop and neighbour messages into the routing model. Pure: the OS is not touched.</summary>
public static class LinuxNextHopBuilder
{
    public static IReadOnlyList<NetNextHopObject> BuildNextHops(IEnumerable<NextHopMessage> messages, IReadOnlyList<NetInterfaceInfo> interfaces)
    {
        var names = Names(interfaces);
        return messages.Select(message => new NetNextHopObject(message.Id)
        {
            AddressFamily = message.Family switch
            {
                AF_INET => IPAddressFamily.IPv4,
                AF_INET6 => IPAddressFamily.IPv6,
                _ => null,
            },
            Gateway = message.Gateway is byte[] gateway ? new IPAddress(gateway) : null,
            InterfaceIndex = message.OutputInterface ?? 0,
            InterfaceAlias = message.OutputInterface is int index && names.TryGetValue(index, out var name) ? name : null,
            Blackhole = message.Blackhole,
            Fdb = message.Fdb,
            Flags = (RouteFlags)(message.Flags & 0xFF),
            Scope = (AddressScope)message.Scope,
            Protocol = (RouteProtocol)message.Protocol,
            HasEncapsulation = message.EncapsulationType is not null,
            Group = message.Group.Select(m => new NetNextHopGroupMember(m.Id, m.Weight)).ToArray(),
            GroupType = (NextHopGroupType)message.GroupType,
            Buckets = message.Buckets,
        }).ToList();
    }

    public static IReadOnlyList<NetNeighbor> BuildNeighbors(IEnumerable<NeighborMessage> messages, IReadOnlyList<NetInterfaceInfo> interfaces)
    {
        var names = Names(interfaces);

        // An entry without NDA_DST names no neighbour a gateway could be.
        return messages.Where(m => m.Destination is not null).Select(message => new NetNeighbor(new IPAddress(message.Destination!), message.InterfaceIndex, (NeighborState)message.State)
        {
            InterfaceAlias = names.TryGetValue(message.InterfaceIndex, out var name) ? name : null,
            LinkLayerAddress = message.LinkLayerAddress is { Length: > 0 } lladdr ? string.Join(":", lladdr.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture))) : null,
            Flags = (NeighborFlags)message.Flags,
        }).ToList();
    }

    private static Dictionary<int, string> Names(IReadOnlyList<NetInterfaceInfo> interfaces) =>
        interfaces.GroupBy(i => i.InterfaceIndex).ToDictionary(g => g.Key, g => g.First().Name);
}

using System.Collections.Generic;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;

namespace PSLoopback.Routing;

/// <summary>
/// Gives a route that names a nexthop object (RTA_NH_ID) the paths of that object. With
/// net.ipv4.nexthop_compat_mode=0 the route dump carries the id alone, so without this the route would seem
/// to leave by interface 0; with compat mode 1 the dump repeats what the object says, and this changes nothing.
/// </summary>
internal static class NextHopExpansion
{
    public static void Apply(IEnumerable<NetRouteInfo> routes, IEnumerable<NetNextHopObject> objects)
    {
        var byId = new Dictionary<uint, NetNextHopObject>();
        foreach (var nextHop in objects)
        {
            byId[nextHop.Id] = nextHop;
        }

        if (byId.Count == 0)
        {
            return;
        }

        foreach (var route in routes)
        {
            if (route.NextHopId is uint id && byId.TryGetValue(id, out var nextHop))
            {
                Apply(route, nextHop, byId);
            }
        }
    }

    private static void Apply(NetRouteInfo route, NetNextHopObject nextHop, Dictionary<uint, NetNextHopObject> byId)
    {
        var unspecified = route.AddressFamily == IPAddressFamily.IPv4 ? IPAddress.Any : IPAddress.IPv6Any;

        // A group's members are single nexthops (the kernel refuses nested groups); one it does not list is left out.
        var members = nextHop.IsGroup
            ? nextHop.Group.Select(m => (Hop: byId.TryGetValue(m.Id, out var member) ? member : null, m.Weight)).Where(m => m.Hop is not null).Select(m => (Hop: m.Hop!, m.Weight)).ToList()
            : new List<(NetNextHopObject Hop, int Weight)> { (nextHop, 1) };
        if (members.Count == 0)
        {
            return;
        }

        // A blackhole nexthop may only be a group's sole member; the kernel reports such a route as a blackhole.
        if (members[0].Hop.Blackhole)
        {
            if (route.RouteType == RouteType.Unicast)
            {
                route.RouteType = RouteType.Blackhole;
            }

            route.NextHop = unspecified;
            route.NextHops = System.Array.Empty<NetRouteNextHop>();
            return;
        }

        if (members.Count == 1)
        {
            var single = members[0].Hop;
            route.NextHop = single.Gateway ?? unspecified;
            route.InterfaceIndex = single.InterfaceIndex;
            route.InterfaceAlias = single.InterfaceAlias;
            route.Flags = (route.Flags & ~NextHopFlags) | (single.Flags & NextHopFlags);
            route.NextHops = System.Array.Empty<NetRouteNextHop>();
            return;
        }

        route.NextHop = unspecified;
        route.InterfaceIndex = 0;
        route.InterfaceAlias = null;
        route.NextHops = members.Select(m => new NetRouteNextHop
        {
            NextHop = m.Hop.Gateway ?? unspecified,
            InterfaceIndex = m.Hop.InterfaceIndex,
            InterfaceAlias = m.Hop.InterfaceAlias,
            Weight = m.Weight,
            Flags = m.Hop.Flags & NextHopFlags,
            NextHopId = m.Hop.Id,
        }).ToArray();
    }

    // The flags a nexthop object carries for its path; others on a route (offload, trap) are the route's own.
    private const RouteFlags NextHopFlags = RouteFlags.Dead | RouteFlags.OnLink | RouteFlags.LinkDown;
}

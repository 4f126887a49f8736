using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;

namespace PSLoopback.Routing;

// The kernel keeps the route a lookup makes on the next hop it chose (IPv6 rt6_make_pcpu_route, per CPU; IPv4
// rt_cache_route, per CPU for output), and the copy keeps what it was made from: the route's metrics and, on
// IPv6, its prefsrc and first device (where a source is chosen). A nexthop object's next hop is one for every
// route through it, so a lookup by another of those routes finds that copy and answers with the first route's
// MTU (and IPv6 source) until the next route change drops it. Which lookup came first, on which CPU, no dump
// shows: the decision names the other answers. Checked on 6.18 with lookups pinned to one CPU (taskset): the
// second route printed the first one's mtu, and on IPv6 its src; IPv4 chooses the source on every lookup.
public sealed partial class LinuxRouteResolver
{
    // Built on first use; two threads building it at once build the same thing.
    private Dictionary<(IPAddressFamily Family, uint Leaf), List<NetRouteInfo>>? routesByLeafNextHop;

    private void NameRoutesSharingNextHop(DecisionWork work)
    {
        var decision = work.Decision;
        if (decision.Error != RouteError.None || decision.RouteType != RouteType.Unicast || decision.RouteException is not null
            || decision.Route is not NetRouteInfo route || NextHopObject(route) is null)
        {
            return;
        }

        // Each path the flow may take is its own nexthop, with its own cached route: the headline's, and the
        // others a hash may choose.
        var others = new List<SharedNextHopRoute>();
        foreach (var path in decision.Paths)
        {
            if (LeafNextHop(route, path) is uint leaf)
            {
                AddSharing(work, route, path, leaf, others);
            }
        }

        if (others.Count == 0)
        {
            return;
        }

        var ipv6 = decision.AddressFamily == IPAddressFamily.IPv6;
        var multipath = decision.Paths.Count > 1;
        decision.RoutesSharingNextHop = others;
        decision.ExtendReason(() => "; " + DescribeSharing(others, ipv6, multipath));
        if (work.Explaining)
        {
            work.Note(RouteTraceStage.Source, string.Join(", ", others.Select(o => o.Route.ToString())), DescribeSharing(others, ipv6, multipath));
        }
    }

    private void AddSharing(DecisionWork work, NetRouteInfo route, RoutePath path, uint leaf, List<SharedNextHopRoute> others)
    {
        var query = work.Query;
        var decision = work.Decision;
        var input = query.InputInterfaceIndex is not null;
        var ipv6 = decision.AddressFamily == IPAddressFamily.IPv6;
        foreach (var other in RoutesThroughLeaf(route.AddressFamily, leaf))
        {
            if (ReferenceEquals(other, route))
            {
                continue;
            }

            // The source as the decision itself chose it, had the copy been made from the other route.
            var source = !ipv6 ? path.SourceAddress
                : input ? query.Source ?? other.PreferredSource
                : query.Source ?? other.PreferredSource ?? SourceAddressSelector.SelectIPv6(snapshot, query.Destination, Hops(other)[0].InterfaceIndex);
            if (!Equals(source, path.SourceAddress) || other.Mtu != decision.Mtu)
            {
                others.Add(new SharedNextHopRoute(other, leaf, path, source, other.Mtu));
            }
        }
    }

    private static string DescribeSharing(IReadOnlyList<SharedNextHopRoute> others, bool ipv6, bool multipath)
    {
        var answers = string.Join(", or ", others.Select(o => (ipv6 ? $"src {o.SourceAddress?.ToString() ?? "none"} " : string.Empty)
            + $"mtu {o.Mtu?.ToString(CultureInfo.InvariantCulture) ?? "none"} of {o.Route.DestinationPrefix} in table {o.Route.TableName}"
            + (multipath ? $" on the path {o.Path}" : string.Empty)));
        var leaves = string.Join(", ", others.Select(o => o.NextHopId).Distinct());
        return $"but the kernel may answer with the {answers}: it caches the route a lookup makes on nexthop {leaves} (per CPU), "
            + "made by whichever route through it was looked up first since the last route change, which no dump shows";
    }

    /// <summary>The single nexthop object <paramref name="path"/> is: the route's own, or the group member it is.</summary>
    private uint? LeafNextHop(NetRouteInfo route, RoutePath path)
    {
        if (NextHopObject(route) is not NetNextHopObject nextHop)
        {
            return null;
        }

        if (!nextHop.IsGroup)
        {
            return nextHop.Blackhole ? null : nextHop.Id;
        }

        foreach (var member in nextHop.Group)
        {
            if (nextHopObjects.TryGetValue(member.Id, out var hop) && hop.InterfaceIndex == path.InterfaceIndex
                && (hop.Gateway is IPAddress gateway ? gateway.Equals(path.NextHop) : AddressClass.IsUnspecified(path.NextHop)))
            {
                return hop.Id;
            }
        }

        return null;
    }

    // Each family caches on its own: an IPv4 route through an IPv6 nexthop shares nothing with IPv6 routes.
    private IReadOnlyList<NetRouteInfo> RoutesThroughLeaf(IPAddressFamily family, uint leaf)
    {
        var index = routesByLeafNextHop;
        if (index is null)
        {
            index = new Dictionary<(IPAddressFamily, uint), List<NetRouteInfo>>();
            foreach (var route in snapshot.Routes)
            {
                if (route.RouteType != RouteType.Unicast || NextHopObject(route) is not NetNextHopObject nextHop)
                {
                    continue;
                }

                var leaves = nextHop.IsGroup ? nextHop.Group.Select(m => m.Id) : new[] { nextHop.Id };
                foreach (var id in leaves.Distinct())
                {
                    if (!index.TryGetValue((route.AddressFamily, id), out var list))
                    {
                        index[(route.AddressFamily, id)] = list = new List<NetRouteInfo>();
                    }

                    list.Add(route);
                }
            }

            routesByLeafNextHop = index;
        }

        return index.TryGetValue((family, leaf), out var found) ? found : (IReadOnlyList<NetRouteInfo>)System.Array.Empty<NetRouteInfo>();
    }
}

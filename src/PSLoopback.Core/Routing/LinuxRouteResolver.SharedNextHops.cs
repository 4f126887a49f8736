using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;

namespace PSLoopback.Routing;

// What routes through one nexthop object share, because the kernel keeps it on the nexthop rather than the route.
//
// The route a lookup makes is cached on the next hop it chose (IPv6 rt6_make_pcpu_route, one per CPU; IPv4
// rt_cache_route, one per CPU for output and one for forwarded packets), and the copy keeps what it was made
// from: on IPv6 the route itself (its prefsrc or first device for the source, its table, metric, protocol and
// metrics), on IPv4 its metrics. A later lookup by another route through that nexthop answers from the copy until
// the next route change drops it (fib6_sernum, rt_genid). Checked on 6.18 with lookups pinned to a CPU (taskset).
//
// An IPv4 nexthop object also keeps one source (nh_saddr), chosen when it was made for the scope below its own
// and chosen again, after an address of the host changes (dev_addr_genid), by the first route looked up through
// it, for that route's scope (fib_result_prefsrc). Which lookups came first no dump shows: the decision names
// the other answers instead of guessing.
public sealed partial class LinuxRouteResolver
{
    // Only routes through nexthop objects are indexed; with none, it stays empty.
    private readonly Dictionary<(IPAddressFamily Family, uint Leaf), List<NetRouteInfo>> routesByLeafNextHop = new();

    // fib_info_update_nhc_saddr's scope for a nexthop through a gateway of link scope: global and site addresses, not link.
    private const AddressScope BelowLink = (AddressScope)(AddressScope.Link - 1);

    /// <summary>The nexthop object a route's only path is: its own, or a group's only member.</summary>
    private uint? SingleNextHopId(NetRouteInfo route) =>
        NextHopObject(route) is not NetNextHopObject nextHop ? null
        : !nextHop.IsGroup ? nextHop.Id
        : nextHop.Group.Count == 1 ? nextHop.Group[0].Id
        : null;

    // Each family caches on its own: an IPv4 route through an IPv6 nexthop shares nothing with IPv6 routes.
    private void IndexRoutesByLeafNextHop()
    {
        foreach (var route in snapshot.Routes)
        {
            if (route.RouteType != RouteType.Unicast || route.NextHopId is null)
            {
                continue;
            }

            var hops = Hops(route);
            foreach (var id in Enumerable.Range(0, hops.Count).Select(i => HopId(hops[i])).OfType<uint>().Distinct())
            {
                if (!routesByLeafNextHop.TryGetValue((route.AddressFamily, id), out var list))
                {
                    routesByLeafNextHop[(route.AddressFamily, id)] = list = new List<NetRouteInfo>();
                }

                list.Add(route);
            }
        }
    }

    private void NameRoutesSharingNextHop(DecisionWork work)
    {
        var decision = work.Decision;
        if (decision.Error != RouteError.None || decision.RouteType != RouteType.Unicast || decision.RouteException is not null
            || decision.Route is not NetRouteInfo route || route.NextHopId is null)
        {
            return;
        }

        // Each path the flow may take is its own nexthop, with its own cached route: the headline's, and the
        // others a hash may choose.
        var others = new List<SharedNextHopRoute>();
        foreach (var path in decision.Paths)
        {
            if (path.NextHopId is uint leaf && routesByLeafNextHop.TryGetValue((route.AddressFamily, leaf), out var through))
            {
                foreach (var other in through)
                {
                    // The source as the decision itself chose it, had the copy been made from the other route.
                    var source = decision.AddressFamily == IPAddressFamily.IPv4 ? path.SourceAddress : IPv6Source(work, other, Hops(other)[0]);
                    if (!ReferenceEquals(other, route) && (!Equals(source, path.SourceAddress) || other.Mtu != decision.Mtu))
                    {
                        others.Add(new SharedNextHopRoute(other, leaf, path, source, other.Mtu));
                    }
                }
            }
        }

        if (others.Count == 0)
        {
            return;
        }

        decision.RoutesSharingNextHop = others;
        var why = DescribeSharing(work, others);
        decision.ExtendReason("; " + why);
        if (work.Explaining)
        {
            work.Note(RouteTraceStage.Source, string.Join(", ", others.Select(o => o.Route.ToString())), why);
        }
    }

    private static string DescribeSharing(DecisionWork work, IReadOnlyList<SharedNextHopRoute> others)
    {
        var ipv6 = work.Decision.AddressFamily == IPAddressFamily.IPv6;
        var multipath = work.Decision.Paths.Count > 1;
        var answers = string.Join(", or ", others.Select(o => (ipv6 ? $"src {o.SourceAddress?.ToString() ?? "none"} " : string.Empty)
            + $"mtu {o.Mtu?.ToString(CultureInfo.InvariantCulture) ?? "none"} of {o.Route.DestinationPrefix} in table {o.Route.TableName}"
            + (multipath ? $" on the path {o.Path}" : string.Empty)));
        var leaves = string.Join(", ", others.Select(o => o.NextHopId).Distinct());
        var copies = !ipv6 && work.Query.InputInterfaceIndex is not null ? "one for all forwarded packets" : "one per CPU";
        var rest = ipv6 ? "its table, metric and other metrics too" : "its other metrics too";
        return $"but the kernel may answer with the {answers} ({rest}): it caches the route a lookup makes on nexthop {leaves} ({copies}), "
            + "made by whichever route through it was looked up first since the last route change, which no dump shows";
    }

    /// <summary>
    /// The scope an IPv4 path's source is chosen for. A route of its own next hops, or through an IPv6 nexthop
    /// (which keeps no IPv4 source): the route's, on every lookup. An IPv4 nexthop object: the scope below its own
    /// (nh_create_ipv4; a device-only or local-gateway nexthop is of host scope, so it may take a link-scoped
    /// address), the source it keeps until an address of the host changes.
    /// </summary>
    private AddressScope IPv4SourceScope(NetRouteInfo route, Hop path)
    {
        if (nextHopObjects.Count == 0 || HopId(path) is not uint id || !nextHopObjects.TryGetValue(id, out var leaf) || leaf.Gateway?.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            return route.Scope;
        }

        return leaf.Scope == AddressScope.Global ? AddressScope.Global : (AddressScope)(leaf.Scope - 1);
    }

    /// <summary>Says when the route's own scope would choose another source than the one its nexthop object keeps.</summary>
    private void NoteNextHopSourceScope(DecisionWork work, NetRouteInfo route, Hop path, IPAddress? kept)
    {
        var scope = IPv4SourceScope(route, path);
        if (work.Decision.Error != RouteError.None || scope == route.Scope || HopId(path) is not uint id)
        {
            return;
        }

        var own = SelectIPv4Source(path.InterfaceIndex, path.IsOnLink ? null : path.NextHop, route.Scope);
        if (Equals(own, kept))
        {
            return;
        }

        var scopeName = scope == AddressScope.Link ? "link" : scope == BelowLink ? "below link" : ((byte)scope).ToString(CultureInfo.InvariantCulture);
        var why = $"the source is the one nexthop {id} chose when it was made (for scope {scopeName}); after an address of this host changes, "
            + $"the first route looked up through it chooses again for its own scope, for every route through it, and this route's would give {own?.ToString() ?? "none"}";
        work.Decision.ExtendReason("; " + why);
        if (work.Explaining)
        {
            work.Note(RouteTraceStage.Source, kept?.ToString() ?? "(none)", why);
        }
    }
}

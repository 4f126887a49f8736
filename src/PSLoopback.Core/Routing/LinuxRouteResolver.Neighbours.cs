using System.Collections.Generic;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;

namespace PSLoopback.Routing;

// The choices the kernel makes by a gateway's neighbour entry, and the paths of nexthop objects.
public sealed partial class LinuxRouteResolver
{
    private readonly Dictionary<(int Interface, IPAddress Address), NetNeighbor> neighbours = new();
    private readonly Dictionary<uint, NetNextHopObject> nextHopObjects = new();

    private void IndexNeighboursAndNextHops()
    {
        foreach (var neighbour in snapshot.Neighbors)
        {
            neighbours[(neighbour.InterfaceIndex, neighbour.IPAddress)] = neighbour;
        }

        foreach (var nextHop in snapshot.NextHopObjects)
        {
            nextHopObjects[nextHop.Id] = nextHop;
        }
    }

    private NetNeighbor? Neighbour(Hop hop) =>
        neighbours.Count == 0 || hop.IsOnLink ? null : neighbours.TryGetValue((hop.InterfaceIndex, hop.NextHop), out var entry) ? entry : null;

    /// <summary>
    /// fib_good_nh, ipv4_good_nh, ipv6_good_nh: a path is good unless its gateway has a neighbour entry that is
    /// not NUD_VALID (incomplete, failed, none). A path without a gateway, or whose gateway has no entry yet, is good.
    /// </summary>
    private bool IsGoodPath(Hop hop) => Neighbour(hop) is not NetNeighbor entry || entry.IsValid;

    private NetNextHopObject? NextHopObject(NetRouteInfo route) =>
        route.NextHopId is uint id && nextHopObjects.TryGetValue(id, out var found) ? found : null;

    private string NeighbourText(Hop hop) =>
        Neighbour(hop) is NetNeighbor entry ? "its neighbour entry is " + (entry.State == NeighborState.None ? "NONE" : entry.State.ToString().ToUpperInvariant()) : "it has no neighbour entry";

    /// <summary>
    /// fib_select_multipath and nexthop_select_path_hthr: which paths of a multipath route a flow may hash to.
    /// A nexthop group always skips paths that are not good; an old-style multipath route only with
    /// net.ipv4.fib_multipath_use_neigh=1 (IPv6's own old-style routes avoid failed routers in rt6_select).
    /// A path skipped gives its share to the next good one; with none good the kernel keeps the first. A
    /// resilient group's buckets are the kernel's own state, so its paths stay as they are.
    /// </summary>
    private HopList GoodPaths(DecisionWork work, NetRouteInfo route, HopList paths, IPAddressFamily family)
    {
        if (paths.Count < 2)
        {
            return paths;
        }

        var nextHop = NextHopObject(route);
        if (nextHop is { IsGroup: true, GroupType: NextHopGroupType.Resilient })
        {
            if (work.Explaining)
            {
                work.Note(RouteTraceStage.Path, route.ToString(), $"nexthop {nextHop.Id} is a resilient group: each flow goes by the hash bucket it falls in, which the kernel binds and moves itself");
            }

            return paths;
        }

        var checks = nextHop is { IsGroup: true }
            ? $"nexthop group {nextHop.Id} always checks its gateways' neighbour entries"
            : family == IPAddressFamily.IPv4 && snapshot.Settings.Get("net.ipv4.fib_multipath_use_neigh", 0) != 0
                ? "net.ipv4.fib_multipath_use_neigh is 1"
                : null;
        if (checks is null)
        {
            return paths;
        }

        var good = new List<Hop>(paths.Count);
        for (var i = 0; i < paths.Count; i++)
        {
            if (IsGoodPath(paths[i]))
            {
                good.Add(paths[i]);
            }
        }

        if (work.Explaining)
        {
            for (var i = 0; i < paths.Count; i++)
            {
                if (!IsGoodPath(paths[i]))
                {
                    work.Note(RouteTraceStage.Path, route + " " + paths[i], $"{checks}, and {NeighbourText(paths[i])}: skipped");
                }
            }
        }

        if (good.Count == 0)
        {
            if (work.Explaining)
            {
                work.Note(RouteTraceStage.Path, route.ToString(), "no path is good, so the kernel keeps the first");
            }

            return HopList.Of(paths[0]);
        }

        return HopList.Of(good);
    }

    /// <summary>
    /// IPv6 with net.ipv6.conf.all.forwarding=0 (a host, not a router) looks up each table first avoiding
    /// routers whose neighbour entry FAILED (rt6_check_neigh under RT6_LOOKUP_F_REACHABLE), and only when that
    /// finds nothing anywhere in the table looks again taking them (ip6_pol_route).
    /// </summary>
    private TableOutcome LookUpTable(DecisionWork work, IPAddressFamily family, uint tableId)
    {
        // The setting's lookup by name last: without neighbours, or for IPv4, it cannot change the answer.
        if (family != IPAddressFamily.IPv6 || neighbours.Count == 0 || snapshot.Settings.Get("net.ipv6.conf.all.forwarding", 0) != 0)
        {
            return LookUpTableOnce(work, family, tableId);
        }

        work.AvoidFailedRouters = true;
        var first = LookUpTableOnce(work, family, tableId);
        work.AvoidFailedRouters = false;
        if (first.Decided)
        {
            return first;
        }

        if (work.Explaining)
        {
            work.Note(RouteTraceStage.Table, RouteTables.Name(tableId), "nothing found while avoiding failed routers: looked up again taking them");
        }

        return LookUpTableOnce(work, family, tableId);
    }

    /// <summary>rt6_check_neigh with router preferences: only a FAILED entry sinks a gateway route (incomplete or none does not).</summary>
    private bool IsFailedRouter(Hop hop) => Neighbour(hop) is NetNeighbor entry && (entry.State & NeighborState.Failed) != 0;

    /// <summary>
    /// The hops of an IPv6 route that rt6_select may take, while failed routers are avoided: the siblings of an
    /// old-style multipath route whose router did not fail. A route through a nexthop object is a candidate when
    /// any of its members is; its paths are then chosen as the group chooses (<see cref="GoodPaths"/>).
    /// </summary>
    private HopList IPv6Candidates(DecisionWork work, NetRouteInfo route, HopList hops)
    {
        if (!work.AvoidFailedRouters)
        {
            return hops;
        }

        var alive = new List<Hop>(hops.Count);
        for (var i = 0; i < hops.Count; i++)
        {
            if (!IsFailedRouter(hops[i]))
            {
                alive.Add(hops[i]);
            }
            else if (work.Explaining)
            {
                work.Note(RouteTraceStage.Path, route + " " + hops[i], "the router's neighbour entry FAILED, and a host avoids it while it can");
            }
        }

        return (NextHopObject(route) is not null && alive.Count > 0) || alive.Count == hops.Count ? hops : HopList.Of(alive);
    }

    /// <summary>
    /// fib_select_default: with several IPv4 default routes in a table, the kernel walks those of the winning
    /// metric (and type of service), each through a gateway, and takes the first whose gateway does not seem
    /// dead (fib_detect_death): no neighbour entry or a REACHABLE one is alive; FAILED, INCOMPLETE and NONE are
    /// dead; any other valid state is alive unless that route was the table's last choice (fa_default), which
    /// the kernel remembers and no dump shows. So the walk is made for every last choice there could be: one
    /// answer for all is the answer; otherwise each answer is a path, and the one shown is for a table that has
    /// chosen none yet.
    /// </summary>
    private TableOutcome SelectDefault(DecisionWork work, RouteGroup group, NetRouteInfo chosen, HopList paths)
    {
        // Only an output lookup's fib_select_path calls fib_select_default; ip_mkroute_input forwards by the first.
        var found = new TableOutcome { Found = (chosen, paths) };
        if (!group.Prefix.IsDefault || group.Count < 2 || chosen.RouteType != RouteType.Unicast || paths.Count != 1 || work.Query.OutputInterfaceIndex is not null
            || work.Query.InputInterfaceIndex is not null)
        {
            return found;
        }

        var candidates = DefaultCandidates(work, group, chosen);
        if (candidates.Count < 2)
        {
            return found;
        }

        return ChooseDefault(work, chosen, candidates);
    }

    /// <summary>fib_select_default's walk among several candidates, for each last choice the table may have made.</summary>
    private TableOutcome ChooseDefault(DecisionWork work, NetRouteInfo chosen, List<NetRouteInfo> candidates)
    {
        var answers = Enumerable.Range(-1, candidates.Count + 1).Select(last => WalkDefaults(candidates, last) ?? chosen).ToList();
        var fresh = answers[0];
        var possible = answers.Distinct().ToList();
        if (work.Explaining)
        {
            foreach (var candidate in candidates)
            {
                work.Note(RouteTraceStage.Route, candidate.ToString(), "a default route of the winning metric: " + NeighbourText(Hops(candidate)[0]));
            }

            work.Note(RouteTraceStage.Route, fresh.ToString(), possible.Count == 1
                ? "chosen among the default routes by its gateway's neighbour entry (fib_select_default)"
                : $"chosen while the table has made no choice yet; after an earlier choice the kernel may take {string.Join(" or ", possible.Where(r => r != fresh))} (fa_default, which no dump shows)");
        }

        if (possible.Count == 1)
        {
            return new TableOutcome { Found = (fresh, Hops(fresh)) };
        }

        work.DefaultTakenByLastChoice = true;
        return new TableOutcome { Found = (fresh, HopList.Of(new[] { Hops(fresh)[0] }.Concat(possible.Where(r => r != fresh).Select(r => Hops(r)[0])).ToArray())), };
    }

    /// <summary>The routes fib_select_default walks: the winner first, then those of its metric and type of service.</summary>
    private List<NetRouteInfo> DefaultCandidates(DecisionWork work, RouteGroup group, NetRouteInfo chosen)
    {
        var candidates = new List<NetRouteInfo>();
        var lastMetric = chosen.RouteMetric;
        byte lastTos = 0;
        for (var r = 0; r < group.Count; r++)
        {
            var route = group[r];
            if ((route.Tos != 0 && route.Tos != LegacyTos(work.Query.Tos)) || route.Table != chosen.Table)
            {
                continue;
            }

            if (route.RouteMetric > lastMetric && route.Tos == lastTos)
            {
                if (lastTos != 0)
                {
                    continue;
                }

                break;
            }

            var hops = Hops(route);
            if (hops.Alive().Count == 0)
            {
                continue;
            }

            lastTos = route.Tos;
            lastMetric = route.RouteMetric;
            if (route.Scope != chosen.Scope || route.RouteType != RouteType.Unicast || hops[0].IsOnLink)
            {
                continue;
            }

            // The walk starts at the route the lookup found; one before it ends the walk with that route.
            if (candidates.Count == 0 && route != chosen)
            {
                return candidates;
            }

            candidates.Add(route);
        }

        return candidates;
    }

    /// <summary>The walk of fib_select_default given the table's last choice; null keeps the lookup's route.</summary>
    private NetRouteInfo? WalkDefaults(List<NetRouteInfo> candidates, int lastChoice)
    {
        NetRouteInfo? lastResort = null;
        var lastResortOrder = -1;
        for (var order = 0; order < candidates.Count; order++)
        {
            var entry = Neighbour(Hops(candidates[order])[0]);
            if (entry is null || entry.State == NeighborState.Reachable || (entry.IsValid && order != lastChoice))
            {
                return candidates[order];
            }

            if (entry.IsValid || (lastResortOrder < 0 && order > lastChoice && entry.State != NeighborState.Incomplete))
            {
                lastResort = candidates[order];
                lastResortOrder = order;
            }
        }

        return lastResort;
    }
}

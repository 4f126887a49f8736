using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;

namespace PSLoopback.Routing;

// One table's lookup: longest prefix, then the routes of that prefix in the kernel's order, then their usable next hops.
public sealed partial class LinuxRouteResolver
{
    /// <summary>One table: longest prefix first, then the routes of that prefix in the kernel's order.</summary>
    private TableOutcome LookUpTableOnce(DecisionWork work, IPAddressFamily family, uint tableId)
    {
        if (TableOf(family, tableId) is not PrefixTable<object> table)
        {
            if (work.Explaining)
            {
                work.Note(RouteTraceStage.Table, RouteTables.Name(tableId), "has no routes");
            }

            return default;
        }

        // Most lookups end at the longest match; only when its routes are all unusable are shorter ones walked.
        var (high, low) = work.DestinationNumbers;
        for (var node = table.FindNode(high, low); node != 0; node = table.CoveringOf(node))
        {
            var outcome = Pick(work, family, new RouteGroup(table.ValueAt(node)!));
            if (outcome.Decided)
            {
                return outcome;
            }
        }

        if (work.Explaining)
        {
            work.Note(RouteTraceStage.Table, RouteTables.Name(tableId), "no route matches " + work.Query.Destination);
        }

        return default;
    }

    /// <summary>A table of the resolver; the main tables, which nearly every lookup asks, without the dictionary.</summary>
    private PrefixTable<object>? TableOf(IPAddressFamily family, uint tableId)
    {
        if (tableId == RouteTables.Main)
        {
            return family == IPAddressFamily.IPv4 ? mainIPv4 : mainIPv6;
        }

        return tables.TryGetValue(TableKey(family, tableId), out var table) ? table : null;
    }

    /// <summary>What a throw or reject route ends the table lookup with (fib_props' errors); null for a route that carries packets.</summary>
    private static TableOutcome? Refusal(DecisionWork work, NetRouteInfo route)
    {
        switch (route.RouteType)
        {
            case RouteType.Throw:
                if (work.Explaining)
                {
                    work.Note(RouteTraceStage.Route, route.ToString(), "throws: the lookup goes on with the next rule");
                }

                return new TableOutcome { Thrown = true };
            case RouteType.Unreachable:
                return new TableOutcome { Error = RouteError.HostUnreachable, Refusing = route };
            case RouteType.Prohibit:
                return new TableOutcome { Error = RouteError.PermissionDenied, Refusing = route };
            case RouteType.Blackhole:
                return new TableOutcome { Error = RouteError.InvalidArgument, Refusing = route };
            default:
                return null;
        }
    }

    private TableOutcome Pick(DecisionWork work, IPAddressFamily family, RouteGroup group) =>
        family == IPAddressFamily.IPv4 ? PickIPv4(work, group) : PickIPv6(work, group);

    /// <summary>fib_table_lookup's walk over the routes of one prefix.</summary>
    private TableOutcome PickIPv4(DecisionWork work, RouteGroup group)
    {
        for (var r = 0; r < group.Count; r++)
        {
            var route = group[r];
            if (route.Tos != 0 && route.Tos != LegacyTos(work.Query.Tos))
            {
                if (work.Explaining)
                {
                    work.Note(RouteTraceStage.Route, route.ToString(), $"is only for tos 0x{route.Tos:x2}");
                }

                continue;
            }

            if (Refusal(work, route) is TableOutcome refusal)
            {
                return refusal;
            }

            var paths = UsablePaths(work, route);
            if (paths.Count == 0 && route.NextHopId is not null)
            {
                // fib_table_lookup gives up the whole prefix ("goto miss") when a nexthop object has no usable path:
                // the prefix's later routes are not tried, the lookup goes on to shorter prefixes.
                if (work.Explaining)
                {
                    work.Note(RouteTraceStage.Route, route.ToString(), "its nexthop object has no usable path: the kernel leaves this prefix for shorter ones");
                }

                return default;
            }

            if (paths.Count == 0)
            {
                continue;
            }

            if (work.Explaining)
            {
                work.Note(RouteTraceStage.Route, route.ToString(), $"wins: longest prefix, then metric {route.RouteMetric}");
            }

            // fib_select_path chooses a path or default gateway only for a lookup not bound to an interface.
            return work.Query.OutputInterfaceIndex is null
                ? SelectDefault(work, group, route, GoodPaths(work, route, paths, IPAddressFamily.IPv4))
                : new TableOutcome { Found = (route, paths) };
        }

        return default;
    }

    /// <summary>rt6_select over the routes of one prefix: lowest metric first, scored by interface and router preference.</summary>
    private TableOutcome PickIPv6(DecisionWork work, RouteGroup group)
    {
        var query = work.Query;
        var source = query.Source ?? IPAddress.IPv6Any;

        // Once a prefix has source-specific routes, Linux looks it up by source in that subtree only
        // (fib6_node_lookup_1): with no source route matching, it goes on to shorter prefixes, and the
        // prefix's ordinary routes, which stay outside the subtree, are not seen. The table's root (::/0)
        // is the exception: when nothing else matched, its own routes are the last resort.
        var subtree = false;
        for (var r = 0; r < group.Count && !subtree; r++)
        {
            subtree = group[r].SourcePrefix is not null;
        }

        var candidates = subtree ? SourceRoutes(group, source) : group;
        if (subtree && candidates.Count == 0 && group.Prefix.IsDefault)
        {
            candidates = OrdinaryRoutes(group);
        }

        if (candidates.Count == 0)
        {
            if (work.Explaining)
            {
                work.Note(RouteTraceStage.Route, group.Prefix.ToString(), $"has only source-specific routes, none for source {source}: on to shorter prefixes");
            }

            return default;
        }

        // Link-local, multicast and loopback destinations, or an interface asked for without a source, bind
        // the lookup to that interface: a route through another is no candidate at all.
        // An input lookup scores routes by the input interface instead (ip6_pol_route_input passes iif as oif).
        var strict = NeedsStrictInterface(query.Destination) || (query.InputInterfaceIndex is null && query.OutputInterfaceIndex is not null && query.Source is null);
        var firstMetric = candidates[0].RouteMetric;
        var best = BestIPv6(work, candidates, firstMetric, sameMetric: true, strict)
            ?? BestIPv6(work, candidates, firstMetric, sameMetric: false, strict);
        if (best is null)
        {
            return default;
        }

        var route = best.Value.Route;
        if (Refusal(work, route) is TableOutcome refusal)
        {
            return refusal;
        }

        if (work.Explaining)
        {
            work.Note(RouteTraceStage.Route, route.ToString(), $"wins: longest prefix, lowest metric {route.RouteMetric}, then interface and preference");
        }

        return new TableOutcome { Found = (route, query.OutputInterfaceIndex is null ? GoodPaths(work, route, best.Value.Paths, IPAddressFamily.IPv6) : best.Value.Paths) };
    }

    /// <summary>The route rt6_select takes among those of the first metric, or (<paramref name="sameMetric"/> false) of the others.</summary>
    private (NetRouteInfo Route, HopList Paths)? BestIPv6(DecisionWork work, RouteGroup routes, uint firstMetric, bool sameMetric, bool strict)
    {
        var oif = work.Query.InputInterfaceIndex ?? FlowOutputInterface(work.Query);
        (NetRouteInfo Route, HopList Paths)? best = null;
        var bestScore = -1;
        for (var r = 0; r < routes.Count; r++)
        {
            var route = routes[r];
            if ((route.RouteMetric == firstMetric) != sameMetric)
            {
                continue;
            }

            // A route through a blackhole nexthop object is taken as soon as it is met, whatever interface the
            // lookup is bound to: __find_rr_leaf returns it before it scores any next hop.
            if (route.NextHopId is not null && route.RouteType == RouteType.Blackhole)
            {
                if (work.Explaining)
                {
                    work.Note(RouteTraceStage.Route, route.ToString(), "goes to a blackhole nexthop object: taken at once, whatever the interface");
                }

                return (route, Hops(route));
            }

            var hops = IPv6Candidates(work, route, Hops(route).Alive());
            if (hops.Count == 0)
            {
                if (work.Explaining)
                {
                    work.Note(RouteTraceStage.Route, route.ToString(), "its next hop is dead");
                }

                continue;
            }

            var onOif = oif is int wanted ? OnInterface(hops, wanted) : hops;
            if (onOif.Count == 0 && strict)
            {
                if (work.Explaining)
                {
                    work.Note(RouteTraceStage.Route, route.ToString(), $"does not leave by interface {oif}, which the lookup is bound to");
                }

                continue;
            }

            // Unless the lookup is bound to the interface, Linux hashes the flow over every path of a
            // multipath route, the interface asked for or not (fib6_select_path without an oif match); a
            // nexthop group is hashed over all its members even then (nexthop_path_fib6_result).
            var score = (onOif.Count > 0 ? 2 : 0) | (DecodePreference(route.Preference) << 2);
            if (score > bestScore)
            {
                bestScore = score;
                best = (route, strict && route.NextHopId is null ? onOif : hops);
            }
            else
            {
                if (work.Explaining)
                {
                    work.Note(RouteTraceStage.Route, route.ToString(), "loses to an earlier route of the same metric");
                }
            }
        }

        return best;
    }

    // Linux scores router preference low, medium, high as 1, 2, 3 (IPV6_DECODE_PREF).
    private static int DecodePreference(RoutePreference? preference) => ((int)(preference ?? RoutePreference.Medium)) ^ 2;

    private static bool NeedsStrictInterface(IPAddress destination) =>
        destination.IsIPv6Multicast || destination.IsIPv6LinkLocal || destination.Equals(IPAddress.IPv6Loopback);

    /// <summary>The next hops fib_lookup_good_nhc accepts: alive, and on the interface asked for if any.</summary>
    private HopList UsablePaths(DecisionWork work, NetRouteInfo route)
    {
        var oif = FlowOutputInterface(work.Query);
        var all = Hops(route);
        if (oif is null && all.Alive().Count == all.Count)
        {
            return all;
        }

        var usable = new List<Hop>();
        for (var i = 0; i < all.Count; i++)
        {
            var hop = all[i];
            if (hop.IsDead)
            {
                if (work.Explaining)
                {
                    work.Note(RouteTraceStage.Path, route + " " + hop, "dead: its interface is down");
                }
            }
            else if (oif is int wanted && hop.InterfaceIndex != wanted)
            {
                if (work.Explaining)
                {
                    work.Note(RouteTraceStage.Path, route + " " + hop, $"does not leave by interface {wanted}, which was asked for");
                }
            }
            else
            {
                usable.Add(hop);
            }
        }

        return HopList.Of(usable);
    }

    private static HopList OnInterface(HopList hops, int interfaceIndex)
    {
        var on = new List<Hop>(hops.Count);
        for (var i = 0; i < hops.Count; i++)
        {
            if (hops[i].InterfaceIndex == interfaceIndex)
            {
                on.Add(hops[i]);
            }
        }

        return on.Count == hops.Count ? hops : HopList.Of(on);
    }

    /// <summary>The source-specific routes of a prefix whose source prefix holds the packet's source.</summary>
    private static RouteGroup SourceRoutes(RouteGroup group, IPAddress source)
    {
        var kept = new List<NetRouteInfo>();
        for (var r = 0; r < group.Count; r++)
        {
            if (group[r].SourcePrefix is IPPrefix from && from.Contains(source))
            {
                kept.Add(group[r]);
            }
        }

        return new RouteGroup(kept.ToArray());
    }

    private static RouteGroup OrdinaryRoutes(RouteGroup group)
    {
        var kept = new List<NetRouteInfo>();
        for (var r = 0; r < group.Count; r++)
        {
            if (group[r].SourcePrefix is null)
            {
                kept.Add(group[r]);
            }
        }

        return new RouteGroup(kept.ToArray());
    }

    private struct TableOutcome
    {
        public (NetRouteInfo Route, HopList Paths)? Found;
        public RouteError Error;
        public NetRouteInfo? Refusing;
        public bool Thrown;

        /// <summary>The lookup ends here: a route, a refusal, or a throw to the next rule.</summary>
        public bool Decided => Found is not null || Error != RouteError.None || Thrown;
    }
}

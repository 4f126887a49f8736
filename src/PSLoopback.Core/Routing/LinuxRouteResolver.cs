using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;

namespace PSLoopback.Routing;

/// <summary>
/// Answers "where would this host send a packet to X, and why" from a <see cref="RouteSnapshot"/>, the way
/// the Linux kernel answers `ip route get X`: policy rules in priority order, then in each table the longest
/// matching prefix, then the route order the kernel keeps (type of service, metric, first added), then the
/// next hop and the source address. Pure: the snapshot is read, never the OS. Build once per snapshot, then
/// ask as often as needed; each table is a <see cref="PrefixTable{T}"/>, so a lookup does not scan.
/// </summary>
public sealed class LinuxRouteResolver : IRouteResolver
{
    private static readonly IPAddress Loopback4 = IPAddress.Loopback;

    private readonly RouteSnapshot snapshot;
    private readonly Dictionary<(IPAddressFamily Family, uint Table), PrefixTable<RouteGroup>> tables = new();
    private readonly Dictionary<IPAddressFamily, List<NetRouteRule>> rules = new();
    private readonly HashSet<IPAddress> localIPv4 = new();
    private readonly Dictionary<NetRouteInfo, IReadOnlyList<NetRouteNextHop>> hops = new();
    private readonly ConcurrentDictionary<(int Interface, IPAddress? Gateway, AddressScope Scope), IPAddress?> ipv4Sources = new();
    private readonly NetInterfaceInfo? loopback;

    // With only the default IPv4 rules, Linux keeps the local table merged into main and looks the two up
    // as one (fib_unmerge splits them when the first custom rule is added): longest prefix across both.
    private readonly bool mergedIPv4LocalAndMain;

    public LinuxRouteResolver(RouteSnapshot snapshot)
    {
        this.snapshot = snapshot ?? throw new ArgumentNullException(nameof(snapshot));
        loopback = snapshot.Interfaces.FirstOrDefault(i => i.IsLoopback);
        foreach (var address in snapshot.Interfaces.SelectMany(i => i.Addresses).Where(a => a.AddressFamily == IPAddressFamily.IPv4))
        {
            localIPv4.Add(address.IPAddress);
        }

        foreach (var family in new[] { IPAddressFamily.IPv4, IPAddressFamily.IPv6 })
        {
            var own = snapshot.Rules.Where(r => r.AddressFamily == family).ToList();
            rules[family] = own.Count > 0
                ? own.Select((rule, position) => (rule, position)).OrderBy(x => x.rule.Priority).ThenBy(x => x.position).Select(x => x.rule).ToList()
                : DefaultRules(family);
        }

        mergedIPv4LocalAndMain = IsDefaultRuleSet(rules[IPAddressFamily.IPv4]);
        foreach (var route in snapshot.Routes)
        {
            hops[route] = route.NextHops.Count > 0
                ? route.NextHops
                : new[] { new NetRouteNextHop { NextHop = route.NextHop, InterfaceIndex = route.InterfaceIndex, InterfaceAlias = route.InterfaceAlias, Flags = route.Flags } };
        }

        var byTable = snapshot.Routes
            .Select((route, position) => (route, position))
            .GroupBy(x => (x.route.AddressFamily, Table: mergedIPv4LocalAndMain && x.route.AddressFamily == IPAddressFamily.IPv4 && x.route.Table == RouteTables.Local ? RouteTables.Main : x.route.Table));
        foreach (var table in byTable)
        {
            var groups = table
                .GroupBy(x => x.route.DestinationPrefix)
                .Select(g => new KeyValuePair<IPPrefix, RouteGroup>(g.Key, new RouteGroup(g.Key, Order(table.Key.AddressFamily, g))));
            tables[(table.Key.AddressFamily, table.Key.Table)] = PrefixTable<RouteGroup>.Build(table.Key.AddressFamily, groups);
        }
    }

    public RouteSnapshot Snapshot => snapshot;

    /// <param name="explain">Also record every step in <see cref="RouteDecision.Trace"/> (slower).</param>
    public RouteDecision Resolve(RouteQuery query, bool explain = false)
    {
        if (query is null)
        {
            throw new ArgumentNullException(nameof(query));
        }

        var work = new DecisionWork(query, explain);
        if (work.Explaining)
        {
            work.Note(RouteTraceStage.Input, query.Destination.ToString(), DescribeQuery(query));
        }

        if (query.Destination.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            ResolveIPv4(work);
        }
        else
        {
            ResolveIPv6(work);
        }

        return work.Finish(snapshot);
    }

    private void ResolveIPv4(DecisionWork work)
    {
        var query = work.Query;
        var destination = query.Destination;
        var source = query.Source;
        NetInterfaceInfo? oif = null;

        if (source is not null)
        {
            if (AddressClass.IsMulticast(source) || AddressClass.IsLimitedBroadcast(source) || AddressClass.IsZeroNetwork(source))
            {
                work.Refuse(RouteError.InvalidArgument, $"{source} cannot be the source of a packet.");
                return;
            }

            var owner = FindLocalIPv4Owner(source);
            if (owner is null)
            {
                work.Refuse(RouteError.NetworkUnreachable, $"{source} is not an address of this host, so no packet can be sent from it.");
                return;
            }

            if (query.OutputInterfaceIndex is null && (AddressClass.IsMulticast(destination) || AddressClass.IsLimitedBroadcast(destination)))
            {
                MakeRoute(work, null, RouteType.Unicast, owner, IPAddress.Any, source,
                    () => $"a {(AddressClass.IsMulticast(destination) ? "multicast" : "broadcast")} from {source} leaves by {owner.Name}, the interface that owns that address; no table is asked");
                return;
            }
        }

        if (query.OutputInterfaceIndex is int oifIndex)
        {
            oif = snapshot.FindInterface(oifIndex);
            if (oif is null)
            {
                work.Refuse(RouteError.NoSuchDevice, $"there is no interface with index {oifIndex}.");
                return;
            }

            if (oif.AdminStatus != AdminStatus.Up)
            {
                work.Refuse(RouteError.NetworkUnreachable, $"the output interface {oif.Name} is down.");
                return;
            }

            if (AddressClass.IsLocalMulticast(destination) || AddressClass.IsLimitedBroadcast(destination))
            {
                source ??= SourceAddressSelector.SelectIPv4(snapshot, oif.InterfaceIndex, null, AddressScope.Link);
                MakeRoute(work, null, RouteType.Unicast, oif, IPAddress.Any, source,
                    () => $"link-local multicast and broadcast go out the interface asked for, {oif.Name}, without a table");
                return;
            }

            if (source is null && AddressClass.IsMulticast(destination))
            {
                source = SourceAddressSelector.SelectIPv4(snapshot, oif.InterfaceIndex, null, AddressScope.Global);
            }
            else if (source is null && destination.Equals(IPAddress.Any))
            {
                source = SourceAddressSelector.SelectIPv4(snapshot, oif.InterfaceIndex, null, AddressScope.Host);
            }
        }

        if (destination.Equals(IPAddress.Any))
        {
            // A packet to 0.0.0.0 is a packet to this host: Linux rewrites it to the source, else 127.0.0.1.
            Finish(work, null, RouteType.Local, loopback, IPAddress.Any, source ?? Loopback4, () => "0.0.0.0 means this host: the packet loops back");
            return;
        }

        var found = LookUp(work, IPAddressFamily.IPv4);
        if (found is null)
        {
            if (oif is not null)
            {
                // When the lookup fails in any way (no route, a reject route or rule), Linux takes a destination
                // asked for by interface to be on that link ("apparently, routing tables are wrong").
                var failure = work.Decision.Error == RouteError.None ? "no route matched" : work.Decision.Reason.TrimEnd('.');
                work.Decision.Rule = null;
                work.Decision.Route = null;
                source ??= SourceAddressSelector.SelectIPv4(snapshot, oif.InterfaceIndex, null, AddressScope.Link);
                MakeRoute(work, null, RouteType.Unicast, oif, IPAddress.Any, source, () => $"{failure}, so {destination} is taken to be on the link of {oif.Name}, the interface asked for");
                return;
            }

            if (work.Decision.Error == RouteError.None)
            {
                work.Refuse(RouteError.NetworkUnreachable, "no route matches: Network is unreachable.");
            }

            return;
        }

        var (route, paths) = found.Value;
        if (route.RouteType == RouteType.Local)
        {
            source ??= route.PreferredSource ?? destination;
            MakeRoute(work, route, RouteType.Local, loopback, IPAddress.Any, source,
                () => $"{destination} is an address of this host ({route.DestinationPrefix} is a local route in table {route.TableName}): the packet goes through the loopback interface");
            return;
        }

        var chosen = paths[0];
        var device = snapshot.FindInterface(chosen.InterfaceIndex);
        var sources = paths.Select(p => source ?? route.PreferredSource ?? SelectIPv4Source(p.InterfaceIndex, p.IsOnLink ? null : p.NextHop, route.Scope)).ToList();

        // A gateway that is one of this host's addresses resolves to host scope, and Linux sends on-link
        // instead (rt_set_nexthop uses only link-scope gateways).
        var hops = paths.Select(p => p.IsOnLink || localIPv4.Contains(p.NextHop) ? IPAddress.Any : p.NextHop).ToList();
        work.Decision.Paths = paths.Select((p, i) => new RoutePath(hops[i], p.InterfaceIndex, p.InterfaceAlias ?? snapshot.FindInterface(p.InterfaceIndex)?.Name, sources[i], p.Weight)).ToArray();
        if (paths.Count > 1)
        {
            if (work.Explaining)
            {
                work.Note(RouteTraceStage.Path, route.ToString(), $"{paths.Count} paths: Linux hashes each flow onto one; the first is shown");
            }
        }

        // The path shown is the first: a multipath route is on-link or through a gateway path by path.
        string Why() => $"longest match {route.DestinationPrefix} in table {route.TableName}"
            + (AddressClass.IsUnspecified(hops[0]) ? $", on the link of {device?.Name ?? chosen.InterfaceIndex.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : $", via {hops[0]}");
        MakeRoute(work, route, route.RouteType, device, hops[0], sources[0], Why, chosen.InterfaceIndex);
    }

    /// <summary>
    /// The interface that owns a local IPv4 address (__ip_dev_find), or null when the host may not send from
    /// it: the interface that has the address, else the one of the local-table route that makes it local
    /// (ip route add local 198.18.0.0/16 dev lo makes every address in it this host's, on lo).
    /// </summary>
    private NetInterfaceInfo? FindLocalIPv4Owner(IPAddress address)
    {
        var owner = snapshot.Interfaces.FirstOrDefault(i => i.Addresses.Any(a => a.IPAddress.Equals(address)));
        if (owner is not null)
        {
            return owner;
        }

        var localTable = mergedIPv4LocalAndMain ? RouteTables.Main : RouteTables.Local;
        if (!tables.TryGetValue((IPAddressFamily.IPv4, localTable), out var table))
        {
            return null;
        }

        var local = table.Matches(address)
            .Select(match => match.Value.Routes.FirstOrDefault(r => r.Tos == 0))
            .FirstOrDefault(r => r is not null);
        return local?.RouteType == RouteType.Local ? snapshot.FindInterface(local.InterfaceIndex) : null;
    }

    /// <summary>IPv4 source selection depends only on the interface, the gateway and the scope, so it is remembered.</summary>
    private IPAddress? SelectIPv4Source(int interfaceIndex, IPAddress? gateway, AddressScope scope) =>
        ipv4Sources.GetOrAdd((interfaceIndex, gateway, scope), key => SourceAddressSelector.SelectIPv4(snapshot, key.Interface, key.Gateway, key.Scope));

    /// <summary>
    /// The type Linux gives an output route (__mkroute_output). Linux 6.18 answers a route query for a
    /// loopback or 0.0.0.0/8 destination through any interface, so neither is refused here.
    /// </summary>
    private void MakeRoute(DecisionWork work, NetRouteInfo? route, RouteType type, NetInterfaceInfo? device, IPAddress nextHop, IPAddress? source, Func<string> why, int? interfaceIndex = null)
    {
        var destination = work.Query.Destination;

        // A loopback source may only leave by a loopback interface.
        if (source is not null && AddressClass.IsLoopback(source) && device?.IsLoopback != true)
        {
            work.Decision.Route = route;
            work.Refuse(RouteError.InvalidArgument, $"{source} is a loopback address and cannot be the source of a packet leaving by {device?.Name ?? "another interface"}.");
            return;
        }

        if (AddressClass.IsLimitedBroadcast(destination))
        {
            type = RouteType.Broadcast;
        }
        else if (AddressClass.IsMulticast(destination))
        {
            type = RouteType.Multicast;
        }

        // Whichever path the flow hashes to, a broadcast, or a multicast that matched only a route shorter
        // than 224.0.0.0/4 (the default route, say), goes on the link without a gateway.
        if ((type == RouteType.Broadcast || (type == RouteType.Multicast && (route is null || route.DestinationPrefix.Length < 4)))
            && (!AddressClass.IsUnspecified(nextHop) || work.Decision.Paths.Any(p => !AddressClass.IsUnspecified(p.NextHop))))
        {
            nextHop = IPAddress.Any;
            var routed = why;
            var kind = type.ToString().ToLowerInvariant();
            why = () => routed() + $"; a {kind} is sent on the link, without the route's gateway";
            work.Decision.Paths = work.Decision.Paths
                .Select(p => new RoutePath(IPAddress.Any, p.InterfaceIndex, p.InterfaceAlias, p.SourceAddress, p.Weight))
                .ToArray();
        }

        Finish(work, route, type, device, nextHop, source, why, interfaceIndex);
    }

    private static void Finish(DecisionWork work, NetRouteInfo? route, RouteType type, NetInterfaceInfo? device, IPAddress nextHop, IPAddress? source, Func<string> why, int? interfaceIndex = null)
    {
        var decision = work.Decision;
        decision.Route = route;
        decision.RouteType = type;
        decision.Error = RouteError.None;
        decision.InterfaceIndex = device?.InterfaceIndex ?? interfaceIndex;
        decision.InterfaceAlias = device?.Name;
        decision.NextHop = nextHop;
        decision.SourceAddress = source;
        decision.Table = route?.Table;
        decision.SetReason(why);
        if (work.Explaining)
        {
            work.Note(RouteTraceStage.Source, source?.ToString() ?? "(none)", source is null ? "no address can be the source" : "the packet's source address");
        }
    }

    private void ResolveIPv6(DecisionWork work)
    {
        var query = work.Query;
        var destination = query.Destination;
        if (query.OutputInterfaceIndex is int oifIndex && snapshot.FindInterface(oifIndex) is null)
        {
            work.Refuse(RouteError.NoSuchDevice, $"there is no interface with index {oifIndex}.");
            return;
        }

        var found = LookUp(work, IPAddressFamily.IPv6);
        if (found is null)
        {
            if (work.Decision.Error == RouteError.None)
            {
                work.Refuse(RouteError.NetworkUnreachable, "no route matches: Network is unreachable.");
            }

            return;
        }

        var (route, paths) = found.Value;
        var chosen = paths[0];
        var routeDevice = snapshot.FindInterface(chosen.InterfaceIndex);
        var sources = paths.Select(p => query.Source ?? route.PreferredSource ?? SourceAddressSelector.SelectIPv6(snapshot, destination, p.InterfaceIndex)).ToList();
        work.Decision.Paths = paths.Select((p, i) => new RoutePath(p.NextHop, p.InterfaceIndex, p.InterfaceAlias ?? snapshot.FindInterface(p.InterfaceIndex)?.Name, sources[i], p.Weight)).ToArray();

        // Local and anycast routes name the interface that has the address, but the packet loops back.
        if (route.RouteType is RouteType.Local or RouteType.Anycast)
        {
            Finish(work, route, route.RouteType, loopback, IPAddress.IPv6Any, sources[0],
                () => $"{destination} is an address of this host ({route.DestinationPrefix} is a {route.RouteType.ToString().ToLowerInvariant()} route in table {route.TableName}): the packet goes through the loopback interface");
            return;
        }

        string Why() => $"longest match {route.DestinationPrefix} in table {route.TableName}"
            + (chosen.IsOnLink ? $", on the link of {routeDevice?.Name}" : $", via {chosen.NextHop}");
        Finish(work, route, route.RouteType, routeDevice, chosen.NextHop, sources[0], Why, chosen.InterfaceIndex);
    }

    /// <summary>
    /// Walks the rules (fib_rules_lookup). Returns the route and its usable paths, or null with the
    /// decision's error set when a rule or route refuses, or with no error when nothing matched.
    /// </summary>
    private (NetRouteInfo Route, IReadOnlyList<NetRouteNextHop> Paths)? LookUp(DecisionWork work, IPAddressFamily family)
    {
        if (family == IPAddressFamily.IPv4 && mergedIPv4LocalAndMain)
        {
            if (work.Explaining)
            {
                work.Note(RouteTraceStage.Rule, "default rules", "only the default rules exist, so Linux looks up local and main as one table, then default");
            }

            foreach (var table in new[] { RouteTables.Main, RouteTables.Default })
            {
                var outcome = LookUpTable(work, family, table);
                var decisive = outcome.Found?.Route ?? outcome.Refusing;
                if (decisive is not null)
                {
                    work.Decision.Rule = rules[family].FirstOrDefault(r => r.Table == decisive.Table);
                    return Settle(work, outcome, family, decisive.Table);
                }
            }

            return null;
        }

        var ordered = rules[family];
        for (var i = 0; i < ordered.Count; i++)
        {
            var rule = ordered[i];
            if (!Matches(rule, work.Query, out var mismatch))
            {
                if (work.Explaining)
                {
                    work.Note(RouteTraceStage.Rule, rule.ToString(), "does not match: " + mismatch);
                }

                continue;
            }

            switch (rule.Action)
            {
                case RuleAction.Goto:
                    // The kernel refuses a goto that is not forward; a table passed in by hand may still hold one.
                    var target = ordered.FindIndex(i + 1, r => r.Priority == rule.GotoPriority);
                    if (target < 0 || rule.GotoPriority <= rule.Priority)
                    {
                        if (work.Explaining)
                        {
                            work.Note(RouteTraceStage.Rule, rule.ToString(), "matches, but no rule has the priority it jumps to: skipped");
                        }

                        continue;
                    }

                    if (work.Explaining)
                    {
                        work.Note(RouteTraceStage.Rule, rule.ToString(), $"matches: continue at rule {rule.GotoPriority}");
                    }

                    i = target - 1;
                    continue;
                case RuleAction.Nop:
                    if (work.Explaining)
                    {
                        work.Note(RouteTraceStage.Rule, rule.ToString(), "matches, and does nothing");
                    }

                    continue;
                case RuleAction.Unreachable:
                    work.Decision.Rule = rule;
                    work.Refuse(RouteError.NetworkUnreachable, $"rule {rule.Priority} answers unreachable.", RouteType.Unreachable);
                    return null;
                case RuleAction.Prohibit:
                    work.Decision.Rule = rule;
                    work.Refuse(RouteError.PermissionDenied, $"rule {rule.Priority} prohibits it.", RouteType.Prohibit);
                    return null;
                case RuleAction.Blackhole:
                    work.Decision.Rule = rule;
                    work.Refuse(RouteError.InvalidArgument, $"rule {rule.Priority} drops it (blackhole).", RouteType.Blackhole);
                    return null;
                case RuleAction.Lookup:
                    break;
                default:
                    // fib4_rule_action and fib6_rule_action answer any other action as they do blackhole: EINVAL.
                    work.Decision.Rule = rule;
                    work.Refuse(RouteError.InvalidArgument, $"rule {rule.Priority} has action {rule.Action}, which Linux answers with 'Invalid argument'.", RouteType.NoRoute);
                    return null;
            }

            if (work.Explaining)
            {
                work.Note(RouteTraceStage.Rule, rule.ToString(), $"matches: look up table {rule.TableName}");
            }

            var outcome = LookUpTable(work, family, rule.Table);
            if (outcome.Error != RouteError.None)
            {
                work.Decision.Rule = rule;
                return Settle(work, outcome, family, rule.Table);
            }

            if (outcome.Found is null)
            {
                continue;
            }

            if (rule.SuppressPrefixLength is int suppress && outcome.Found.Value.Route.DestinationPrefix.Length <= suppress)
            {
                if (work.Explaining)
                {
                    work.Note(RouteTraceStage.Rule, rule.ToString(),
                        $"its answer {outcome.Found.Value.Route.DestinationPrefix} is /{suppress} or shorter, which suppress_prefixlength {suppress} ignores: on to the next rule");
                }

                continue;
            }

            work.Decision.Rule = rule;
            return Settle(work, outcome, family, rule.Table);
        }

        return null;
    }

    private static (NetRouteInfo Route, IReadOnlyList<NetRouteNextHop> Paths)? Settle(DecisionWork work, TableOutcome outcome, IPAddressFamily family, uint table)
    {
        if (outcome.Error != RouteError.None)
        {
            var route = outcome.Refusing!;
            work.Decision.Route = route;
            work.Decision.Table = route.Table;
            var verb = route.RouteType switch
            {
                RouteType.Unreachable => "is unreachable",
                RouteType.Prohibit => "is prohibited",
                _ => "is dropped (blackhole)",
            };
            work.Refuse(outcome.Error, $"{route.DestinationPrefix} {verb} by a route in table {RouteTables.Name(table)}.", route.RouteType);
            return null;
        }

        return outcome.Found;
    }

    /// <summary>One table: longest prefix first, then the routes of that prefix in the kernel's order.</summary>
    private TableOutcome LookUpTable(DecisionWork work, IPAddressFamily family, uint tableId)
    {
        if (!tables.TryGetValue((family, tableId), out var table))
        {
            if (work.Explaining)
            {
                work.Note(RouteTraceStage.Table, RouteTables.Name(tableId), "has no routes");
            }

            return default;
        }

        // Most lookups end at the longest match; only when its routes are all unusable are shorter ones walked.
        if (!table.TryLongestMatch(work.Query.Destination, out _, out var longest))
        {
            if (work.Explaining)
            {
                work.Note(RouteTraceStage.Table, RouteTables.Name(tableId), "no route matches " + work.Query.Destination);
            }

            return default;
        }

        var first = Pick(work, family, longest!);
        if (first.Decided)
        {
            return first;
        }

        foreach (var match in table.Matches(work.Query.Destination).Skip(1))
        {
            var outcome = Pick(work, family, match.Value);
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
        foreach (var route in group.Routes)
        {
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
            if (paths.Count == 0)
            {
                continue;
            }

            if (work.Explaining)
            {
                work.Note(RouteTraceStage.Route, route.ToString(), $"wins: longest prefix, then metric {route.RouteMetric}");
            }

            return new TableOutcome { Found = (route, paths) };
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
        var subtree = group.Routes.Any(r => r.SourcePrefix is not null);
        var candidates = subtree
            ? group.Routes.Where(r => r.SourcePrefix is IPPrefix from && from.Contains(source)).ToList()
            : group.Routes;
        if (subtree && candidates.Count == 0 && group.Prefix.IsDefault)
        {
            candidates = group.Routes.Where(r => r.SourcePrefix is null).ToList();
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
        var strict = NeedsStrictInterface(query.Destination) || (query.OutputInterfaceIndex is not null && query.Source is null);
        var firstMetric = candidates[0].RouteMetric;
        var best = BestIPv6(work, candidates.Where(r => r.RouteMetric == firstMetric), strict)
            ?? BestIPv6(work, candidates.Where(r => r.RouteMetric != firstMetric), strict);
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

        return new TableOutcome { Found = (route, best.Value.Paths) };
    }

    private (NetRouteInfo Route, IReadOnlyList<NetRouteNextHop> Paths)? BestIPv6(DecisionWork work, IEnumerable<NetRouteInfo> routes, bool strict)
    {
        var oif = work.Query.OutputInterfaceIndex;
        (NetRouteInfo Route, IReadOnlyList<NetRouteNextHop> Paths)? best = null;
        var bestScore = -1;
        foreach (var route in routes)
        {
            var hops = Hops(route).Where(h => (h.Flags & RouteFlags.Dead) == 0).ToList();
            if (hops.Count == 0)
            {
                if (work.Explaining)
                {
                    work.Note(RouteTraceStage.Route, route.ToString(), "its next hop is dead");
                }

                continue;
            }

            var onOif = oif is null ? hops : hops.Where(h => h.InterfaceIndex == oif).ToList();
            if (onOif.Count == 0 && strict)
            {
                if (work.Explaining)
                {
                    work.Note(RouteTraceStage.Route, route.ToString(), $"does not leave by interface {oif}, which the lookup is bound to");
                }

                continue;
            }

            // Unless the lookup is bound to the interface, Linux hashes the flow over every path of a
            // multipath route, the interface asked for or not (fib6_select_path without an oif match).
            var score = (onOif.Count > 0 ? 2 : 0) | (DecodePreference(route.Preference) << 2);
            if (score > bestScore)
            {
                bestScore = score;
                best = (route, strict ? onOif : hops);
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

    /// <summary>A route's paths: its multipath next hops, or the one next hop of a plain route.</summary>
    private IReadOnlyList<NetRouteNextHop> Hops(NetRouteInfo route) => hops[route];

    /// <summary>The next hops fib_lookup_good_nhc accepts: alive, and on the interface asked for if any.</summary>
    private IReadOnlyList<NetRouteNextHop> UsablePaths(DecisionWork work, NetRouteInfo route)
    {
        var oif = work.Query.OutputInterfaceIndex;
        var all = Hops(route);
        if (oif is null && all.All(h => (h.Flags & RouteFlags.Dead) == 0))
        {
            return all;
        }

        var usable = new List<NetRouteNextHop>();
        foreach (var hop in all)
        {
            if ((hop.Flags & RouteFlags.Dead) != 0)
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

        return usable;
    }

    private bool Matches(NetRouteRule rule, RouteQuery query, out string mismatch)
    {
        var matched = MatchesSelector(rule, query, out mismatch);
        if (rule.Not)
        {
            mismatch = matched ? "its selector matches, and the rule is inverted (not)" : string.Empty;
            return !matched;
        }

        return matched;
    }

    private bool MatchesSelector(NetRouteRule rule, RouteQuery query, out string mismatch)
    {
        mismatch = string.Empty;

        // Locally sent packets come in on the loopback device as far as rules are concerned.
        if (rule.IncomingInterface is string iif && snapshot.FindInterface(iif)?.IsLoopback != true)
        {
            mismatch = $"iif {iif}: a locally sent packet's incoming interface is the loopback interface";
            return false;
        }

        if (rule.OutgoingInterface is string oifName)
        {
            var index = snapshot.FindInterface(oifName)?.InterfaceIndex;
            if (index is null || query.OutputInterfaceIndex != index)
            {
                mismatch = $"oif {oifName} was not asked for";
                return false;
            }
        }

        var mask = rule.FwMask ?? (rule.FwMark is null ? 0u : uint.MaxValue);
        if ((((rule.FwMark ?? 0) ^ query.Mark) & mask) != 0)
        {
            mismatch = $"fwmark 0x{query.Mark:x} is not 0x{rule.FwMark ?? 0:x}/0x{mask:x}";
            return false;
        }

        if (rule.L3MasterDevice)
        {
            mismatch = "l3mdev: no VRF is involved";
            return false;
        }

        if (rule.UidRange is UidRange uids && !uids.Contains(query.Uid))
        {
            mismatch = $"uid {query.Uid} is not in {uids}";
            return false;
        }

        if (rule.From is IPPrefix from)
        {
            // IPv4 matches "from" against 0.0.0.0 when no source is given; IPv6 does not match at all then.
            var source = query.Source ?? (rule.AddressFamily == IPAddressFamily.IPv4 ? (IPAddress?)IPAddress.Any : null);
            if (!from.IsDefault && (source is null || !from.Contains(source)))
            {
                mismatch = $"from {from}: the source is {query.Source?.ToString() ?? "not yet chosen"}";
                return false;
            }
        }

        if (rule.To is IPPrefix to && !to.Contains(query.Destination))
        {
            mismatch = $"to {to}";
            return false;
        }

        // IPv4 compares the rule's tos with the packet's three legacy TOS bits (fib_dscp_masked_match), IPv6
        // with the packet's whole DSCP (fib6_rule_match), so tos 0x10 takes 0x50 over IPv4 and 0x12 over both.
        if (rule.Tos != 0 && (rule.AddressFamily == IPAddressFamily.IPv4 ? rule.Tos != LegacyTos(query.Tos) : rule.Tos >> 2 != query.Tos >> 2))
        {
            mismatch = $"tos 0x{rule.Tos:x2}";
            return false;
        }

        if (rule.Dscp is byte dscp && dscp != query.Tos >> 2)
        {
            mismatch = $"dscp {dscp}";
            return false;
        }

        // A locally sent packet carries no tunnel metadata.
        if (rule.TunnelId is ulong tunnel && tunnel != 0)
        {
            mismatch = $"tun_id {tunnel}: a locally sent packet has no tunnel id";
            return false;
        }

        if (rule.IPProtocol is byte protocol && protocol != 0 && protocol != query.IPProtocol)
        {
            mismatch = $"ipproto {protocol}";
            return false;
        }

        if (rule.SourcePortRange is PortRange sport && !sport.Contains(query.SourcePort))
        {
            mismatch = $"sport {sport}";
            return false;
        }

        if (rule.DestinationPortRange is PortRange dport && !dport.Contains(query.DestinationPort))
        {
            mismatch = $"dport {dport}";
            return false;
        }

        return true;
    }

    /// <summary>
    /// The TOS bits an IPv4 route or tos rule is compared with (INET_DSCP_LEGACY_TOS_MASK): not the ECN bits, not
    /// the precedence, so a route with tos 0x20 matches no packet, and a packet with tos 0xb8 takes a tos 0x18 route.
    /// </summary>
    private static byte LegacyTos(byte tos) => (byte)(tos & 0x1C);

    private static List<NetRouteInfo> Order(IPAddressFamily family, IEnumerable<(NetRouteInfo Route, int Position)> routes) =>
        family == IPAddressFamily.IPv4
            ? routes.OrderByDescending(x => x.Route.Table).ThenByDescending(x => x.Route.Tos).ThenBy(x => x.Route.RouteMetric).ThenBy(x => x.Position).Select(x => x.Route).ToList()
            : routes.OrderBy(x => x.Route.SourcePrefix?.Length is int length ? -length : 0).ThenBy(x => x.Route.RouteMetric).ThenBy(x => x.Position).Select(x => x.Route).ToList();

    private static List<NetRouteRule> DefaultRules(IPAddressFamily family)
    {
        var defaults = new List<NetRouteRule>
        {
            new() { AddressFamily = family, Priority = 0, Table = RouteTables.Local },
            new() { AddressFamily = family, Priority = 32766, Table = RouteTables.Main },
        };
        if (family == IPAddressFamily.IPv4)
        {
            defaults.Add(new NetRouteRule { AddressFamily = family, Priority = 32767, Table = RouteTables.Default });
        }

        return defaults;
    }

    private static bool IsDefaultRuleSet(List<NetRouteRule> ordered)
    {
        var expected = new[] { (0u, RouteTables.Local), (32766u, RouteTables.Main), (32767u, RouteTables.Default) };
        return ordered.Count == expected.Length
            && ordered.Zip(expected, (rule, want) => rule.Priority == want.Item1 && rule.Table == want.Item2 && IsPlainLookup(rule)).All(ok => ok);
    }

    private static bool IsPlainLookup(NetRouteRule rule) =>
        rule.Action == RuleAction.Lookup && rule.From is null && rule.To is null && !rule.Not && rule.FwMark is null
        && rule.IncomingInterface is null && rule.OutgoingInterface is null && rule.SuppressPrefixLength is null
        && rule.UidRange is null && rule.Tos == 0 && rule.Dscp is null && rule.TunnelId is null && !rule.L3MasterDevice
        && (rule.IPProtocol ?? 0) == 0 && rule.SourcePortRange is null && rule.DestinationPortRange is null;

    private static string DescribeQuery(RouteQuery query)
    {
        var parts = new List<string> { "to " + query.Destination };
        if (query.Source is not null)
        {
            parts.Add("from " + query.Source);
        }

        if (query.OutputInterfaceIndex is int oif)
        {
            parts.Add("oif " + oif);
        }

        if (query.Mark != 0)
        {
            parts.Add($"mark 0x{query.Mark:x}");
        }

        if (query.Tos != 0)
        {
            parts.Add($"tos 0x{query.Tos:x2}");
        }

        if (query.IPProtocol != 0)
        {
            parts.Add("ipproto " + IprouteNames.IPProtocol(query.IPProtocol));
        }

        if (query.SourcePort != 0)
        {
            parts.Add("sport " + query.SourcePort);
        }

        if (query.DestinationPort != 0)
        {
            parts.Add("dport " + query.DestinationPort);
        }

        return string.Join(" ", parts);
    }

    /// <summary>
    /// The routes of one prefix in one table, in the order the kernel tries them: for IPv4 the higher table
    /// id first (which matters while local and main are merged), then type of service, metric, first added.
    /// </summary>
    private sealed class RouteGroup
    {
        public RouteGroup(IPPrefix prefix, List<NetRouteInfo> routes)
        {
            Prefix = prefix;
            Routes = routes;
        }

        public IPPrefix Prefix { get; }

        public List<NetRouteInfo> Routes { get; }
    }

    private struct TableOutcome
    {
        public (NetRouteInfo Route, IReadOnlyList<NetRouteNextHop> Paths)? Found;
        public RouteError Error;
        public NetRouteInfo? Refusing;
        public bool Thrown;

        /// <summary>The lookup ends here: a route, a refusal, or a throw to the next rule.</summary>
        public bool Decided => Found is not null || Error != RouteError.None || Thrown;
    }
}

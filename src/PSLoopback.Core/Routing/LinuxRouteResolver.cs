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
public sealed partial class LinuxRouteResolver : IRouteResolver
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
        IndexNeighboursAndNextHops();
        foreach (var route in snapshot.Routes)
        {
            hops[route] = route.NextHops.Count > 0
                ? route.NextHops
                : new[] { new NetRouteNextHop { NextHop = route.NextHop, InterfaceIndex = route.InterfaceIndex, InterfaceAlias = route.InterfaceAlias, Flags = route.Flags, NextHopId = SingleNextHopId(route) } };
        }

        IndexRoutesByLeafNextHop();

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

        if (!AcceptsVrf(work))
        {
            return work.Finish(snapshot);
        }

        if (query.InputInterfaceIndex is int input)
        {
            ResolveInput(work, input);
        }
        else if (query.Destination.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            ResolveIPv4(work);
        }
        else
        {
            ResolveIPv6(work);
        }

        AnswerFromCache(work);
        NameRoutesSharingNextHop(work);
        return work.Finish(snapshot);
    }

    private void ResolveIPv4(DecisionWork work)
    {
        var query = work.Query;
        var destination = query.Destination;
        // A source of 0.0.0.0 is no source (the kernel reads saddr 0 as unset); the rest of 0.0.0.0/8 is an
        // address like any other since Linux 5.3 (ipv4_is_zeronet tests 0.0.0.0 alone).
        var source = query.Source is IPAddress given && given.Equals(IPAddress.Any) ? null : query.Source;
        NetInterfaceInfo? oif = null;

        if (source is not null)
        {
            if (AddressClass.IsMulticast(source) || AddressClass.IsLimitedBroadcast(source))
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

            if (AskedOutputInterface(query) is null && (AddressClass.IsMulticast(destination) || AddressClass.IsLimitedBroadcast(destination)))
            {
                MakeRoute(work, null, RouteType.Unicast, owner, IPAddress.Any, source,
                    () => $"a {(AddressClass.IsMulticast(destination) ? "multicast" : "broadcast")} from {source} leaves by {owner.Name}, the interface that owns that address; no table is asked");
                return;
            }
        }

        if (AskedOutputInterface(query) is int oifIndex)
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
            if (oif is not null && AssumesOnLinkAfterFailure(query))
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
            var through = LocalIPv4Device(route);
            MakeRoute(work, route, RouteType.Local, through, IPAddress.Any, source,
                () => $"{destination} is an address of this host ({route.DestinationPrefix} is a local route in table {route.TableName}): the packet goes through {LoopbackText(through)}");
            return;
        }

        var sources = paths.Select(p => source ?? route.PreferredSource ?? SelectIPv4Source(p.InterfaceIndex, p.IsOnLink ? null : p.NextHop, IPv4SourceScope(route, p))).ToList();

        // A gateway that is one of this host's addresses resolves to host scope, and Linux sends on-link
        // instead (rt_set_nexthop uses only link-scope gateways).
        var hops = paths.Select(p => p.IsOnLink || localIPv4.Contains(p.NextHop) ? IPAddress.Any : p.NextHop).ToList();
        work.Decision.Paths = paths.Select((p, i) => new RoutePath(hops[i], p.InterfaceIndex, p.InterfaceAlias ?? snapshot.FindInterface(p.InterfaceIndex)?.Name, sources[i], p.Weight) { NextHopId = p.NextHopId }).ToArray();
        var pick = work.DefaultTakenByLastChoice
            ? new PathPick(Enumerable.Range(0, paths.Count).ToList(), RoutePathChoice.TableLastChoice,
                "the kernel takes turns among these default routes by the table's last choice (fa_default), which no dump shows; the first is the one a table that has chosen none yet takes")
            : PickIPv4Path(work, route, paths);
        Record(work, route, pick);
        var chosen = paths[pick.Candidates[0]];
        var headline = work.Decision.Paths[0];
        var device = snapshot.FindInterface(chosen.InterfaceIndex);

        // A multipath route is on-link or through a gateway path by path.
        string Why() => $"longest match {route.DestinationPrefix} in table {route.TableName}"
            + (AddressClass.IsUnspecified(headline.NextHop) ? $", on the link of {device?.Name ?? chosen.InterfaceIndex.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : $", via {headline.NextHop}")
            + (pick.Why.Length > 0 ? "; " + pick.Why : string.Empty);
        MakeRoute(work, route, route.RouteType, device, headline.NextHop, headline.SourceAddress, Why, chosen.InterfaceIndex);
        if (source is null && route.PreferredSource is null)
        {
            NoteNextHopSourceScope(work, route, chosen, headline.SourceAddress);
        }
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
        if (AskedOutputInterface(query) is int oifIndex && snapshot.FindInterface(oifIndex) is null)
        {
            work.Refuse(RouteError.NoSuchDevice, $"there is no interface with index {oifIndex}.");
            return;
        }

        if (!TryLookUpIPv6LinkScopeInVrf(work, out var found))
        {
            found = LookUp(work, IPAddressFamily.IPv6);
        }

        if (found is null)
        {
            if (work.Decision.Error == RouteError.None)
            {
                work.Refuse(RouteError.NetworkUnreachable, "no route matches: Network is unreachable.");
            }

            return;
        }

        var (route, paths) = found.Value;
        var sources = paths.Select(p => IPv6Source(query, route, p)).ToList();
        work.Decision.Paths = paths.Select((p, i) => new RoutePath(p.NextHop, p.InterfaceIndex, p.InterfaceAlias ?? snapshot.FindInterface(p.InterfaceIndex)?.Name, sources[i], p.Weight) { NextHopId = p.NextHopId }).ToArray();

        // Local and anycast routes name the interface that has the address, but the packet loops back.
        if (route.RouteType is RouteType.Local or RouteType.Anycast)
        {
            var through = LocalIPv6Device(route);
            Finish(work, route, route.RouteType, through, IPAddress.IPv6Any, sources[0],
                () => $"{destination} is an address of this host ({route.DestinationPrefix} is a {route.RouteType.ToString().ToLowerInvariant()} route in table {route.TableName}): the packet goes through {LoopbackText(through)}");
            return;
        }

        var pick = PickIPv6Path(work, route, paths);
        Record(work, route, pick);
        var chosen = paths[pick.Candidates[0]];
        var routeDevice = snapshot.FindInterface(chosen.InterfaceIndex);
        string Why() => $"longest match {route.DestinationPrefix} in table {route.TableName}"
            + (chosen.IsOnLink ? $", on the link of {routeDevice?.Name}" : $", via {chosen.NextHop}")
            + (pick.Why.Length > 0 ? "; " + pick.Why : string.Empty);
        Finish(work, route, route.RouteType, routeDevice, chosen.NextHop, work.Decision.Paths[0].SourceAddress, Why, chosen.InterfaceIndex);
    }

    private static string DescribeQuery(RouteQuery query)
    {
        var parts = new List<string> { "to " + query.Destination };
        if (query.Source is not null)
        {
            parts.Add("from " + query.Source);
        }

        if (query.InputInterfaceIndex is int iif)
        {
            parts.Add("iif " + iif);
        }

        if (query.OutputInterfaceIndex is int oif)
        {
            parts.Add("oif " + oif);
        }

        if (query.VrfInterfaceIndex is int vrf)
        {
            parts.Add("vrf " + vrf);
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
}

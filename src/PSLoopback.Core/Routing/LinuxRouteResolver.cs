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
/// ask as often as needed; each table is a <see cref="PrefixTable{T}"/>, so a lookup does not scan. Do not change
/// the snapshot's routes afterwards: the resolver keeps what it worked out from them, and a decision reads its
/// route's gateway only when asked.
/// </summary>
public sealed partial class LinuxRouteResolver : IRouteResolver
{
    private static readonly IPAddress Loopback4 = IPAddress.Loopback;

    private readonly RouteSnapshot snapshot;

    // Keyed by TableKey; each prefix's value is its only route, or its routes in the kernel's order (RouteGroup).
    private readonly Dictionary<ulong, PrefixTable<object>> tables = new();
    private readonly List<NetRouteRule> rulesIPv4;
    private readonly List<NetRouteRule> rulesIPv6;
    // Each IPv4 address of the host and the first interface that has it.
    private readonly Dictionary<IPAddress, NetInterfaceInfo> localIPv4 = new();
    private readonly Dictionary<string, NetInterfaceInfo> interfacesByName = new();
    private readonly NetInterfaceInfo? loopback;

    // The first interface of each index, as RouteSnapshot.FindInterface(index) answers, without its dictionary
    // lookup: a decision asks for interfaces by index several times. Empty when an index is too large to array.
    private readonly NetInterfaceInfo?[] interfacesByIndex;

    // With only the default IPv4 rules, Linux keeps the local table merged into main and looks the two up
    // as one (fib_unmerge splits them when the first custom rule is added): longest prefix across both.
    private readonly bool mergedIPv4LocalAndMain;

    // The main tables, or null for a family without routes there: nearly every lookup asks one (TableOf).
    private readonly PrefixTable<object>? mainIPv4;
    private readonly PrefixTable<object>? mainIPv6;

    public LinuxRouteResolver(RouteSnapshot snapshot)
    {
        this.snapshot = snapshot ?? throw new ArgumentNullException(nameof(snapshot));
        interfacesByIndex = IndexInterfaces(snapshot.Interfaces);
        foreach (var device in snapshot.Interfaces)
        {
            if (loopback is null && device.IsLoopback)
            {
                loopback = device;
            }

            // The first of a name, as RouteSnapshot.FindInterface(name) answers.
            if (!interfacesByName.ContainsKey(device.Name))
            {
                interfacesByName.Add(device.Name, device);
            }

            foreach (var address in device.Addresses)
            {
                if (address.AddressFamily == IPAddressFamily.IPv4 && !localIPv4.ContainsKey(address.IPAddress))
                {
                    localIPv4.Add(address.IPAddress, device);
                }
            }
        }

        rulesIPv4 = OrderedRules(IPAddressFamily.IPv4);
        rulesIPv6 = OrderedRules(IPAddressFamily.IPv6);
        mergedIPv4LocalAndMain = IsDefaultRuleSet(rulesIPv4);
        IndexNeighboursAndNextHops();
        IndexRoutesByLeafNextHop();
        BuildTables();
        mainIPv4 = tables.TryGetValue(TableKey(IPAddressFamily.IPv4, RouteTables.Main), out var main4) ? main4 : null;
        mainIPv6 = tables.TryGetValue(TableKey(IPAddressFamily.IPv6, RouteTables.Main), out var main6) ? main6 : null;
        BuildOneStepAnswers();
    }

    public RouteSnapshot Snapshot => snapshot;

    private const int MostArrayedIndex = 1 << 16;

    private static NetInterfaceInfo?[] IndexInterfaces(IReadOnlyList<NetInterfaceInfo> interfaces)
    {
        var largest = -1;
        foreach (var device in interfaces)
        {
            if (device.InterfaceIndex < 0 || device.InterfaceIndex >= MostArrayedIndex)
            {
                return Array.Empty<NetInterfaceInfo?>();
            }

            largest = Math.Max(largest, device.InterfaceIndex);
        }

        var byIndex = new NetInterfaceInfo?[largest + 1];
        foreach (var device in interfaces)
        {
            byIndex[device.InterfaceIndex] ??= device;
        }

        return byIndex;
    }

    /// <summary>The interface of an index, as <see cref="RouteSnapshot.FindInterface(int)"/> answers.</summary>
    private NetInterfaceInfo? Device(int index)
    {
        if ((uint)index < (uint)interfacesByIndex.Length)
        {
            return interfacesByIndex[index];
        }

        return interfacesByIndex.Length == 0 && snapshot.Interfaces.Count > 0 ? snapshot.FindInterface(index) : null;
    }

    /// <param name="explain">Also record every step in <see cref="RouteDecision.Trace"/> (slower).</param>
    public RouteDecision Resolve(RouteQuery query, bool explain = false)
    {
        if (query is null)
        {
            throw new ArgumentNullException(nameof(query));
        }

        if (TryOneStep(query, explain) is RouteDecision oneStep)
        {
            return oneStep;
        }

        var work = DecisionWork.Rent(query, explain);
        try
        {
            Decide(work);
            var decision = work.Decision;
            return work.Finish(decision.InterfaceIndex is int index && Device(index)?.IsLoopback == true);
        }
        finally
        {
            work.Return();
        }
    }

    private void Decide(DecisionWork work)
    {
        var query = work.Query;
        if (work.Explaining)
        {
            work.Note(RouteTraceStage.Input, query.Destination.ToString(), DescribeQuery(query));
        }

        if (!AcceptsVrf(work))
        {
            return;
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
                    FromOwner(destination, source, owner));
                return;
            }
        }

        if (AskedOutputInterface(query) is int oifIndex)
        {
            oif = Device(oifIndex);
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
                    WithoutTable(oif));
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
                MakeRoute(work, null, RouteType.Unicast, oif, IPAddress.Any, source, OnLinkAfterFailure(failure, destination, oif));
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
            MakeRoute(work, route, RouteType.Local, through, IPAddress.Any, source, DecisionReason.ThisHost(LoopbackText(through)));
            return;
        }

        // A gateway that is one of this host's addresses resolves to host scope, and Linux sends on-link
        // instead (rt_set_nexthop uses only link-scope gateways).
        if (paths.Count == 1)
        {
            var only = paths[0];
            work.Decision.SetOnlyPath(IPv4NextHop(only), only.InterfaceIndex, only.InterfaceAlias ?? Device(only.InterfaceIndex)?.Name, IPv4PathSource(source, route, only), only.Weight, HopId(only));
        }
        else
        {
            var all = new RoutePath[paths.Count];
            for (var i = 0; i < all.Length; i++)
            {
                var p = paths[i];
                all[i] = new RoutePath(IPv4NextHop(p), p.InterfaceIndex, p.InterfaceAlias ?? Device(p.InterfaceIndex)?.Name, IPv4PathSource(source, route, p), p.Weight) { NextHopId = HopId(p) };
            }

            work.Decision.Paths = all;
        }

        var pick = work.DefaultTakenByLastChoice
            ? PathPick.All(RoutePathChoice.TableLastChoice,
                "the kernel takes turns among these default routes by the table's last choice (fa_default), which no dump shows; the first is the one a table that has chosen none yet takes")
            : PickIPv4Path(work, route, paths);
        Record(work, route, pick);
        var chosen = paths[pick.First];
        var headlineNextHop = work.Decision.FirstPathNextHop;
        var device = Device(chosen.InterfaceIndex);

        // A multipath route is on-link or through a gateway path by path.
        var why = DecisionReason.LongestMatch(headlineNextHop, IsUnspecified(headlineNextHop) ? DecisionReason.DeviceText(device?.Name, chosen.InterfaceIndex) : null, pick.Why);
        MakeRoute(work, route, route.RouteType, device, headlineNextHop, work.Decision.FirstPathSource, why, chosen.InterfaceIndex);
        if (source is null && route.PreferredSource is null)
        {
            NoteNextHopSourceScope(work, route, chosen, work.Decision.FirstPathSource);
        }
    }

    // The rarer reasons, each made in its own method: a lambda in ResolveIPv4 itself would capture its locals, and the
    // compiler would then allocate their closure on every call, the common answers included.
    private static DecisionReason FromOwner(IPAddress destination, IPAddress source, NetInterfaceInfo owner) =>
        DecisionReason.Of(() => $"a {(AddressClass.IsMulticast(destination) ? "multicast" : "broadcast")} from {source} leaves by {owner.Name}, the interface that owns that address; no table is asked");

    private static DecisionReason WithoutTable(NetInterfaceInfo oif) =>
        DecisionReason.Of(() => $"link-local multicast and broadcast go out the interface asked for, {oif.Name}, without a table");

    private static DecisionReason OnLinkAfterFailure(string failure, IPAddress destination, NetInterfaceInfo oif) =>
        DecisionReason.Of(() => $"{failure}, so {destination} is taken to be on the link of {oif.Name}, the interface asked for");

    /// <summary>The next hop an IPv4 path shows: on-link for a gateway that is this host's own address.</summary>
    private IPAddress IPv4NextHop(Hop path) => path.IsOnLink || localIPv4.ContainsKey(path.NextHop) ? IPAddress.Any : path.NextHop;

    private IPAddress? IPv4PathSource(IPAddress? source, NetRouteInfo route, Hop path) =>
        source ?? route.PreferredSource ?? SelectIPv4Source(path.InterfaceIndex, path.IsOnLink ? null : path.NextHop, IPv4SourceScope(route, path));

    /// <summary>
    /// The interface that owns a local IPv4 address (__ip_dev_find), or null when the host may not send from
    /// it: the interface that has the address, else the one of the local-table route that makes it local
    /// (ip route add local 198.18.0.0/16 dev lo makes every address in it this host's, on lo).
    /// </summary>
    private NetInterfaceInfo? FindLocalIPv4Owner(IPAddress address)
    {
        // Only an IPv4 address equals an IPv4 source, so the first interface with it is the one kept.
        if (localIPv4.TryGetValue(address, out var owner))
        {
            return owner;
        }

        var localTable = mergedIPv4LocalAndMain ? RouteTables.Main : RouteTables.Local;
        if (!tables.TryGetValue(TableKey(IPAddressFamily.IPv4, localTable), out var table))
        {
            return null;
        }

        for (var node = table.FindNode((ulong)AddressClass.ToUInt32(address) << 32, 0); node != 0; node = table.CoveringOf(node))
        {
            var group = new RouteGroup(table.ValueAt(node)!);
            for (var r = 0; r < group.Count; r++)
            {
                var local = group[r];
                if (local.Tos == 0)
                {
                    return local.RouteType == RouteType.Local ? Device(local.InterfaceIndex) : null;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The type Linux gives an output route (__mkroute_output). Linux 6.18 answers a route query for a
    /// loopback or 0.0.0.0/8 destination through any interface, so neither is refused here.
    /// </summary>
    private void MakeRoute(DecisionWork work, NetRouteInfo? route, RouteType type, NetInterfaceInfo? device, IPAddress nextHop, IPAddress? source, DecisionReason why, int? interfaceIndex = null)
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

        if (SendsOnTheLink(type, route)
            && (!AddressClass.IsUnspecified(nextHop) || work.Decision.Paths.Any(p => !AddressClass.IsUnspecified(p.NextHop))))
        {
            nextHop = IPAddress.Any;
            why = OnTheLink(why, work.Decision, type);
            work.Decision.Paths = work.Decision.Paths
                .Select(p => new RoutePath(IPAddress.Any, p.InterfaceIndex, p.InterfaceAlias, p.SourceAddress, p.Weight))
                .ToArray();
        }

        Finish(work, route, type, device, nextHop, source, why, interfaceIndex);
    }

    /// <summary>
    /// Whether a packet of this type goes on the link without a gateway, whichever path the flow hashes to: a broadcast,
    /// or a multicast that matched only a route shorter than 224.0.0.0/4 (the default route, say).
    /// </summary>
    private static bool SendsOnTheLink(RouteType type, NetRouteInfo? route) =>
        type == RouteType.Broadcast || (type == RouteType.Multicast && (route is null || route.DestinationPrefix.Length < 4));

    private static DecisionReason OnTheLink(DecisionReason routed, RouteDecision decision, RouteType type) =>
        DecisionReason.Of(() => routed.Write(decision) + "; " + OnTheLinkClause(type));

    /// <summary>What the reason of an answer sent on the link adds (the one step's too).</summary>
    private static string OnTheLinkClause(RouteType type) => $"a {type.ToString().ToLowerInvariant()} is sent on the link, without the route's gateway";

    /// <summary>For the rarer answers, whose reason is written by a function when first read.</summary>
    private static void Finish(DecisionWork work, NetRouteInfo? route, RouteType type, NetInterfaceInfo? device, IPAddress nextHop, IPAddress? source, Func<string> why, int? interfaceIndex = null) =>
        Finish(work, route, type, device, nextHop, source, DecisionReason.Of(why), interfaceIndex);

    private static void Finish(DecisionWork work, NetRouteInfo? route, RouteType type, NetInterfaceInfo? device, IPAddress nextHop, IPAddress? source, in DecisionReason why, int? interfaceIndex = null)
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
        decision.SetReason(in why);
        if (work.Explaining)
        {
            work.Note(RouteTraceStage.Source, source?.ToString() ?? "(none)", source is null ? "no address can be the source" : "the packet's source address");
        }
    }

    private void ResolveIPv6(DecisionWork work)
    {
        var query = work.Query;
        var destination = query.Destination;
        if (AskedOutputInterface(query) is int oifIndex && Device(oifIndex) is null)
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
        if (paths.Count == 1)
        {
            var only = paths[0];
            work.Decision.SetOnlyPath(only.NextHop, only.InterfaceIndex, only.InterfaceAlias ?? Device(only.InterfaceIndex)?.Name, IPv6Source(work, route, only), only.Weight, HopId(only));
        }
        else
        {
            var all = new RoutePath[paths.Count];
            for (var i = 0; i < all.Length; i++)
            {
                var p = paths[i];
                all[i] = new RoutePath(p.NextHop, p.InterfaceIndex, p.InterfaceAlias ?? Device(p.InterfaceIndex)?.Name, IPv6Source(work, route, p), p.Weight) { NextHopId = HopId(p) };
            }

            work.Decision.Paths = all;
        }

        // Local and anycast routes name the interface that has the address, but the packet loops back.
        if (route.RouteType is RouteType.Local or RouteType.Anycast)
        {
            var through = LocalIPv6Device(route);
            Finish(work, route, route.RouteType, through, IPAddress.IPv6Any, work.Decision.FirstPathSource, DecisionReason.ThisHost(LoopbackText(through)));
            return;
        }

        var pick = PickIPv6Path(work, route, paths);
        Record(work, route, pick);
        var chosen = paths[pick.First];
        var routeDevice = Device(chosen.InterfaceIndex);
        var why = DecisionReason.LongestMatch(chosen.NextHop, chosen.IsOnLink ? routeDevice?.Name : null, pick.Why);
        Finish(work, route, route.RouteType, routeDevice, chosen.NextHop, work.Decision.FirstPathSource, why, chosen.InterfaceIndex);
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

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;

namespace PSLoopback.Routing;

/// <summary>
/// Answers "where would this host send a packet to X, and why" from a snapshot read on Windows, as the TCP/IP
/// stack of Windows Vista and later decides it and GetBestRoute2 reports it: one table and no rules; the
/// longest matching prefix; of its routes the lowest route metric plus interface metric; routes only on
/// connected interfaces; the strong host model for a given source; then the source address chosen from the
/// chosen interface's addresses. Pure: the snapshot is read, never the OS. Built once per snapshot, with one
/// <see cref="PrefixTable{T}"/> per family, so a lookup does not scan.
/// </summary>
/// <remarks>
/// What each rule rests on: the metric sum, Get-NetRoute's documentation ("the RouteMetric property is added
/// to the InterfaceMetric property") and the unattend Metric setting's ("the overall metric used to determine
/// the preference is the sum of the route metric and the interface metric"); the strong host model and weak
/// host send, "The Cable Guy: Strong and Weak Host Models" (TechNet Magazine, September 2007: strong host by
/// default since Vista, per interface WeakHostSend); an interface asked for and its error, GetBestRoute2's
/// documentation; the source rules, <see cref="WindowsSourceAddressSelector"/>; loopback, RFC 1122 3.2.1.3
/// (127/8 never leaves the host) and the well-known routes Windows keeps on its Loopback Pseudo-Interface.
/// </remarks>
public sealed class WindowsRouteResolver : IRouteResolver
{
    private readonly RouteSnapshot snapshot;
    private readonly PrefixTable<RouteGroup> ipv4;
    private readonly PrefixTable<RouteGroup> ipv6;
    private readonly Dictionary<(int Index, IPAddressFamily Family), Link> links = new();
    private readonly Dictionary<IPAddress, NetInterfaceAddress> ownAddresses = new();
    private readonly Dictionary<IPAddressFamily, List<NetInterfaceAddress>> everyAddress = new()
    {
        [IPAddressFamily.IPv4] = new List<NetInterfaceAddress>(),
        [IPAddressFamily.IPv6] = new List<NetInterfaceAddress>(),
    };

    private readonly NetInterfaceInfo? loopback;

    public WindowsRouteResolver(RouteSnapshot snapshot)
    {
        this.snapshot = snapshot ?? throw new ArgumentNullException(nameof(snapshot));
        loopback = snapshot.Interfaces.FirstOrDefault(i => i.IsLoopback);
        foreach (var device in snapshot.Interfaces)
        {
            foreach (var family in new[] { IPAddressFamily.IPv4, IPAddressFamily.IPv6 })
            {
                links[(device.InterfaceIndex, family)] = new Link(device, family);
            }

            foreach (var address in device.Addresses)
            {
                links[(device.InterfaceIndex, address.AddressFamily)].Addresses.Add(address);
                everyAddress[address.AddressFamily].Add(address);

                // A duplicate address is not the host's: Windows neither uses nor answers for it.
                var plain = Plain(address.IPAddress);
                if (!address.IsDadFailed && !ownAddresses.ContainsKey(plain))
                {
                    ownAddresses[plain] = address;
                }
            }
        }

        ipv4 = Build(IPAddressFamily.IPv4);
        ipv6 = Build(IPAddressFamily.IPv6);
    }

    public RouteSnapshot Snapshot => snapshot;

    /// <param name="explain">Also record every step in <see cref="RouteDecision.Trace"/> (slower).</param>
    public RouteDecision Resolve(RouteQuery query, bool explain = false)
    {
        if (query is null)
        {
            throw new ArgumentNullException(nameof(query));
        }

        var work = DecisionWork.Rent(query, explain);
        try
        {
            if (work.Explaining)
            {
                work.Note(RouteTraceStage.Input, query.Destination.ToString(), DescribeQuery(query));
            }

            Decide(work);
            return work.Finish(snapshot);
        }
        finally
        {
            work.Return();
        }
    }

    private void Decide(DecisionWork work)
    {
        var query = work.Query;
        var destination = Plain(query.Destination);
        var family = Family.Of(destination);

        // The interface owning a given source, which strong host send binds the lookup to; null when none was given or none is known.
        NetInterfaceInfo? sourceOwner = null;
        if (query.Source is IPAddress given && !CheckSource(work, given, family, out sourceOwner))
        {
            return;
        }

        NetInterfaceInfo? oif = null;
        if (query.OutputInterfaceIndex is int oifIndex)
        {
            oif = snapshot.FindInterface(oifIndex);
            if (oif is null)
            {
                work.Refuse(RouteError.NoSuchDevice, $"there is no interface with index {oifIndex} (GetBestRoute2 answers ERROR_FILE_NOT_FOUND).");
                return;
            }
        }

        if (AddressClass.IsLoopback(destination))
        {
            AnswerLoopback(work, destination, family, oif);
            return;
        }

        // The host's own address is delivered inside the host from whichever of its addresses the packet
        // comes; asked for another interface, GetBestRoute2 looks only at that interface's routes.
        if (ownAddresses.TryGetValue(destination, out var own) && (oif is null || oif.InterfaceIndex == own.InterfaceIndex))
        {
            AnswerOwnAddress(work, destination, family, own);
            return;
        }

        AnswerRouted(work, destination, family, oif, sourceOwner);
    }

    /// <summary>A given source must be a unicast address of this host, of the destination's family; its owner is what strong host send binds the lookup to.</summary>
    private bool CheckSource(DecisionWork work, IPAddress source, IPAddressFamily family, out NetInterfaceInfo? owner)
    {
        owner = null;
        if (Family.Of(source) != family)
        {
            work.Refuse(RouteError.InvalidArgument, $"{source} is {Family.Of(source)} and {work.Query.Destination} is {family}: a packet has one family.");
            return false;
        }

        if (AddressClass.IsMulticast(source) || AddressClass.IsLimitedBroadcast(source) || AddressClass.IsUnspecified(source))
        {
            work.Refuse(RouteError.InvalidArgument, $"{source} cannot be the source of a packet.");
            return false;
        }

        owner = OwnerOf(Plain(source));
        if (owner is not null)
        {
            if (work.Explaining)
            {
                work.Note(RouteTraceStage.Source, source.ToString(), $"given; an address of {owner.Name}, so Windows sends it only by {owner.Name} or by an interface that allows weak host send (strong host model)");
            }

            return true;
        }

        if (!snapshot.AddressesKnown)
        {
            if (work.Explaining)
            {
                work.Note(RouteTraceStage.Source, source.ToString(), "given; a table of routes alone does not say which interface owns it, so the strong host model cannot bind the lookup to one");
            }

            return true;
        }

        work.Refuse(RouteError.InvalidArgument, $"{source} is not an address of this host: Windows refuses to bind a socket to it (WSAEADDRNOTAVAIL), so no packet is sent from it.");
        return false;
    }

    /// <summary>The interface that owns a local address; any 127/8 address and ::1 are the loopback interface's.</summary>
    private NetInterfaceInfo? OwnerOf(IPAddress address)
    {
        if (ownAddresses.TryGetValue(address, out var own))
        {
            return snapshot.FindInterface(own.InterfaceIndex);
        }

        return AddressClass.IsLoopback(address) ? loopback : null;
    }

    /// <summary>
    /// 127.0.0.0/8 and ::1 are delivered by the Loopback Pseudo-Interface through routes Windows creates at
    /// boot and does not let anyone delete. A table that lacks them (Wine's IP Helper lists none) still
    /// gets Windows' answer.
    /// </summary>
    private void AnswerLoopback(DecisionWork work, IPAddress destination, IPAddressFamily family, NetInterfaceInfo? oif)
    {
        if (oif is not null && !oif.IsLoopback)
        {
            work.Refuse(RouteError.NetworkUnreachable, $"{destination} is a loopback address, which never leaves the host (RFC 1122), so it cannot be sent by {oif.Name}, the interface asked for.");
            return;
        }

        NetRouteInfo? route = null;
        var table = Table(family);
        var (high, low) = work.DestinationNumbers;
        for (var node = table.FindNode(high, low); node != 0 && route is null; node = table.CoveringOf(node))
        {
            var routes = table.ValueAt(node)!.Routes;
            for (var i = 0; i < routes.Count && route is null; i++)
            {
                if (snapshot.FindInterface(routes[i].InterfaceIndex)?.IsLoopback == true)
                {
                    route = routes[i];
                }
            }
        }

        var device = route is null ? loopback : snapshot.FindInterface(route.InterfaceIndex);
        var block = family == IPAddressFamily.IPv4 ? "127.0.0.0/8" : "::1/128";
        var name = device?.Name ?? "the Loopback Pseudo-Interface";
        if (work.Explaining)
        {
            work.Note(RouteTraceStage.Table, destination.ToString(), route is null
                ? $"is a loopback address; the table does not list the route for {block}, which Windows always has on {name} and which cannot be deleted"
                : $"is a loopback address: {route.DestinationPrefix} on {name} is Windows' well-known loopback route");
        }

        var source = work.Query.Source ?? SelectSource(work, device, family, destination, destination);
        Finish(work, route, RouteType.Local, device, Unspecified(family), source, MetricOf(route, device, family), () => route is null
            ? $"{destination} is a loopback address: Windows delivers it through {name}, by the route for {block} it always has (the table did not list it)"
            : $"{destination} is a loopback address: {route.DestinationPrefix}, Windows' loopback route, delivers it through {name}");
    }

    /// <summary>Windows adds a host route on an address's interface for each of its addresses; the packet stays on the host.</summary>
    private void AnswerOwnAddress(DecisionWork work, IPAddress destination, IPAddressFamily family, NetInterfaceAddress own)
    {
        var device = snapshot.FindInterface(own.InterfaceIndex);
        NetRouteInfo? route = null;
        var host = Table(family).Get(new IPPrefix(destination, family == IPAddressFamily.IPv4 ? 32 : 128));
        for (var i = 0; host is not null && i < host.Routes.Count && route is null; i++)
        {
            if (host.Routes[i].InterfaceIndex == own.InterfaceIndex)
            {
                route = host.Routes[i];
            }
        }
        if (work.Explaining)
        {
            work.Note(RouteTraceStage.Table, destination.ToString(), route is null
                ? $"is an address of {device?.Name}; the table does not list the host route Windows adds for it"
                : $"is an address of {device?.Name}: {route.DestinationPrefix} is its host route");
        }

        var source = work.Query.Source ?? destination;
        Finish(work, route, RouteType.Local, device, Unspecified(family), source, MetricOf(route, device, family),
            () => $"{destination} is an address of this host, on {device?.Name}: the packet stays on the host");
    }

    private void AnswerRouted(DecisionWork work, IPAddress destination, IPAddressFamily family, NetInterfaceInfo? oif, NetInterfaceInfo? owner)
    {
        var table = Table(family);
        var (high, low) = work.DestinationNumbers;
        var source = work.Query.Source;
        var matched = 0;
        var skippedPrefixes = 0;
        for (var node = table.FindNode(high, low); node != 0; node = table.CoveringOf(node))
        {
            var group = table.ValueAt(node)!;
            var routes = group.Routes;
            matched += routes.Count;
            var marks = RouteMarks.For(routes.Count);
            var usable = 0;
            for (var i = 0; i < routes.Count; i++)
            {
                marks.Usable[i] = Exclude(routes[i], family, oif, owner) == Exclusion.None;
                usable += marks.Usable[i] ? 1 : 0;
            }

            if (work.Explaining)
            {
                work.Note(RouteTraceStage.Table, group.Prefix.ToString(), usable == 0
                    ? $"matches, but none of its {Count(routes.Count, "route")} can be used: on to shorter prefixes"
                    : $"the longest matching prefix{(skippedPrefixes > 0 ? " with a usable route" : string.Empty)}: {Count(usable, "usable route")} of {routes.Count}");
                for (var i = 0; i < routes.Count; i++)
                {
                    if (WhyExcluded(routes[i], family, oif, owner, source) is string why)
                    {
                        work.Note(RouteTraceStage.Route, Describe(routes[i]), "not used: " + why);
                    }
                }
            }

            if (usable == 0)
            {
                skippedPrefixes++;
                continue;
            }

            Choose(work, destination, family, group, marks, usable, skippedPrefixes > 0, oif, owner);
            return;
        }

        if (matched == 0)
        {
            work.Refuse(RouteError.NetworkUnreachable, $"no route matches {destination}: Network is unreachable.");
            return;
        }

        // Every matching route was excluded: the first three distinct reasons, longest prefix first, as they were met.
        var reasons = new List<string>(3);
        for (var node = table.FindNode(high, low); node != 0 && reasons.Count < 3; node = table.CoveringOf(node))
        {
            var routes = table.ValueAt(node)!.Routes;
            for (var i = 0; i < routes.Count && reasons.Count < 3; i++)
            {
                var why = WhyExcluded(routes[i], family, oif, owner, source)!;
                if (!reasons.Contains(why))
                {
                    reasons.Add(why);
                }
            }
        }

        var text = string.Join("; ", reasons);
        work.Refuse(RouteError.NetworkUnreachable, matched == 1
            ? $"the one route matching {destination} cannot be used ({text}): Network is unreachable."
            : $"none of the {matched} routes matching {destination} can be used ({text}): Network is unreachable.");
    }

    /// <summary>Whether a route can carry the packet, and if not which rule excludes it.</summary>
    private Exclusion Exclude(NetRouteInfo route, IPAddressFamily family, NetInterfaceInfo? oif, NetInterfaceInfo? owner)
    {
        if (!links.TryGetValue((route.InterfaceIndex, family), out var link))
        {
            return Exclusion.NoInterface;
        }

        if (link.Down is not null)
        {
            return Exclusion.Down;
        }

        if (oif is not null && route.InterfaceIndex != oif.InterfaceIndex)
        {
            return Exclusion.OtherInterface;
        }

        return owner is not null && route.InterfaceIndex != owner.InterfaceIndex && !link.WeakHostSend
            ? Exclusion.StrongHost
            : Exclusion.None;
    }

    /// <summary>Why a route cannot carry the packet, in words; null when it can. Written only for a trace or a refusal.</summary>
    private string? WhyExcluded(NetRouteInfo route, IPAddressFamily family, NetInterfaceInfo? oif, NetInterfaceInfo? owner, IPAddress? source)
    {
        var exclusion = Exclude(route, family, oif, owner);
        if (exclusion is Exclusion.None or Exclusion.NoInterface)
        {
            return exclusion == Exclusion.None ? null : $"its interface {route.InterfaceIndex} is not in the snapshot";
        }

        var link = links[(route.InterfaceIndex, family)];
        return exclusion switch
        {
            Exclusion.Down => link.Down,
            Exclusion.OtherInterface => $"it leaves by {link.Interface.Name}, not {oif!.Name}, the interface asked for",
            _ => $"{source} is an address of {owner!.Name}, and {link.Interface.Name} does not allow weak host send"
                + (link.HostModelRead ? string.Empty : " (its IP settings were not read: Windows' default, strong host, is assumed)"),
        };
    }

    /// <summary>Of a prefix's usable routes, the lowest route metric plus interface metric; every tie is a path.</summary>
    private void Choose(DecisionWork work, IPAddress destination, IPAddressFamily family, RouteGroup group, RouteMarks marks, int usableCount, bool shorterThanLongest, NetInterfaceInfo? oif, NetInterfaceInfo? owner)
    {
        // With any interface metric unknown (Wine has no GetIpInterfaceTable), sums cannot be formed; the
        // route metrics alone rank, and the answer says so.
        var routes = group.Routes;
        var known = true;
        for (var i = 0; i < routes.Count; i++)
        {
            if (marks.Usable[i])
            {
                marks.Metrics[i] = MetricOf(routes[i], family);
                known &= marks.Metrics[i] is not null;
            }
        }

        var best = ulong.MaxValue;
        for (var i = 0; i < routes.Count; i++)
        {
            if (!marks.Usable[i])
            {
                continue;
            }

            var metric = marks.Metrics[i];
            var cost = Cost(routes[i], metric, known);
            best = Math.Min(best, cost);
            if (work.Explaining)
            {
                work.Note(RouteTraceStage.Route, Describe(routes[i]), known
                    ? $"metric {routes[i].RouteMetric} + interface metric {metric} = {cost}"
                    : $"route metric {routes[i].RouteMetric}; interface metric {metric?.ToString(CultureInfo.InvariantCulture) ?? "not read"}");
            }
        }

        if (!known && usableCount > 1 && work.Explaining)
        {
            work.Note(RouteTraceStage.Route, group.Prefix.ToString(), "not every interface metric was read, so the routes are ranked on their route metrics alone; Windows adds each interface's metric, which could rank them otherwise");
        }

        var tiedCount = 0;
        var chosen = -1;
        for (var i = 0; i < routes.Count; i++)
        {
            if (marks.Usable[i] && Cost(routes[i], marks.Metrics[i], known) == best)
            {
                tiedCount++;
                chosen = chosen < 0 ? i : chosen;
            }
        }

        var decision = work.Decision;
        var route = routes[chosen];
        var device = snapshot.FindInterface(route.InterfaceIndex);
        var nextHop = NextHopOf(route, destination, device, family);
        var alias = device?.Name ?? route.InterfaceAlias;
        var source = work.Query.Source ?? SelectSource(work, device, family, destination, AddressClass.IsUnspecified(nextHop) ? destination : nextHop);
        if (tiedCount == 1)
        {
            decision.SetOnlyPath(nextHop, route.InterfaceIndex, alias, source, 1, null);
        }
        else
        {
            var paths = new RoutePath[tiedCount];
            paths[0] = new RoutePath(nextHop, route.InterfaceIndex, alias, source, 1);
            for (int i = chosen + 1, n = 1; n < tiedCount; i++)
            {
                if (!marks.Usable[i] || Cost(routes[i], marks.Metrics[i], known) != best)
                {
                    continue;
                }

                var other = routes[i];
                var otherDevice = snapshot.FindInterface(other.InterfaceIndex);
                var otherHop = NextHopOf(other, destination, otherDevice, family);
                var otherSource = work.Query.Source ?? SelectSource(work, otherDevice, family, destination, AddressClass.IsUnspecified(otherHop) ? destination : otherHop);
                paths[n++] = new RoutePath(otherHop, other.InterfaceIndex, otherDevice?.Name ?? other.InterfaceAlias, otherSource, 1);
            }

            decision.Paths = paths;
            if (work.Explaining)
            {
                work.Note(RouteTraceStage.Path, group.Prefix.ToString(),
                    $"{tiedCount} routes tie at {(known ? "metric" : "route metric")} {best}: which one Windows uses is its own choice, which it does not document; every one is a path, and the first listed is shown");
            }
        }

        var type = TypeOf(destination, device);
        var chosenMetric = marks.Metrics[chosen];

        // Only the common decision's reason is kept on its prefix: it is the same for every destination that takes it.
        var common = oif is null && owner is null && !shorterThanLongest && type == RouteType.Unicast && source is not null;
        var why = common ? group.CommonReason : null;
        if (why is null)
        {
            why = new RoutedReason(group.Prefix, route, alias, type, known, best, chosenMetric, usableCount, tiedCount, shorterThanLongest, source is null, snapshot.AddressesKnown).Write;
            if (common)
            {
                group.CommonReason = why;
            }
        }

        Finish(work, route, type, device, nextHop, source, chosenMetric, why, route.InterfaceIndex);
    }

    private static ulong Cost(NetRouteInfo route, uint? interfaceMetric, bool known) => route.RouteMetric + (known ? interfaceMetric!.Value : 0UL);

    /// <summary>Multicast and broadcast go on the link: their link-layer address is not the gateway's.</summary>
    private IPAddress NextHopOf(NetRouteInfo route, IPAddress destination, NetInterfaceInfo? device, IPAddressFamily family) =>
        TypeOf(destination, device) is RouteType.Multicast or RouteType.Broadcast ? Unspecified(family) : route.NextHop;

    /// <summary>Broadcast is 255.255.255.255 or the directed broadcast of one of the interface's IPv4 subnets.</summary>
    private RouteType TypeOf(IPAddress destination, NetInterfaceInfo? device)
    {
        if (AddressClass.IsMulticast(destination))
        {
            return RouteType.Multicast;
        }

        if (AddressClass.IsLimitedBroadcast(destination))
        {
            return RouteType.Broadcast;
        }

        if (device is not null && destination.AddressFamily == AddressFamily.InterNetwork)
        {
            var addresses = links[(device.InterfaceIndex, IPAddressFamily.IPv4)].Addresses;
            for (var i = 0; i < addresses.Count; i++)
            {
                if (IsDirectedBroadcast(addresses[i], destination))
                {
                    return RouteType.Broadcast;
                }
            }
        }

        return RouteType.Unicast;
    }

    private static bool IsDirectedBroadcast(NetInterfaceAddress address, IPAddress destination)
    {
        // A /31 or /32 has no broadcast address (RFC 3021).
        if (address.PrefixLength >= 31)
        {
            return false;
        }

        var host = uint.MaxValue >> address.PrefixLength;
        var subnet = AddressClass.ToUInt32(address.IPAddress) & ~host;
        return AddressClass.ToUInt32(destination) == (subnet | host);
    }

    /// <summary>
    /// The source Windows picks: from the outgoing interface's addresses (strong host send), or from every
    /// interface's when that interface allows weak host send, where rule 5 still prefers its own.
    /// </summary>
    private IPAddress? SelectSource(DecisionWork work, NetInterfaceInfo? device, IPAddressFamily family, IPAddress destination, IPAddress nextHop)
    {
        if (!snapshot.AddressesKnown)
        {
            if (work.Explaining)
            {
                work.Note(RouteTraceStage.Source, "(none)", "a table of routes alone does not say which addresses are the host's, so no source can be chosen");
            }

            return null;
        }

        if (device is null)
        {
            if (work.Explaining)
            {
                work.Note(RouteTraceStage.Source, "(none)", "no interface is known to send it, so no source can be chosen");
            }

            return null;
        }

        var link = links[(device.InterfaceIndex, family)];
        var candidates = link.WeakHostSend ? everyAddress[family] : link.Addresses;
        if (work.Explaining)
        {
            work.Note(RouteTraceStage.Source, device.Name, link.WeakHostSend
                ? $"allows weak host send: every interface's {family} addresses are candidates"
                : $"sends by the strong host model: its own {family} addresses are the candidates" + (link.HostModelRead ? string.Empty : " (its IP settings were not read: Windows' default is assumed)"));
        }

        var source = WindowsSourceAddressSelector.Select(candidates, device.InterfaceIndex, destination, nextHop, work.Trace);
        if (source is null && work.Explaining)
        {
            work.Note(RouteTraceStage.Source, "(none)", $"no address of {device.Name} can be the source");
        }

        return source;
    }

    /// <summary>The interface's metric in the family, from its IP settings, else the one the route carries; null when neither was read.</summary>
    private uint? MetricOf(NetRouteInfo? route, NetInterfaceInfo? device, IPAddressFamily family) =>
        (device is null ? null : links[(device.InterfaceIndex, family)].Metric) ?? route?.InterfaceMetric;

    private uint? MetricOf(NetRouteInfo route, IPAddressFamily family) => MetricOf(route, snapshot.FindInterface(route.InterfaceIndex), family);

    private static void Finish(DecisionWork work, NetRouteInfo? route, RouteType type, NetInterfaceInfo? device, IPAddress nextHop, IPAddress? source, uint? interfaceMetric, Func<string> why, int? interfaceIndex = null)
    {
        var decision = work.Decision;
        decision.Route = route;
        decision.RouteType = type;
        decision.Error = RouteError.None;
        decision.InterfaceIndex = device?.InterfaceIndex ?? interfaceIndex;
        decision.InterfaceAlias = device?.Name ?? route?.InterfaceAlias;
        decision.NextHop = nextHop;
        decision.SourceAddress = source;
        decision.InterfaceMetric = interfaceMetric;
        decision.SetReason(why);
    }

    private PrefixTable<RouteGroup> Table(IPAddressFamily family) => family == IPAddressFamily.IPv4 ? ipv4 : ipv6;

    private PrefixTable<RouteGroup> Build(IPAddressFamily family) =>
        PrefixTable<RouteGroup>.Build(family, snapshot.Routes
            .Where(r => r.AddressFamily == family)
            .GroupBy(r => r.DestinationPrefix)
            .Select(g => new KeyValuePair<IPPrefix, RouteGroup>(g.Key, new RouteGroup(g.Key, g.ToList()))));


    private static IPAddress Unspecified(IPAddressFamily family) => family == IPAddressFamily.IPv6 ? IPAddress.IPv6Any : IPAddress.Any;

    /// <summary>The address without an IPv6 scope id, so that fe80::1%3 and fe80::1 are one address of the host.</summary>
    private static IPAddress Plain(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0 ? new IPAddress(address.GetAddressBytes()) : address;

    /// <summary>A route in Windows' words (route print says On-link where Get-NetRoute says 0.0.0.0).</summary>
    private string Describe(NetRouteInfo route)
    {
        var name = snapshot.FindInterface(route.InterfaceIndex)?.Name ?? route.InterfaceAlias ?? route.InterfaceIndex.ToString(CultureInfo.InvariantCulture);
        return $"{route.DestinationPrefix} {(AddressClass.IsUnspecified(route.NextHop) ? "on-link" : "via " + route.NextHop)} on {name}";
    }

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    private static string DescribeQuery(RouteQuery query)
    {
        var text = "to " + query.Destination;
        if (query.Source is not null)
        {
            text += " from " + query.Source;
        }

        if (query.OutputInterfaceIndex is int oif)
        {
            text += " by interface " + oif.ToString(CultureInfo.InvariantCulture);
        }

        return text + "; Windows has one table and no rules, so mark, uid, ports and type of service play no part";
    }

    /// <summary>The routes of one prefix, in the order the snapshot lists them.</summary>
    private sealed class RouteGroup
    {
        public RouteGroup(IPPrefix prefix, List<NetRouteInfo> routes)
        {
            Prefix = prefix;
            Routes = routes;
        }

        public IPPrefix Prefix { get; }

        public List<NetRouteInfo> Routes { get; }

        /// <summary>
        /// The reason of the common decision through this prefix (no interface or owned source asked for, a unicast
        /// destination, a source found, the longest match usable), which depends on nothing else: made once, so
        /// such a decision makes no closure. Parallel decisions may each make one; either is the same text. The cost:
        /// about 144 B kept for each prefix decided through, as long as the resolver lives (bounded by the table).
        /// </summary>
        public Func<string>? CommonReason { get; set; }
    }

    /// <summary>One interface in one family, as the route lookup reads it: whether its routes count, its metric, its host model, its addresses.</summary>
    private sealed class Link
    {
        public Link(NetInterfaceInfo device, IPAddressFamily family)
        {
            Interface = device;
            var settings = device.IPInterface(family);
            HostModelRead = settings is not null;
            Metric = settings?.InterfaceMetric;
            WeakHostSend = settings?.WeakHostSend == true;

            // Connected, where Windows' IP settings were read, says whether the family can use the link; else
            // the operational status does. Unknown is the OS not saying (a table of routes alone, a saved
            // snapshot), so it is taken as usable.
            if (device.AdminStatus == AdminStatus.Down)
            {
                Down = $"{device.Name} is disabled";
            }
            else if (settings is not null)
            {
                Down = settings.Connected ? null : $"{device.Name} is not connected in {family}";
            }
            else if (device.Status is not (InterfaceStatus.Up or InterfaceStatus.Unknown))
            {
                Down = $"{device.Name} is {device.Status}";
            }
        }

        public NetInterfaceInfo Interface { get; }

        /// <summary>Why Windows does not use routes on this interface; null when it does.</summary>
        public string? Down { get; }

        public uint? Metric { get; }

        public bool WeakHostSend { get; }

        /// <summary>Whether the interface's IP settings (GetIpInterfaceTable) were read; else the defaults are assumed.</summary>
        public bool HostModelRead { get; }

        public List<NetInterfaceAddress> Addresses { get; } = new();
    }

    /// <summary>
    /// A prefix's routes while one decision ranks them: which can be used, and their interface metrics. One per
    /// thread, grown to the largest prefix seen, so ranking allocates nothing and asks each route once.
    /// </summary>
    private sealed class RouteMarks
    {
        [ThreadStatic]
        private static RouteMarks? mine;

        private RouteMarks(int size)
        {
            Usable = new bool[size];
            Metrics = new uint?[size];
        }

        public bool[] Usable { get; }

        public uint?[] Metrics { get; }

        public static RouteMarks For(int routes)
        {
            var marks = mine;
            if (marks is null || marks.Usable.Length < routes)
            {
                marks = mine = new RouteMarks(Math.Max(routes, 4));
            }

            return marks;
        }
    }

    /// <summary>Which rule keeps a route from carrying the packet.</summary>
    private enum Exclusion : byte
    {
        None,
        NoInterface,
        Down,
        OtherInterface,
        StrongHost,
    }

    /// <summary>What a routed decision's reason is written from when first read: values only, so it keeps no decision's work alive.</summary>
    private sealed class RoutedReason
    {
        private readonly IPPrefix prefix;
        private readonly NetRouteInfo chosen;
        private readonly string? alias;
        private readonly RouteType type;
        private readonly bool known;
        private readonly ulong best;
        private readonly uint? chosenMetric;
        private readonly int usableCount;
        private readonly int tiedCount;
        private readonly bool shorterThanLongest;
        private readonly bool noSource;
        private readonly bool addressesKnown;

        public RoutedReason(IPPrefix prefix, NetRouteInfo chosen, string? alias, RouteType type, bool known, ulong best, uint? chosenMetric, int usableCount, int tiedCount, bool shorterThanLongest, bool noSource, bool addressesKnown)
        {
            this.prefix = prefix;
            this.chosen = chosen;
            this.alias = alias;
            this.type = type;
            this.known = known;
            this.best = best;
            this.chosenMetric = chosenMetric;
            this.usableCount = usableCount;
            this.tiedCount = tiedCount;
            this.shorterThanLongest = shorterThanLongest;
            this.noSource = noSource;
            this.addressesKnown = addressesKnown;
        }

        public string Write()
        {
            var where = AddressClass.IsUnspecified(chosen.NextHop)
                ? $"on the link of {alias}"
                : $"via {chosen.NextHop} on {alias}";
            var metric = known ? $"{chosen.RouteMetric} + {chosenMetric} = {best}" : chosen.RouteMetric.ToString(CultureInfo.InvariantCulture);
            var text = $"{prefix} is the longest matching prefix{(shorterThanLongest ? " with a usable route" : string.Empty)}";
            text += usableCount == 1
                ? $"; its route goes {where} ({(known ? "metric " : "route metric ")}{metric})"
                : tiedCount > 1
                    ? $"; {tiedCount} of its {usableCount} routes tie at the lowest {(known ? "metric" : "route metric")} ({best}), and Windows chooses among them by its own order: shown, {where}"
                    : $"; of its {usableCount} routes, {where} has the lowest {(known ? "metric" : "route metric")} ({metric})";
            if (!known)
            {
                text += usableCount > 1
                    ? ", though the interface metrics were not read and Windows, which adds them, could rank these routes otherwise"
                    : ", interface metric not read";
            }

            if (type is RouteType.Multicast or RouteType.Broadcast && !AddressClass.IsUnspecified(chosen.NextHop))
            {
                text += $"; a {type.ToString().ToLowerInvariant()} is sent on the link, without the route's gateway";
            }

            if (noSource)
            {
                text += addressesKnown
                    ? $"; no address of {alias} can be the source"
                    : "; the source is unknown, since a table of routes alone does not say the host's addresses";
            }

            return text;
        }
    }
}

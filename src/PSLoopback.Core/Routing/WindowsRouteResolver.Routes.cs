using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;

namespace PSLoopback.Routing;

// The routed decision: the longest matching prefix with a usable route, then the lowest route metric plus interface metric.
public sealed partial class WindowsRouteResolver
{
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

    /// <summary>The interface's metric in the family, from its IP settings, else the one the route carries; null when neither was read.</summary>
    private uint? MetricOf(NetRouteInfo? route, NetInterfaceInfo? device, IPAddressFamily family) =>
        (device is null ? null : links[(device.InterfaceIndex, family)].Metric) ?? route?.InterfaceMetric;

    private uint? MetricOf(NetRouteInfo route, IPAddressFamily family) => MetricOf(route, snapshot.FindInterface(route.InterfaceIndex), family);

    private PrefixTable<RouteGroup> Build(IPAddressFamily family) =>
        PrefixTable<RouteGroup>.Build(family, snapshot.Routes
            .Where(r => r.AddressFamily == family)
            .GroupBy(r => r.DestinationPrefix)
            .Select(g => new KeyValuePair<IPPrefix, RouteGroup>(g.Key, new RouteGroup(g.Key, g.ToList()))));

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
}

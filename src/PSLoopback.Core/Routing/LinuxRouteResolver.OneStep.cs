using System;
using System.Collections.Generic;
using System.Net;
using System.Runtime.CompilerServices;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;

namespace PSLoopback.Routing;

// The common decision in one step. With the kernel's default rules, no exception cache, and a question that names
// only its destination, most answers come from a prefix of one plain route: unicast, one live next hop of its own,
// no type of service, no nexthop object. Everything of such an answer but the destination (and an IPv6 source) is
// fixed when the resolver is built, and most routes share it, so it is kept once as an answer, and each node of the
// main table has its answer's number. The decision then reads the table and that number, not the route object (it
// names its node, and reads the route from the table when asked), the rule walk or the interfaces. An IPv4 multicast
// destination has an answer of its own (the route made multicast, and on the link when the route is shorter than
// 224.0.0.0/4): a uniform address is multicast one time in sixteen, and the full walk costs it several times a
// one-step answer. Any other question, or a prefix of any other route, takes the full walk, which gives the same
// answer (LinuxDecisionConsistencyTests and OneStepDecisionTests compare the two).
public sealed partial class LinuxRouteResolver
{
    // More answers than this are unlikely (an answer is an interface, source and table, not a gateway); routes past it take the full walk.
    private const int MostOneStepAnswers = ushort.MaxValue;

    private OneStepTable? oneStepIPv4;
    private OneStepTable? oneStepIPv6;

    /// <summary>Builds the answers of the main tables, where the rules let a question reach main without conditions.</summary>
    private void BuildOneStepAnswers()
    {
        if (snapshot.Exceptions.Count > 0)
        {
            return;
        }

        // The merged local and main table is the first one an IPv4 lookup asks.
        if (mergedIPv4LocalAndMain && mainIPv4 is not null)
        {
            oneStepIPv4 = OneStepTable.Build(mainIPv4, null, route => OneStepIPv4Answer(route), OneStepIPv4MulticastAnswer);
        }

        // IPv6's default rules look up local, then main: main answers when local has no prefix of the destination.
        if (mainIPv6 is not null && IsDefaultIPv6RuleSet(rulesIPv6))
        {
            var mainRule = rulesIPv6[1];
            oneStepIPv6 = OneStepTable.Build(mainIPv6, TableOf(IPAddressFamily.IPv6, RouteTables.Local), route => OneStepIPv6Answer(route, mainRule), null);
        }
    }

    private static bool IsDefaultIPv6RuleSet(List<NetRouteRule> ordered) =>
        ordered.Count == 2
        && ordered[0].Priority == 0 && ordered[0].Table == RouteTables.Local && IsLookupWithoutSelectors(ordered[0])
        && ordered[1].Priority == 32766 && ordered[1].Table == RouteTables.Main && IsLookupWithoutSelectors(ordered[1]);

    /// <summary>A route of one live next hop of its own, taken as the full walk takes it for any query of a destination alone.</summary>
    private static bool IsOneStepRoute(NetRouteInfo route) =>
        route.RouteType == RouteType.Unicast && route.Tos == 0 && route.NextHopId is null && route.NextHops.Count == 0
        && (route.Flags & RouteFlags.Dead) == 0 && route.SourcePrefix is null;

    /// <summary>ResolveIPv4's answer for a plain route, or null where it depends on more than the route.</summary>
    private OneStepAnswer? OneStepIPv4Answer(NetRouteInfo route)
    {
        if (!IsOneStepRoute(route))
        {
            return null;
        }

        var hop = new Hop(route, -1);
        var shown = IPv4NextHop(hop);
        var source = IPv4PathSource(null, route, hop);
        var device = Device(hop.InterfaceIndex);

        // MakeRoute refuses a loopback source leaving by another interface.
        if (source is not null && AddressClass.IsLoopback(source) && device?.IsLoopback != true)
        {
            return null;
        }

        return Answer(
            route,
            IsUnspecified(shown) ? shown : null,
            source,
            selectsSource: false,
            device,
            IsUnspecified(shown) ? DecisionReason.DeviceText(device?.Name, hop.InterfaceIndex) : null,
            FirstRuleFor(rulesIPv4, route.Table));
    }

    /// <summary>
    /// ResolveIPv4's answer for a multicast destination from a plain route that has a unicast answer, or null for a
    /// route that holds no multicast address: MakeRoute's type for the destination, and its rule for the gateway.
    /// </summary>
    private static OneStepAnswer? OneStepIPv4MulticastAnswer(NetRouteInfo route, OneStepAnswer unicast)
    {
        // The prefix holds a multicast address when it and 224.0.0.0/4 agree on the bits both fix: numbers, since the
        // build asks this of every route and IPPrefix.Contains makes addresses.
        var bothFix = Math.Min(route.DestinationPrefix.Length, 4);
        var holdsMulticast = bothFix == 0 || (AddressClass.ToUInt32(route.DestinationPrefix.Network) ^ 0xE000_0000u) >> (32 - bothFix) == 0;
        return holdsMulticast ? unicast.ForMulticast(SendsOnTheLink(RouteType.Multicast, route)) : null;
    }

    /// <summary>ResolveIPv6's answer for a plain route; the source, which depends on the destination, is chosen per decision.</summary>
    private OneStepAnswer? OneStepIPv6Answer(NetRouteInfo route, NetRouteRule mainRule)
    {
        var hop = new Hop(route, -1);

        // The pass that avoids failed routers would pass over this route.
        if (!IsOneStepRoute(route) || IsFailedRouter(hop))
        {
            return null;
        }

        var device = Device(hop.InterfaceIndex);
        return Answer(route, null, route.PreferredSource, route.PreferredSource is null, device, hop.IsOnLink ? device?.Name : null, mainRule);
    }

    private OneStepAnswer Answer(NetRouteInfo route, IPAddress? nextHop, IPAddress? source, bool selectsSource, NetInterfaceInfo? device, string? reasonDevice, NetRouteRule? rule)
    {
        var index = device?.InterfaceIndex ?? route.InterfaceIndex;
        var exit = Device(index);
        return new OneStepAnswer(
            nextHop,
            route.InterfaceIndex,
            route.InterfaceAlias ?? device?.Name,
            source,
            selectsSource,
            index,
            device?.Name,
            reasonDevice,
            route.Table,
            rule,
            route.Mtu,
            route.Mtu ?? exit?.Mtu,
            exit?.IsLoopback == true);
    }

    /// <summary>The decision for a question of a destination alone from its plain route, or null for the full walk.</summary>
    internal RouteDecision? TryOneStep(RouteQuery query, bool explain)
    {
        if (explain || !IsOfDestinationAlone(query))
        {
            return null;
        }

        // Each family on its own path, as OneStepTableFor and the table's lookup would take it: one branch fewer.
        var destination = query.Destination;
        if (destination.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            var number = AddressClass.ToUInt32(destination);
            if (oneStepIPv4 is not OneStepTable table || !IsOneStepIPv4(number))
            {
                return null;
            }

            var node = table.Table.FindNode(number);
            return table.TryAnswerAt(node, (ulong)number << 32, out var answer) ? answer.Decide(destination, node, answer.Source) : null;
        }

        if (oneStepIPv6 is not OneStepTable table6)
        {
            return null;
        }

        var (high, low) = AddressNumbers.Of(destination);
        if (table6.LocalMatches(high, low))
        {
            return null;
        }

        var node6 = table6.Table.FindNode(high, low);
        return table6.TryAnswerAt(node6, high, out var answer6) ? Decide(destination, answer6, node6, high, low) : null;
    }

    private static bool IsOfDestinationAlone(RouteQuery query) =>
        query.Source is null && query.OutputInterfaceIndex is null && query.InputInterfaceIndex is null && query.VrfInterfaceIndex is null;

    // 0.0.0.0 and the limited broadcast are answered otherwise whatever the route; a multicast destination by its
    // node's multicast answer.
    private static bool IsOneStepIPv4(uint destination) => destination != 0 && destination != uint.MaxValue;

    /// <summary>
    /// The table a question may be answered from in one step, null for the full walk, and its destination as
    /// <see cref="AddressNumbers"/> gives it: all that the lookup needs, so that many questions can be looked up
    /// together (<see cref="TryOneStep"/> takes the same steps).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private OneStepTable? OneStepTableFor(RouteQuery query, out ulong high, out ulong low)
    {
        high = 0;
        low = 0;
        if (!IsOfDestinationAlone(query))
        {
            return null;
        }

        var destination = query.Destination;
        if (destination.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            var number = AddressClass.ToUInt32(destination);
            high = (ulong)number << 32;
            return IsOneStepIPv4(number) ? oneStepIPv4 : null;
        }

        if (oneStepIPv6 is not OneStepTable table)
        {
            return null;
        }

        (high, low) = AddressNumbers.Of(destination);
        return table.LocalMatches(high, low) ? null : table;
    }

    /// <summary>The one-step decision of a destination from its node's answer (an IPv6 source chosen for it).</summary>
    private RouteDecision Decide(IPAddress destination, OneStepShape answer, int node, ulong high, ulong low) =>
        answer.Decide(destination, node, answer.SelectsSource ? SelectIPv6Source(destination, high, low, answer.PathInterfaceIndex) : answer.Source);

    /// <summary>A main table with each node's answer: answer 0 for a node whose prefix is not one plain route.</summary>
    private sealed class OneStepTable
    {
        // A host's local table holds a few prefixes (its addresses, multicast): compared one by one, they cost less
        // than a second table lookup. A larger one is looked up.
        private const int MostComparedLocalPrefixes = 32;

        // Each node's answer number in the low 16 bits and, for IPv4, its multicast answer's in the high 16: one read of
        // 4 bytes a decision (at a million routes 4 MB, which stays in the cache far better than the 16 MB that the
        // route beside it took).
        private readonly uint[] numbers;
        private readonly OneStepShape?[] answers;
        private readonly PrefixTable<object>? local;
        private readonly ulong[] localHigh;
        private readonly ulong[] localLow;
        private readonly ulong[] localMaskHigh;
        private readonly ulong[] localMaskLow;

        private readonly bool ipv4;

        private OneStepTable(PrefixTable<object> table, PrefixTable<object>? local, uint[] numbers, OneStepShape?[] answers)
        {
            Table = table;
            ipv4 = table.Family == IPAddressFamily.IPv4;
            this.numbers = numbers;
            this.answers = answers;
            var compared = local is not null && local.Count <= MostComparedLocalPrefixes ? local.Count : 0;
            this.local = compared == 0 ? local : null;
            localHigh = new ulong[compared];
            localLow = new ulong[compared];
            localMaskHigh = new ulong[compared];
            localMaskLow = new ulong[compared];
            for (var i = 0; i < compared; i++)
            {
                var length = local!.LengthAt(i + 1);
                (localHigh[i], localLow[i]) = AddressNumbers.Of(local.PrefixAt(i + 1).Network);
                localMaskHigh[i] = Bits128.MaskHigh(length);
                localMaskLow[i] = Bits128.MaskLow(length);
            }
        }

        public PrefixTable<object> Table { get; }

        /// <summary>The node of the longest prefix of a destination given as its numbers.</summary>
        public int FindNode(ulong high, ulong low) => ipv4 ? Table.FindNode((uint)(high >> 32)) : Table.FindNode(high, low);

        /// <summary>
        /// The answer of a node for a destination (given as its first number: an IPv4 multicast one has its own), false
        /// for a node whose prefix is not one plain route (and for node 0, none).
        /// </summary>
        public bool TryAnswerAt(int node, ulong high, out OneStepShape answer)
        {
            answer = AnswerOf(AnswerNumberAt(node, high))!;
            return answer is not null;
        }

        /// <summary>The number of a node's answer for a destination (0 for none): read apart from the answer for many questions at once.</summary>
        public int AnswerNumberAt(int node, ulong high)
        {
            var number = numbers[node];
            return (int)(ipv4 && high >> 60 == 0xE ? number >> 16 : number & 0xFFFF);
        }

        public OneStepShape? AnswerOf(int number) => answers[number];

        /// <summary>IPv6: whether the local table, asked first by the default rules, has a prefix of the destination (then the full walk answers).</summary>
        public bool LocalMatches(ulong high, ulong low)
        {
            if (local is not null)
            {
                return local.FindNode(high, low) != 0;
            }

            for (var i = 0; i < localHigh.Length; i++)
            {
                if ((((high ^ localHigh[i]) & localMaskHigh[i]) | ((low ^ localLow[i]) & localMaskLow[i])) == 0)
                {
                    return true;
                }
            }

            return false;
        }

        /// <param name="multicast">A route's answer for a multicast destination from its unicast one, null where it has none.</param>
        public static OneStepTable Build(PrefixTable<object> table, PrefixTable<object>? local, Func<NetRouteInfo, OneStepAnswer?> answer,
            Func<NetRouteInfo, OneStepAnswer, OneStepAnswer?>? multicast)
        {
            var numbers = new uint[table.Count + 1];
            var answers = new List<OneStepShape?> { null };
            var known = new Dictionary<OneStepAnswer, ushort>();

            // The answer's number, 0 (the full walk) past the most answers kept.
            ushort Number(OneStepAnswer made)
            {
                if (!known.TryGetValue(made, out var index) && answers.Count <= MostOneStepAnswers)
                {
                    index = (ushort)answers.Count;
                    known.Add(made, index);
                    answers.Add(new OneStepShape(made, table));
                }

                return index;
            }

            for (var node = 1; node <= table.Count; node++)
            {
                if (table.ValueAt(node) is not NetRouteInfo route || answer(route) is not OneStepAnswer made)
                {
                    continue;
                }

                var index = Number(made);
                if (index != 0)
                {
                    numbers[node] = index | ((uint)(multicast?.Invoke(route, made) is OneStepAnswer forMulticast ? Number(forMulticast) : 0) << 16);
                }
            }

            return new OneStepTable(table, local, numbers, answers.ToArray());
        }
    }

    /// <summary>An answer as its decisions are made: the shape they share, and how their source is found.</summary>
    private sealed class OneStepShape
    {
        private readonly RouteDecision.Shape shape;

        public OneStepShape(OneStepAnswer answer, PrefixTable<object> routes)
        {
            shape = answer.Template().SharedShape(routes);
            PathInterfaceIndex = answer.PathInterfaceIndex;
            Source = answer.Source;
            SelectsSource = answer.SelectsSource;
        }

        public int PathInterfaceIndex { get; }

        /// <summary>The source, unless <see cref="SelectsSource"/>.</summary>
        public IPAddress? Source { get; }

        /// <summary>IPv6 without a preferred source: chosen per destination from the path's interface.</summary>
        public bool SelectsSource { get; }

        /// <summary>The decision for a destination whose route is the table's at <paramref name="node"/>.</summary>
        public RouteDecision Decide(IPAddress destination, int node, IPAddress? source) => new(destination, shape, node, source);
    }

    /// <summary>What a plain route's decision is, but for its destination, route and (IPv6) source; equal answers are kept once.</summary>
    /// <remarks>A struct: the build makes one for every route of the table before it finds the equal one it keeps.</remarks>
    private readonly struct OneStepAnswer : IEquatable<OneStepAnswer>
    {
        private readonly IPAddress? nextHop;
        private readonly string? pathAlias;
        private readonly int interfaceIndex;
        private readonly string? interfaceAlias;
        private readonly string? reasonDevice;
        private readonly uint table;
        private readonly NetRouteRule? rule;
        private readonly int? mtu;
        private readonly int? pathMtu;
        private readonly bool staysOnHost;
        private readonly RouteType routeType;

        // Sent on the link although the route has a gateway, which the reason still names (MakeRoute's OnTheLink).
        private readonly bool onTheLink;

        public OneStepAnswer(IPAddress? nextHop, int pathInterfaceIndex, string? pathAlias, IPAddress? source, bool selectsSource, int interfaceIndex,
            string? interfaceAlias, string? reasonDevice, uint table, NetRouteRule? rule, int? mtu, int? pathMtu, bool staysOnHost)
            : this(nextHop, pathInterfaceIndex, pathAlias, source, selectsSource, interfaceIndex, interfaceAlias, reasonDevice, table, rule, mtu, pathMtu,
                staysOnHost, RouteType.Unicast, onTheLink: false)
        {
        }

        private OneStepAnswer(IPAddress? nextHop, int pathInterfaceIndex, string? pathAlias, IPAddress? source, bool selectsSource, int interfaceIndex,
            string? interfaceAlias, string? reasonDevice, uint table, NetRouteRule? rule, int? mtu, int? pathMtu, bool staysOnHost, RouteType routeType,
            bool onTheLink)
        {
            this.nextHop = nextHop;
            PathInterfaceIndex = pathInterfaceIndex;
            this.pathAlias = pathAlias;
            Source = source;
            SelectsSource = selectsSource;
            this.interfaceIndex = interfaceIndex;
            this.interfaceAlias = interfaceAlias;
            this.reasonDevice = reasonDevice;
            this.table = table;
            this.rule = rule;
            this.mtu = mtu;
            this.pathMtu = pathMtu;
            this.staysOnHost = staysOnHost;
            this.routeType = routeType;
            this.onTheLink = onTheLink;
        }

        public int PathInterfaceIndex { get; }

        /// <summary>The source, unless <see cref="SelectsSource"/>.</summary>
        public IPAddress? Source { get; }

        /// <summary>IPv6 without a preferred source: chosen per destination from the path's interface.</summary>
        public bool SelectsSource { get; }

        /// <summary>
        /// This answer for a multicast destination, as MakeRoute makes it: a multicast route, and with
        /// <paramref name="sendsOnTheLink"/> a gateway route's packet goes on the link (an on-link answer is unchanged).
        /// </summary>
        public OneStepAnswer ForMulticast(bool sendsOnTheLink)
        {
            var onLink = sendsOnTheLink && nextHop is null;
            return new OneStepAnswer(onLink ? IPAddress.Any : nextHop, PathInterfaceIndex, pathAlias, Source, SelectsSource, interfaceIndex, interfaceAlias,
                reasonDevice, table, rule, mtu, pathMtu, staysOnHost, RouteType.Multicast, onLink);
        }

        /// <summary>A decision of this answer for no destination, route or source: what its decisions share.</summary>
        public RouteDecision Template()
        {
            var decision = new RouteDecision(IPAddress.None);

            // The next hop shown: on-link for IPv4 (nextHop kept), else the route's gateway, not read here.
            if (nextHop is null)
            {
                decision.SetOnlyPathThroughRoutesGateway(PathInterfaceIndex, pathAlias, null);
            }
            else
            {
                decision.SetOnlyPath(nextHop, PathInterfaceIndex, pathAlias, null, 1, null);
                decision.NextHop = nextHop;
            }

            decision.PathChoice = RoutePathChoice.Only;
            decision.Rule = rule;
            decision.RouteType = routeType;
            decision.InterfaceIndex = interfaceIndex;
            decision.InterfaceAlias = interfaceAlias;
            decision.Table = table;
            decision.SetReason(onTheLink
                ? DecisionReason.LongestMatch(null, reasonDevice, OnTheLinkClause(routeType))
                : DecisionReason.LongestMatch(nextHop, reasonDevice, string.Empty));
            decision.Mtu = mtu;
            decision.PathMtu = pathMtu;
            decision.StaysOnHost = staysOnHost;
            return decision;
        }

        public bool Equals(OneStepAnswer other) =>
            Equals(nextHop, other.nextHop) && PathInterfaceIndex == other.PathInterfaceIndex && pathAlias == other.pathAlias
            && Equals(Source, other.Source) && SelectsSource == other.SelectsSource && interfaceIndex == other.interfaceIndex
            && interfaceAlias == other.interfaceAlias && reasonDevice == other.reasonDevice && table == other.table
            && ReferenceEquals(rule, other.rule) && mtu == other.mtu && pathMtu == other.pathMtu && staysOnHost == other.staysOnHost
            && routeType == other.routeType && onTheLink == other.onTheLink;

        public override bool Equals(object? obj) => obj is OneStepAnswer other && Equals(other);

        public override int GetHashCode()
        {
            unchecked
            {
                var hash = ((int)table * 31) + (int)routeType;
                hash = (hash * 31) + PathInterfaceIndex;
                hash = (hash * 31) + interfaceIndex;
                hash = (hash * 31) + (Source?.GetHashCode() ?? 0);
                hash = (hash * 31) + (nextHop?.GetHashCode() ?? 0);
                return (hash * 31) + (mtu ?? -1);
            }
        }
    }
}

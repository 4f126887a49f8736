using System;
using System.Collections.Generic;
using System.Net;
using PSLoopback.Addressing;

namespace PSLoopback.Routing;

// What the one step reads, made when the resolver is built: each main-table node's answer number, the answers
// (OneStepShape: the shape their decisions share, and how their source is found), and an answer's fields as worked
// out from its route (OneStepAnswer), equal answers made once.
public sealed partial class LinuxRouteResolver
{
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

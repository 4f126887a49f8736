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
}

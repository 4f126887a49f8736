using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;

namespace PSLoopback.Routing;

// The rule walk (fib_rules_lookup) and each rule's selectors, as the kernel matches them.
public sealed partial class LinuxRouteResolver
{
    /// <summary>
    /// Walks the rules (fib_rules_lookup). Returns the route and its usable paths, or null with the
    /// decision's error set when a rule or route refuses, or with no error when nothing matched.
    /// </summary>
    private (NetRouteInfo Route, HopList Paths)? LookUp(DecisionWork work, IPAddressFamily family)
    {
        if (family == IPAddressFamily.IPv4 && mergedIPv4LocalAndMain)
        {
            if (work.Explaining)
            {
                work.Note(RouteTraceStage.Rule, "default rules", "only the default rules exist, so Linux looks up local and main as one table, then default");
            }

            foreach (var table in MergedTables)
            {
                var outcome = LookUpTable(work, family, table);
                var decisive = outcome.Found?.Route ?? outcome.Refusing;
                if (decisive is not null)
                {
                    work.Decision.Rule = FirstRuleFor(Rules(family), decisive.Table);
                    return Settle(work, outcome, family, decisive.Table);
                }
            }

            return null;
        }

        var ordered = Rules(family);
        for (var i = 0; i < ordered.Count; i++)
        {
            var rule = ordered[i];
            if (!Matches(rule, work.Query, work.Explaining, out var mismatch))
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
                    var target = IndexOfPriority(ordered, i + 1, rule.GotoPriority);
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

            var table = RuleTable(rule, work.Query);
            if (work.Explaining)
            {
                work.Note(RouteTraceStage.Rule, rule.ToString(), $"matches: look up table {RouteTables.Name(table)}");
            }

            var outcome = LookUpTable(work, family, table);
            if (outcome.Error != RouteError.None)
            {
                work.Decision.Rule = rule;
                return Settle(work, outcome, family, table);
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

            if (SuppressedByGroup(work, rule, family, outcome.Found.Value))
            {
                continue;
            }

            work.Decision.Rule = rule;
            return Settle(work, outcome, family, table);
        }

        return null;
    }

    private static (NetRouteInfo Route, HopList Paths)? Settle(DecisionWork work, TableOutcome outcome, IPAddressFamily family, uint table)
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

    /// <param name="explain">Whether the mismatch is written: without the trace, a rule that does not match costs no text.</param>
    private bool Matches(NetRouteRule rule, RouteQuery query, bool explain, out string mismatch)
    {
        var matched = MatchesSelector(rule, query, explain, out mismatch);
        if (rule.Not)
        {
            mismatch = matched ? "its selector matches, and the rule is inverted (not)" : string.Empty;
            return !matched;
        }

        return matched;
    }

    private bool MatchesSelector(NetRouteRule rule, RouteQuery query, bool explain, out string mismatch)
    {
        mismatch = string.Empty;

        // Locally sent packets come in on the loopback device as far as rules are concerned; forwarded ones on
        // the interface they arrived on.
        if (rule.IncomingInterface is string iif
            && (query.InputInterfaceIndex is int input ? !RuleInputInterfaceMatches(InterfaceNamed(iif), input) : InterfaceNamed(iif)?.IsLoopback != true))
        {
            mismatch = !explain ? string.Empty
                : query.InputInterfaceIndex is null
                ? $"iif {iif}: a locally sent packet's incoming interface is the loopback interface"
                : $"iif {iif}: the packet arrived on interface {query.InputInterfaceIndex}";
            return false;
        }

        if (rule.OutgoingInterface is string oifName)
        {
            var index = InterfaceNamed(oifName)?.InterfaceIndex;
            if (index is null || !RuleOutputInterfaceMatches(index.Value, query))
            {
                mismatch = !explain ? string.Empty
                    : query.InputInterfaceIndex is null ? $"oif {oifName} was not asked for" : $"oif {oifName}: a forwarded packet is looked up without an output interface";
                return false;
            }
        }

        var mask = rule.FwMask ?? (rule.FwMark is null ? 0u : uint.MaxValue);
        if ((((rule.FwMark ?? 0) ^ query.Mark) & mask) != 0)
        {
            mismatch = explain ? $"fwmark 0x{query.Mark:x} is not 0x{rule.FwMark ?? 0:x}/0x{mask:x}" : string.Empty;
            return false;
        }

        if (rule.L3MasterDevice && FlowVrf(query) is null)
        {
            mismatch = "l3mdev: the packet is in no VRF";
            return false;
        }

        // An IPv4 input lookup is made for uid 0 whatever the query says (ip_route_input_slow); IPv6 keeps it.
        var uid = query.InputInterfaceIndex is not null && rule.AddressFamily == IPAddressFamily.IPv4 ? 0u : query.Uid;
        if (rule.UidRange is UidRange uids && !uids.Contains(uid))
        {
            mismatch = explain ? $"uid {uid} is not in {uids}" : string.Empty;
            return false;
        }

        if (rule.From is IPPrefix from)
        {
            // IPv4 matches "from" against 0.0.0.0 when no source is given; IPv6 does not match at all then.
            var source = query.Source ?? (rule.AddressFamily == IPAddressFamily.IPv4 ? (IPAddress?)IPAddress.Any : null);
            if (!from.IsDefault && (source is null || !from.Contains(source)))
            {
                mismatch = explain ? $"from {from}: the source is {query.Source?.ToString() ?? "not yet chosen"}" : string.Empty;
                return false;
            }
        }

        if (rule.To is IPPrefix to && !to.Contains(query.Destination))
        {
            mismatch = explain ? $"to {to}" : string.Empty;
            return false;
        }

        // IPv4 compares the rule's tos with the packet's three legacy TOS bits (fib_dscp_masked_match), IPv6
        // with the packet's whole DSCP (fib6_rule_match), so tos 0x10 takes 0x50 over IPv4 and 0x12 over both.
        if (rule.Tos != 0 && (rule.AddressFamily == IPAddressFamily.IPv4 ? rule.Tos != LegacyTos(query.Tos) : rule.Tos >> 2 != query.Tos >> 2))
        {
            mismatch = explain ? $"tos 0x{rule.Tos:x2}" : string.Empty;
            return false;
        }

        // A dscp rule compares the packet's whole DSCP under its mask (fib4_rule_match, fib6_rule_match).
        if (rule.Dscp is byte dscp && ((dscp ^ (query.Tos >> 2)) & (rule.DscpMask ?? FullDscpMask)) != 0)
        {
            mismatch = explain ? $"dscp {dscp}/0x{rule.DscpMask ?? FullDscpMask:x}: the packet's DSCP is {query.Tos >> 2}" : string.Empty;
            return false;
        }

        // Only fib6_rule_match reads the flow label; the kernel refuses one on an IPv4 rule.
        if (rule.AddressFamily == IPAddressFamily.IPv6 && rule.FlowLabel is uint label
            && ((label ^ query.FlowLabel) & (rule.FlowLabelMask ?? FullFlowLabelMask)) != 0)
        {
            mismatch = explain ? $"flowlabel 0x{label:x}/0x{rule.FlowLabelMask ?? FullFlowLabelMask:x}: the packet's is 0x{query.FlowLabel:x}" : string.Empty;
            return false;
        }

        // A locally sent packet carries no tunnel metadata.
        if (rule.TunnelId is ulong tunnel && tunnel != 0)
        {
            mismatch = explain ? $"tun_id {tunnel}: a locally sent packet has no tunnel id" : string.Empty;
            return false;
        }

        if (rule.IPProtocol is byte protocol && protocol != 0 && protocol != FlowProtocol(query))
        {
            mismatch = explain ? $"ipproto {protocol}: the packet's is {FlowProtocol(query)}" : string.Empty;
            return false;
        }

        if (!PortMatches(rule.SourcePortRange, rule.SourcePortMask, query.SourcePort))
        {
            mismatch = explain ? $"sport {rule.SourcePortRange}{MaskText(rule.SourcePortMask)}: the packet's is {query.SourcePort}" : string.Empty;
            return false;
        }

        if (!PortMatches(rule.DestinationPortRange, rule.DestinationPortMask, query.DestinationPort))
        {
            mismatch = explain ? $"dport {rule.DestinationPortRange}{MaskText(rule.DestinationPortMask)}: the packet's is {query.DestinationPort}" : string.Empty;
            return false;
        }

        return true;
    }

    /// <summary>
    /// The TOS bits an IPv4 route or tos rule is compared with (INET_DSCP_LEGACY_TOS_MASK): not the ECN bits, not
    /// the precedence, so a route with tos 0x20 matches no packet, and a packet with tos 0xb8 takes a tos 0x18 route.
    /// </summary>
    private static byte LegacyTos(byte tos) => (byte)(tos & 0x1C);

    private static int IndexOfPriority(List<NetRouteRule> ordered, int start, uint? priority)
    {
        for (var i = start; i < ordered.Count; i++)
        {
            if (ordered[i].Priority == priority)
            {
                return i;
            }
        }

        return -1;
    }

    private static readonly uint[] MergedTables = { RouteTables.Main, RouteTables.Default };

    private List<NetRouteRule> Rules(IPAddressFamily family) => family == IPAddressFamily.IPv4 ? rulesIPv4 : rulesIPv6;

    private static NetRouteRule? FirstRuleFor(List<NetRouteRule> ordered, uint table)
    {
        foreach (var rule in ordered)
        {
            if (rule.Table == table)
            {
                return rule;
            }
        }

        return null;
    }

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
            && ordered.Zip(expected, (rule, want) => rule.Priority == want.Item1 && rule.Table == want.Item2 && IsLookupWithoutSelectors(rule)).All(ok => ok);
    }

    // An IPv4 question without a protocol is a UDP packet to the kernel: inet_rtm_getroute starts its flow from
    // IPPROTO_UDP, so `ip route get` and -Verify ask that; inet6_rtm_getroute starts from 0. A lookup the resolver
    // makes itself (the source check's reverse lookup) carries exactly the protocol it was given.
    private const byte Udp = 17;

    private static byte FlowProtocol(RouteQuery query) =>
        query.IPProtocol == 0 && !query.ProtocolAsGiven && query.Destination.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? Udp : query.IPProtocol;

    private static bool IsLookupWithoutSelectors(NetRouteRule rule) =>
        rule.Action == RuleAction.Lookup && rule.From is null && rule.To is null && !rule.Not && rule.FwMark is null && rule.FwMask is null or 0
        && rule.IncomingInterface is null && rule.OutgoingInterface is null && rule.SuppressPrefixLength is null
        && rule.SuppressInterfaceGroup is null or -1 && rule.FlowLabel is null
        && rule.UidRange is null && rule.Tos == 0 && rule.Dscp is null && rule.TunnelId is null && !rule.L3MasterDevice
        && (rule.IPProtocol ?? 0) == 0 && rule.SourcePortRange is null && rule.DestinationPortRange is null;
}

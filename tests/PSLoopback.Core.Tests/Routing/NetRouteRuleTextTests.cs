using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Core.Tests.Support;
using PSLoopback.Platform.Linux;
using PSLoopback.Platform.Linux.Netlink;
using PSLoopback.Routing;
using static PSLoopback.Core.Tests.Support.RouteBuilder;

namespace PSLoopback.Core.Tests.Routing;

/// <summary>
/// A rule's text is the line `ip rule show` (iproute2 6.1) prints for it; each expected line here is one ip printed
/// for the same rule in a namespace.
/// </summary>
public class NetRouteRuleTextTests
{
    private static readonly Dictionary<string, Func<NetRouteRule>> Cases = new()
    {
        ["0: from all lookup local"] = () => Lookup(0, RouteTables.Local),
        ["100: from 10.0.0.0/8 to 192.0.2.1 lookup 200"] = () => With(Lookup(100, 200), r => { r.From = P("10.0.0.0/8"); r.To = P("192.0.2.1/32"); }),
        ["101: not from 10.1.0.0/16 lookup main"] = () => With(Lookup(101, RouteTables.Main), r => { r.Not = true; r.From = P("10.1.0.0/16"); }),
        ["102: from all fwmark 0x1/0xff lookup 201"] = () => With(Lookup(102, 201), r => { r.FwMark = 1; r.FwMask = 0xFF; }),
        ["103: from all fwmark 0x5 lookup 202"] = () => With(Lookup(103, 202), r => { r.FwMark = 5; r.FwMask = uint.MaxValue; }),
        ["104: from all fwmark 0/0xff lookup 203"] = () => With(Lookup(104, 203), r => r.FwMask = 0xFF),
        ["105: from all uidrange 1000-2000 lookup 204"] = () => With(Lookup(105, 204), r => r.UidRange = new UidRange(1000, 2000)),
        ["106: from all ipproto tcp dport 80 lookup 205"] = () => With(Lookup(106, 205), r => { r.IPProtocol = 6; r.DestinationPortRange = new PortRange(80, 80); }),
        ["107: from all ipproto udp sport 1000-2000 dport 53 lookup 205"] = () => With(Lookup(107, 205), r => { r.IPProtocol = 17; r.SourcePortRange = new PortRange(1000, 2000); r.DestinationPortRange = new PortRange(53, 53); }),
        ["108: from all tos 0x10 lookup 206"] = () => With(Lookup(108, 206), r => r.Tos = 0x10),
        ["101: from all tos AF11 lookup 201"] = () => With(Lookup(101, 201), r => r.Tos = 0x28),
        ["102: from all tos EF lookup 201"] = () => With(Lookup(102, 201), r => r.Tos = 0xB8),
        ["110: from all lookup [l3mdev-table]"] = () => With(Lookup(110, 0), r => r.L3MasterDevice = true),
        ["111: from all lookup main suppress_prefixlength 0"] = () => With(Lookup(111, RouteTables.Main), r => r.SuppressPrefixLength = 0),
        ["112: from all lookup main suppress_ifgroup default"] = () => With(Lookup(112, RouteTables.Main), r => r.SuppressInterfaceGroup = 0),
        ["113: from all lookup main suppress_ifgroup 5"] = () => With(Lookup(113, RouteTables.Main), r => r.SuppressInterfaceGroup = 5),
        ["115: from all goto 999 [unresolved]"] = () => With(Act(115, RuleAction.Goto), r => { r.GotoPriority = 999; r.GotoUnresolved = true; }),
        ["114: from all goto 200"] = () => With(Act(114, RuleAction.Goto), r => r.GotoPriority = 200),
        ["116: from all nop"] = () => Act(116, RuleAction.Nop),
        ["117: from all blackhole"] = () => Act(117, RuleAction.Blackhole),
        ["118: from all unreachable"] = () => Act(118, RuleAction.Unreachable),
        ["119: from all prohibit"] = () => Act(119, RuleAction.Prohibit),
        ["137: from all masquerade"] = () => Act(137, (RuleAction)10),
        ["143: from all anycast"] = () => Act(143, (RuleAction)4),
        ["144: from all throw"] = () => Act(144, (RuleAction)9),
        ["120: from all iif lo oif d0 [detached] lookup 207"] = () => With(Lookup(120, 207), r => { r.IncomingInterface = "lo"; r.OutgoingInterface = "d0"; r.OutgoingInterfaceDetached = true; }),
        ["121: from all iif nosuch [detached] lookup 207"] = () => With(Lookup(121, 207), r => { r.IncomingInterface = "nosuch"; r.IncomingInterfaceDetached = true; }),
        ["123: from all lookup 208 proto static"] = () => With(Lookup(123, 208), r => r.Protocol = RouteProtocol.Static),
        ["124: from all lookup 208"] = () => With(Lookup(124, 208), r => r.Protocol = RouteProtocol.Kernel),
        ["125: from all lookup 208 proto 77"] = () => With(Lookup(125, 208), r => r.Protocol = (RouteProtocol)77),
        ["135: from all lookup 216 proto ra"] = () => With(Lookup(135, 216), r => r.Protocol = RouteProtocol.RouterAdvertisement),
        ["126: from all lookup 209 realms 5"] = () => With(Lookup(126, 209), r => r.Realms = 5),
        ["127: from all lookup 209 realms 3/4"] = () => With(Lookup(127, 209), r => r.Realms = (3u << 16) | 4),
        ["128: from all tun_id 42 lookup 210"] = () => With(Lookup(128, 210), r => r.TunnelId = 42),
        ["130: from all ipproto ipproto-253 lookup 212"] = () => With(Lookup(130, 212), r => r.IPProtocol = 253),
        ["106: from all ipproto ipv6-icmp lookup 204"] = () => With(Lookup(106, 204), r => { r.AddressFamily = IPAddressFamily.IPv6; r.IPProtocol = 58; }),
        ["131: from 10.9.9.9 lookup 213"] = () => With(Lookup(131, 213), r => r.From = P("10.9.9.9/32")),
        ["150: from 10.1.2.3/8 lookup 100"] = () => With(Lookup(150, 100), r => { r.From = P("10.0.0.0/8"); r.FromAddress = IPAddress.Parse("10.1.2.3"); }),
        ["132: from all lookup 4000000000"] = () => Lookup(132, 4000000000),
        ["134: from all lookup 215"] = () => With(Lookup(134, 215), r => r.From = P("0.0.0.0/0")),
        ["104: from ::1 lookup 202"] = () => With(Lookup(104, 202), r => r.From = P("::1/128")),
        ["107: not from all fwmark 0x10/0xf0 iif lo lookup 205"] = () => With(Lookup(107, 205), r => { r.Not = true; r.FwMark = 0x10; r.FwMask = 0xF0; r.IncomingInterface = "lo"; }),
        ["109: from 2001:db8:0:1::/64 to ::ffff:10.0.0.0/104 lookup 207"] = () => With(Lookup(109, 207), r => { r.From = P("2001:db8:0:1::/64"); r.To = P("::ffff:10.0.0.0/104"); }),
        ["160: from all lookup 100 dscp AF11"] = () => With(Lookup(160, 100), r => r.Dscp = 10),
        ["161: from all lookup 100 dscp 3"] = () => With(Lookup(161, 100), r => r.Dscp = 3),

        // The selectors iproute2 6.1 cannot print, as 6.15 and later print them (their commits' examples).
        ["162: from all lookup 400 dscp 0x10/0x30"] = () => With(Lookup(162, 400), r => { r.Dscp = 0x10; r.DscpMask = 0x30; }),
        ["163: from all lookup 300 dscp AF42"] = () => With(Lookup(163, 300), r => { r.Dscp = 36; r.DscpMask = 0x3F; }),
        ["164: from all lookup 100 dscp 0/0x30"] = () => With(Lookup(164, 100), r => { r.Dscp = 0; r.DscpMask = 0x30; }),
        ["165: from all lookup 102 flowlabel 0x12300/0xfff00"] = () => With(Lookup(165, 102), r => { r.AddressFamily = IPAddressFamily.IPv6; r.FlowLabel = 0x12300; r.FlowLabelMask = 0xFFF00; }),
        ["166: from all lookup 103 flowlabel 0x5"] = () => With(Lookup(166, 103), r => { r.AddressFamily = IPAddressFamily.IPv6; r.FlowLabel = 5; r.FlowLabelMask = 0xFFFFF; }),
        ["167: from all lookup 103 dscp 1 flowlabel 0/0xf"] = () => With(Lookup(167, 103), r => { r.AddressFamily = IPAddressFamily.IPv6; r.Dscp = 1; r.FlowLabel = 0; r.FlowLabelMask = 0xF; }),
        ["168: from all sport 0x123/0xfff lookup 400"] = () => With(Lookup(168, 400), r => { r.SourcePortRange = new PortRange(0x123, 0x123); r.SourcePortMask = 0xFFF; }),
        ["169: from all dport 0x4/0xff lookup 500"] = () => With(Lookup(169, 500), r => { r.DestinationPortRange = new PortRange(4, 4); r.DestinationPortMask = 0xFF; }),
        ["170: from all sport 80 dport 1000-2000 lookup 100"] = () => With(Lookup(170, 100), r => { r.SourcePortRange = new PortRange(80, 80); r.SourcePortMask = 0xFFFF; r.DestinationPortRange = new PortRange(1000, 2000); }),
    };

    public static IEnumerable<object[]> Lines => Cases.Keys.Select(line => new object[] { line });

    [Theory]
    [MemberData(nameof(Lines))]
    public void ToStringIsIpRulesLine(string line)
    {
        Assert.Equal(line, Cases[line]().ToString());
    }

    [Fact]
    public void TheKernelsFlagsAndAttributesReachTheText()
    {
        var payloads = new[]
        {
            FibRuleHdr(Rt.AF_INET, action: FR_ACT_GOTO, flags: 0x4).U32(FRA_PRIORITY, 115).U32(FRA_GOTO, 999).ToPayload(),
            FibRuleHdr(Rt.AF_INET, table: 207, flags: 0x8 | 0x10).U32(FRA_PRIORITY, 120).String(FRA_IIFNAME, "nosuch").String(FRA_OIFNAME, "d0").U32(FRA_TABLE, 207).ToPayload(),
            FibRuleHdr(Rt.AF_INET, sourceLength: 8, table: 100).U32(FRA_PRIORITY, 150).Ip(FRA_SRC, "10.1.2.3").U32(FRA_TABLE, 100).ToPayload(),
            FibRuleHdr(Rt.AF_INET, table: 209).U32(FRA_PRIORITY, 127).U32(FRA_FLOW, (3u << 16) | 4).U32(FRA_TABLE, 209).U8(FRA_PROTOCOL, 4).ToPayload(),
            FibRuleHdr(Rt.AF_INET6, table: 210).U32(FRA_PRIORITY, 128).Attribute(FRA_TUN_ID, new byte[] { 0, 0, 0, 0, 0, 0, 0, 42 }).U32(FRA_TABLE, 210).ToPayload(),
            FibRuleHdr(Rt.AF_INET, table: 252).U32(FRA_PRIORITY, 111).U32(FRA_TABLE, 4000000000).U32(FRA_SUPPRESS_PREFIXLEN, 0).U32(FRA_SUPPRESS_IFGROUP, uint.MaxValue).U8(FRA_L3MDEV, 0).ToPayload(),
            FibRuleHdr(Rt.AF_INET).U32(FRA_PRIORITY, 110).U8(FRA_L3MDEV, 1).ToPayload(),
            FibRuleHdr(Rt.AF_INET, table: 100).U32(FRA_PRIORITY, 160).U32(FRA_TABLE, 100).U8(FRA_DSCP, 10).ToPayload(),
        };

        var rules = LinuxRouteBuilder.BuildRules(payloads.Select(RouteParser.ParseRule));

        Assert.Equal(
            new[]
            {
                "115: from all goto 999 [unresolved]",
                "120: from all iif nosuch [detached] oif d0 [detached] lookup 207",
                "150: from 10.1.2.3/8 lookup 100",
                "127: from all lookup 209 realms 3/4 proto static",
                "128: from all tun_id 42 lookup 210",
                "111: from all lookup 4000000000 suppress_prefixlength 0",
                "110: from all lookup [l3mdev-table]",
                "160: from all lookup 100 dscp AF11",
            },
            rules.Select(r => r.ToString()));
        Assert.Equal(P("10.0.0.0/8"), rules[2].From);
    }

    /// <summary>The masks and the flow label travel from the kernel's attributes to the rule and its text.</summary>
    [Fact]
    public void TheNewerAttributesReachTheRule()
    {
        var payloads = new[]
        {
            FibRuleHdr(Rt.AF_INET, table: 101).U32(FRA_PRIORITY, 101).U8(FRA_DSCP, 0x10).U8(FRA_DSCP_MASK, 0x30).ToPayload(),
            FibRuleHdr(Rt.AF_INET6, table: 102).U32(FRA_PRIORITY, 102)
                .Attribute(FRA_FLOWLABEL, new byte[] { 0, 0x01, 0x23, 0 }).Attribute(FRA_FLOWLABEL_MASK, new byte[] { 0, 0x0F, 0xFF, 0 }).ToPayload(),
            FibRuleHdr(Rt.AF_INET, table: 104).U32(FRA_PRIORITY, 104)
                .U16Pair(FRA_SPORT_RANGE, 0x120, 0x120).Attribute(FRA_SPORT_MASK, BitConverter.GetBytes((ushort)0xFFF0))
                .U16Pair(FRA_DPORT_RANGE, 80, 80).Attribute(FRA_DPORT_MASK, BitConverter.GetBytes((ushort)0xFFFF)).ToPayload(),
        };

        var rules = LinuxRouteBuilder.BuildRules(payloads.Select(RouteParser.ParseRule));

        Assert.Equal(
            new[]
            {
                "101: from all lookup 101 dscp 0x10/0x30",
                "102: from all lookup 102 flowlabel 0x12300/0xfff00",
                "104: from all sport 0x120/0xfff0 dport 80 lookup 104",
            },
            rules.Select(r => r.ToString()));
        Assert.Equal(((byte?)0x10, (byte?)0x30), (rules[0].Dscp, rules[0].DscpMask));
        Assert.Equal((0x12300u, 0xFFF00u), (rules[1].FlowLabel!.Value, rules[1].FlowLabelMask!.Value));
        Assert.Equal(((ushort?)0xFFF0, (ushort?)0xFFFF), (rules[2].SourcePortMask, rules[2].DestinationPortMask));
    }

    [Fact]
    public void AnAddressOutsideItsPrefixIsNotShown()
    {
        // A what-if rule whose prefix was edited after it was read: the prefix, not the stale address, is the rule.
        var rule = With(Lookup(150, 100), r => { r.From = P("192.0.2.0/24"); r.FromAddress = IPAddress.Parse("10.1.2.3"); });

        Assert.Equal("150: from 192.0.2.0/24 lookup 100", rule.ToString());
    }

    private static IPPrefix P(string text) => IPPrefix.Parse(text);

    private static NetRouteRule Lookup(uint priority, uint table) =>
        new() { AddressFamily = IPAddressFamily.IPv4, Priority = priority, Table = table };

    private static NetRouteRule Act(uint priority, RuleAction action) =>
        new() { AddressFamily = IPAddressFamily.IPv4, Priority = priority, Action = action };

    private static NetRouteRule With(NetRouteRule rule, Action<NetRouteRule> change)
    {
        change(rule);
        return rule;
    }
}

using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Core.Tests.Support;
using PSLoopback.Routing;

namespace PSLoopback.Core.Tests.Routing;

/// <summary>
/// The rule selectors of newer kernels (the IPv6 flow label, dscp and port masks) and suppress_ifgroup, as
/// fib_rules.c, fib4_rule_match and fib6_rule_match apply them, on hosts whose selector tables lead elsewhere.
/// </summary>
public class LinuxRuleSelectorTests
{
    private static SnapshotBuilder Host(IPAddressFamily family, bool rules = true)
    {
        var host = SnapshotBuilder.WithLoopback()
            .Interface(2, "eth0", false, "192.0.2.10/24", "2001:db8:1::10/64", "fe80::10/64")
            .Interface(3, "eth1", false, "198.51.100.10/24", "2001:db8:2::10/64", "fe80::11/64")
            .Route("local 192.0.2.10 dev eth0 table local scope host src 192.0.2.10")
            .Route("local 198.51.100.10 dev eth1 table local scope host src 198.51.100.10")
            .Route("192.0.2.0/24 dev eth0 scope link src 192.0.2.10")
            .Route("198.51.100.0/24 dev eth1 scope link src 198.51.100.10")
            .Route("default via 192.0.2.1 dev eth0 metric 100")
            .Route("local 2001:db8:1::10 dev eth0 table local")
            .Route("local 2001:db8:2::10 dev eth1 table local")
            .Route("2001:db8:1::/64 dev eth0 metric 256")
            .Route("2001:db8:2::/64 dev eth1 metric 256")
            .Route("default via 2001:db8:1::1 dev eth0 metric 1024")
            .Route("default via 198.51.100.1 dev eth1 table 100")
            .Route("default via 2001:db8:2::1 dev eth1 table 100 metric 1024");
        return rules ? host.Rule("0: lookup local", family).Rule("32766: lookup main", family) : host;
    }

    private static RouteDecision Ask(SnapshotBuilder host, IPAddressFamily family, byte tos = 0, uint label = 0, ushort sport = 0, ushort dport = 0) =>
        host.Resolver().Resolve(
            new RouteQuery(IPAddress.Parse(family == IPAddressFamily.IPv4 ? "203.0.113.9" : "2001:db8:9::9"))
            {
                Tos = tos,
                FlowLabel = label,
                SourcePort = sport,
                DestinationPort = dport,
            },
            explain: true);

    /// <summary>fib4_rule_match and fib6_rule_match: ((rule dscp ^ packet dscp) &amp; mask) != 0 means no match; a plain dscp rule compares all six bits.</summary>
    [Theory]
    [InlineData(IPAddressFamily.IPv4, "dscp 0x10/0x30", 0x10, true)]
    [InlineData(IPAddressFamily.IPv4, "dscp 0x10/0x30", 0x1F, true)]
    [InlineData(IPAddressFamily.IPv4, "dscp 0x10/0x30", 0x11, true)]
    [InlineData(IPAddressFamily.IPv4, "dscp 0x10/0x30", 0x20, false)]
    [InlineData(IPAddressFamily.IPv4, "dscp 0x10/0x30", 0x30, false)]
    [InlineData(IPAddressFamily.IPv4, "dscp 0x10/0x30", 0x00, false)]
    [InlineData(IPAddressFamily.IPv6, "dscp 0x10/0x30", 0x1F, true)]
    [InlineData(IPAddressFamily.IPv6, "dscp 0x10/0x30", 0x2F, false)]
    [InlineData(IPAddressFamily.IPv4, "dscp 10", 10, true)]
    [InlineData(IPAddressFamily.IPv4, "dscp 10", 11, false)]
    [InlineData(IPAddressFamily.IPv4, "dscp 10/0x3f", 42, false)]
    [InlineData(IPAddressFamily.IPv6, "dscp 46", 46, true)]
    [InlineData(IPAddressFamily.IPv6, "dscp 46", 47, false)]
    public void DscpRuleComparesTheMaskedDscp(IPAddressFamily family, string selector, byte dscp, bool selected)
    {
        var host = Host(family).Rule($"100: {selector} lookup 100", family);

        // The ECN bits under the DSCP never count.
        var decision = Ask(host, family, tos: (byte)((dscp << 2) | 1));

        Assert.Equal(selected ? 100u : RouteTables.Main, decision.Table);
    }

    /// <summary>fib6_rule_match: ((rule label ^ packet label) &amp; mask) != 0 means no match.</summary>
    [Theory]
    [InlineData("flowlabel 0x12300/0xfff00", 0x12300u, true)]
    [InlineData("flowlabel 0x12300/0xfff00", 0x123FFu, true)]
    [InlineData("flowlabel 0x12300/0xfff00", 0x12400u, false)]
    [InlineData("flowlabel 0x12300/0xfff00", 0u, false)]
    [InlineData("flowlabel 5", 5u, true)]
    [InlineData("flowlabel 5", 0x10005u, false)]
    [InlineData("flowlabel 0/0x1", 0xFFFFEu, true)]
    [InlineData("flowlabel 0/0x1", 1u, false)]
    public void FlowLabelRuleComparesTheMaskedLabel(string selector, uint label, bool selected)
    {
        var host = Host(IPAddressFamily.IPv6).Rule($"100: {selector} lookup 100", IPAddressFamily.IPv6);

        var decision = Ask(host, IPAddressFamily.IPv6, label: label);

        Assert.Equal(selected ? 100u : RouteTables.Main, decision.Table);
    }

    /// <summary>fib4_rule_match reads no flow label: an IPv4 rule holding one (only a hand-made table can) takes every packet.</summary>
    [Fact]
    public void Ipv4RuleIgnoresAFlowLabel()
    {
        var host = Host(IPAddressFamily.IPv4).Rule("100: flowlabel 0x12345 lookup 100");

        Assert.Equal(100u, Ask(host, IPAddressFamily.IPv4).Table);
    }

    /// <summary>
    /// fib_rule_port_match: with a mask only the masked bits of the rule's port count; a plain port is a mask of
    /// 0xffff (as the kernel dumps it) or none; a range holds the port or not.
    /// </summary>
    [Theory]
    [InlineData("sport 0x120/0xfff0", 0x120, 0, true)]
    [InlineData("sport 0x120/0xfff0", 0x12F, 0, true)]
    [InlineData("sport 0x120/0xfff0", 0x130, 0, false)]
    [InlineData("sport 0x120/0xfff0", 0x1120, 0, false)]
    [InlineData("sport 0x120/0xfff0", 0, 0x120, false)]
    [InlineData("dport 0x4/0xff", 0, 0x4, true)]
    [InlineData("dport 0x4/0xff", 0, 0x7704, true)]
    [InlineData("dport 0x4/0xff", 0, 0x5, false)]
    [InlineData("dport 80/0xffff", 0, 80, true)]
    [InlineData("dport 80/0xffff", 0, 81, false)]
    [InlineData("dport 80", 0, 80, true)]
    [InlineData("dport 80", 0, 0, false)]
    [InlineData("sport 1000-2000", 1500, 0, true)]
    [InlineData("sport 1000-2000", 999, 0, false)]
    public void PortRuleComparesTheMaskedPortOrTheRange(string selector, ushort sport, ushort dport, bool selected)
    {
        foreach (var family in new[] { IPAddressFamily.IPv4, IPAddressFamily.IPv6 })
        {
            var host = Host(family).Rule($"100: {selector} lookup 100", family);

            var decision = Ask(host, family, sport: sport, dport: dport);

            Assert.Equal(selected ? 100u : RouteTables.Main, decision.Table);
        }
    }

    /// <summary>fib_rule_match: a locally sent packet has tun_id 0, so a tun_id rule never takes it, and "not tun_id" always does.</summary>
    [Fact]
    public void TunnelIdRuleNeverTakesALocalPacket()
    {
        var host = Host(IPAddressFamily.IPv4).Rule("100: tun_id 42 lookup 100");
        Assert.Equal(RouteTables.Main, Ask(host, IPAddressFamily.IPv4).Table);

        var inverted = Host(IPAddressFamily.IPv4).Rule("100: not tun_id 42 lookup 100");
        Assert.Equal(100u, Ask(inverted, IPAddressFamily.IPv4).Table);
    }

    /// <summary>
    /// fib4_rule_suppress / fib6_rule_suppress: a lookup whose answer leaves by a device of the rule's group is
    /// ignored, and the walk goes on; an answer by another group's device stands.
    /// </summary>
    [Theory]
    [InlineData(IPAddressFamily.IPv4, 5u, "eth0", 32000u)]
    [InlineData(IPAddressFamily.IPv4, 0u, "eth1", 32001u)]
    [InlineData(IPAddressFamily.IPv6, 5u, "eth0", 32000u)]
    [InlineData(IPAddressFamily.IPv6, 0u, "eth1", 32001u)]
    public void SuppressIfgroupIgnoresAnAnswerByADeviceOfTheGroup(IPAddressFamily family, uint eth0Group, string expected, uint priority)
    {
        var host = Host(family).Group("eth0", eth0Group).Group("eth1", 5)
            .Rule("32000: lookup main suppress_ifgroup 0", family)
            .Rule("32001: lookup 100", family);

        var decision = Ask(host, family);

        Assert.Equal(expected, decision.InterfaceAlias);
        Assert.Equal(priority, decision.RulePriority);
        if (priority == 32001u)
        {
            Assert.Contains(decision.Trace, step => step.Outcome.Contains("suppress_ifgroup ignores"));
        }
    }

    /// <summary>
    /// IPv4 judges the route by its first next hop's device (fib_info_nhc(fi, 0)) whichever path is then taken;
    /// IPv6 by the path the lookup chose (res->nh): here the one on the interface asked for. (IPv4 by eth0 then
    /// finds table 100's route unusable, as it leaves by eth1, and ends in main.)
    /// </summary>
    [Theory]
    [InlineData(IPAddressFamily.IPv4, 2, 32766u)]
    [InlineData(IPAddressFamily.IPv4, 3, 32001u)]
    [InlineData(IPAddressFamily.IPv6, 2, 32000u)]
    [InlineData(IPAddressFamily.IPv6, 3, 32001u)]
    public void SuppressIfgroupJudgesTheFirstNextHopForIpv4AndTheChosenPathForIpv6(IPAddressFamily family, int oif, uint priority)
    {
        var v4 = family == IPAddressFamily.IPv4;
        var host = Host(family).Group("eth0", 0).Group("eth1", 5)
            .Route(v4
                ? "203.0.113.0/24 table 200 nexthop via 198.51.100.1 dev eth1 nexthop via 192.0.2.1 dev eth0"
                : "2001:db8:9::/48 table 200 metric 1024 nexthop via 2001:db8:2::1 dev eth1 nexthop via 2001:db8:1::1 dev eth0")
            .Rule("32000: lookup 200 suppress_ifgroup 5", family)
            .Rule("32001: lookup 100", family);

        var decision = host.Resolver().Resolve(
            new RouteQuery(IPAddress.Parse(v4 ? "203.0.113.9" : "2001:db8:9::9")) { OutputInterfaceIndex = oif }, explain: true);

        Assert.Equal(priority, decision.RulePriority);
    }

    /// <summary>A snapshot that did not carry interface groups cannot tell: the answer stands, and the trace says why.</summary>
    [Fact]
    public void SuppressIfgroupKeepsTheAnswerWhenTheGroupIsNotKnown()
    {
        var host = Host(IPAddressFamily.IPv4).Rule("32000: lookup main suppress_ifgroup 0").Rule("32001: lookup 100");

        var decision = Ask(host, IPAddressFamily.IPv4);

        Assert.Equal(32000u, decision.RulePriority);
        Assert.Contains(decision.Trace, step => step.Outcome.Contains("not in the snapshot"));
    }

    /// <summary>
    /// The kernel's three rules, but main's with suppress_ifgroup: not the default rule set, so the rules are
    /// walked (not local and main merged), and main's answer by eth0 is ignored for the default table's.
    /// </summary>
    [Fact]
    public void DefaultRulesWithSuppressIfgroupAreWalked()
    {
        var host = Host(IPAddressFamily.IPv4, rules: false).Group("eth0", 0).Group("eth1", 5)
            .Route("default via 198.51.100.1 dev eth1 table default")
            .Rule("0: lookup local").Rule("32766: lookup main suppress_ifgroup 0").Rule("32767: lookup default");

        var decision = Ask(host, IPAddressFamily.IPv4);

        Assert.Equal(("eth1", 32767u), (decision.InterfaceAlias, decision.RulePriority));
    }

    /// <summary>
    /// Main's rule with a mark mask and no mark (`fwmark 0/0xff`, which the kernel dumps as FRA_FWMASK alone) is no
    /// default rule: a packet marked 1 passes it by, to the empty default table, in both families; an unmarked one
    /// takes it. Before, IPv4 took such a rule set as the default one and answered from main for any mark.
    /// </summary>
    [Theory]
    [InlineData(IPAddressFamily.IPv4)]
    [InlineData(IPAddressFamily.IPv6)]
    public void AMainRuleWithAMarkMaskAloneComparesTheMark(IPAddressFamily family)
    {
        var host = Host(family, rules: false)
            .Rule("0: lookup local", family).Rule("32766: fwmark 0x0/0xff lookup main", family).Rule("32767: lookup default", family);
        var snapshot = host.Build();
        foreach (var rule in snapshot.Rules)
        {
            if (rule.FwMask == 0xff)
            {
                rule.FwMark = null;
            }
        }

        var resolver = new LinuxRouteResolver(snapshot);
        var destination = IPAddress.Parse(family == IPAddressFamily.IPv4 ? "203.0.113.9" : "2001:db8:9::9");

        var marked = resolver.Resolve(new RouteQuery(destination) { Mark = 1 });
        var unmarked = resolver.Resolve(new RouteQuery(destination));

        Assert.Equal(RouteError.NetworkUnreachable, marked.Error);
        Assert.Equal((RouteError.None, "eth0", 32766u), (unmarked.Error, unmarked.InterfaceAlias, unmarked.RulePriority));
    }
}

using System;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Core.Tests.Support;
using PSLoopback.Routing;

namespace PSLoopback.Core.Tests.Routing;

/// <summary>The resolver's decisions on small hosts whose right answer is known from the kernel's rules.</summary>
public class RouteResolverTests
{
    private static SnapshotBuilder Lan() => SnapshotBuilder.WithLoopback()
        .Interface(2, "eth0", false, "192.0.2.10/24", "2001:db8:1::10/64", "fe80::10/64")
        .Interface(3, "eth1", false, "198.51.100.10/24", "2001:db8:2::10/64", "fe80::11/64")
        .Route("local 192.0.2.10 dev eth0 table local scope host src 192.0.2.10")
        .Route("broadcast 192.0.2.255 dev eth0 table local scope link src 192.0.2.10")
        .Route("local 198.51.100.10 dev eth1 table local scope host src 198.51.100.10")
        .Route("192.0.2.0/24 dev eth0 scope link src 192.0.2.10")
        .Route("198.51.100.0/24 dev eth1 scope link src 198.51.100.10")
        .Route("default via 192.0.2.1 dev eth0 metric 100")
        .Route("local 2001:db8:1::10 dev eth0 table local")
        .Route("local fe80::10 dev eth0 table local")
        .Route("local 2001:db8:2::10 dev eth1 table local")
        .Route("multicast ff00::/8 dev eth0 table local metric 256")
        .Route("multicast ff00::/8 dev eth1 table local metric 256")
        .Route("2001:db8:1::/64 dev eth0 metric 256")
        .Route("2001:db8:2::/64 dev eth1 metric 256")
        .Route("fe80::/64 dev eth0 metric 256")
        .Route("fe80::/64 dev eth1 metric 256")
        .Route("default via fe80::1 dev eth0 metric 1024");

    private static RouteDecision Resolve(SnapshotBuilder host, string destination, string? from = null, int? oif = null, uint mark = 0) =>
        host.Resolver().Resolve(new RouteQuery(IPAddress.Parse(destination))
        {
            Source = from is null ? null : IPAddress.Parse(from),
            OutputInterfaceIndex = oif,
            Mark = mark,
        }, explain: true);

    private static void AssertRoute(RouteDecision d, RouteType type, string dev, string via, string? src)
    {
        Assert.True(d.Error == RouteError.None, d.Reason);
        Assert.Equal(type, d.RouteType);
        Assert.Equal(dev, d.InterfaceAlias);
        Assert.Equal(IPAddress.Parse(via), d.NextHop);
        Assert.Equal(src is null ? null : IPAddress.Parse(src), d.SourceAddress);
    }

    /// <summary>
    /// `ip route get 10.20.1.1 tos T` on kernel 6.18 with these three routes: a route's tos is compared with the
    /// packet's bits 0x1c only, so 0xb8 (EF) takes the tos 0x18 route, 0x1c none of them, and tos 0x20 never matches.
    /// </summary>
    [Theory]
    [InlineData(0x00, "10.9.0.3")]
    [InlineData(0x10, "10.9.0.2")]
    [InlineData(0x13, "10.9.0.2")]
    [InlineData(0x50, "10.9.0.2")]
    [InlineData(0x1c, "10.9.0.3")]
    [InlineData(0x14, "10.9.0.3")]
    [InlineData(0xb8, "10.9.0.4")]
    [InlineData(0x20, "10.9.0.3")]
    public void RouteTosMatchesTheLegacyTosBits(byte tos, string via)
    {
        var host = Lan()
            .Route("10.9.0.0/24 dev eth1 scope link src 198.51.100.10")
            .Route("10.20.0.0/16 via 10.9.0.2 dev eth1 tos 10")
            .Route("10.20.0.0/16 via 10.9.0.3 dev eth1")
            .Route("10.20.0.0/16 via 10.9.0.4 dev eth1 tos 18")
            .Route("10.20.0.0/16 via 10.9.0.5 dev eth1 tos 20");

        var decision = host.Resolver().Resolve(new RouteQuery(IPAddress.Parse("10.20.1.1")) { Tos = tos }, explain: true);

        Assert.Equal(IPAddress.Parse(via), decision.NextHop);
    }

    /// <summary>A tos 0x10 rule, as kernel 6.18 applies it: IPv4 on the bits 0x1c, IPv6 on the whole DSCP.</summary>
    [Theory]
    [InlineData(IPAddressFamily.IPv4, 0x10, true)]
    [InlineData(IPAddressFamily.IPv4, 0x11, true)]
    [InlineData(IPAddressFamily.IPv4, 0x12, true)]
    [InlineData(IPAddressFamily.IPv4, 0x50, true)]
    [InlineData(IPAddressFamily.IPv4, 0xb8, false)]
    [InlineData(IPAddressFamily.IPv4, 0x00, false)]
    [InlineData(IPAddressFamily.IPv6, 0x10, true)]
    [InlineData(IPAddressFamily.IPv6, 0x12, true)]
    [InlineData(IPAddressFamily.IPv6, 0x13, true)]
    [InlineData(IPAddressFamily.IPv6, 0x50, false)]
    [InlineData(IPAddressFamily.IPv6, 0x14, false)]
    public void RuleTosIsComparedAsEachFamilyDoes(IPAddressFamily family, byte tos, bool selected)
    {
        var v4 = family == IPAddressFamily.IPv4;
        var host = Lan()
            .Rule("0: lookup local", family).Rule("100: tos 10 lookup 100", family).Rule("32766: lookup main", family)
            .Route(v4 ? "default via 198.51.100.1 dev eth1 table 100" : "default via fe80::99 dev eth1 table 100 metric 1024");

        var decision = host.Resolver().Resolve(new RouteQuery(IPAddress.Parse(v4 ? "203.0.113.9" : "2001:db8:9::9")) { Tos = tos }, explain: true);

        Assert.Equal(selected ? 100u : RouteTables.Main, decision.Table);
    }

    /// <summary>ipproto, dport and uidrange rules take only the packets of that protocol, port and user.</summary>
    [Theory]
    [InlineData(6, 443, 0u, 100u)]
    [InlineData(6, 444, 0u, RouteTables.Main)]
    [InlineData(17, 443, 0u, RouteTables.Main)]
    [InlineData(0, 443, 0u, RouteTables.Main)]
    [InlineData(17, 53, 1500u, 101u)]
    [InlineData(6, 443, 1500u, 100u)]
    [InlineData(0, 0, 2001u, RouteTables.Main)]
    public void ProtocolPortAndUidSelectorsMatchTheQuery(byte protocol, ushort port, uint uid, uint table)
    {
        var host = Lan().DefaultRules()
            .Rule("100: ipproto 6 dport 443 lookup 100").Rule("101: uidrange 1000-2000 lookup 101")
            .Route("default via 198.51.100.1 dev eth1 table 100").Route("default via 198.51.100.2 dev eth1 table 101");

        var decision = host.Resolver().Resolve(
            new RouteQuery(IPAddress.Parse("203.0.113.9")) { IPProtocol = protocol, DestinationPort = port, Uid = uid }, explain: true);

        Assert.Equal(table, decision.Table);
    }

    /// <summary>
    /// inet_rtm_getroute asks an IPv4 flow without a protocol as UDP (so `ip route get D` takes an ipproto udp rule);
    /// inet6_rtm_getroute asks it as protocol 0.
    /// </summary>
    [Theory]
    [InlineData("203.0.113.9", 0, 100u)]
    [InlineData("203.0.113.9", 6, RouteTables.Main)]
    [InlineData("203.0.113.9", 17, 100u)]
    [InlineData("2001:db8:9::9", 0, RouteTables.Main)]
    [InlineData("2001:db8:9::9", 17, 100u)]
    public void AnIPv4QuestionWithoutAProtocolIsUdpToTheRules(string destination, byte protocol, uint table)
    {
        var host = Lan().DefaultRules().Rule("100: ipproto 17 lookup 100").Route("default via 198.51.100.1 dev eth1 table 100")
            .Rule("0: lookup local", IPAddressFamily.IPv6).Rule("100: ipproto 17 lookup 100", IPAddressFamily.IPv6).Rule("32766: lookup main", IPAddressFamily.IPv6)
            .Route("default via fe80::1 dev eth1 table 100 metric 1024").Route("default via fe80::2 dev eth0 metric 1024");

        var decision = host.Resolver().Resolve(new RouteQuery(IPAddress.Parse(destination)) { IPProtocol = protocol }, explain: true);

        Assert.Equal(table, decision.Table);
    }

    [Fact]
    public void LongerPrefixBeatsLowerMetric()
    {
        var host = Lan().Route("203.0.113.0/24 via 198.51.100.1 dev eth1 metric 5000").Route("203.0.0.0/16 via 192.0.2.1 dev eth0 metric 1");
        AssertRoute(Resolve(host, "203.0.113.7"), RouteType.Unicast, "eth1", "198.51.100.1", "198.51.100.10");
        Assert.Equal(IPPrefix.Parse("203.0.113.0/24"), Resolve(host, "203.0.113.7").DestinationPrefix);
    }

    [Fact]
    public void MetricBreaksTiesBetweenRoutesOfOnePrefix()
    {
        var host = Lan().Route("203.0.113.0/24 via 198.51.100.1 dev eth1 metric 50").Route("203.0.113.0/24 via 192.0.2.1 dev eth0 metric 20");
        var d = Resolve(host, "203.0.113.7");
        AssertRoute(d, RouteType.Unicast, "eth0", "192.0.2.1", "192.0.2.10");
        Assert.Equal(20u, d.RouteMetric);
    }

    [Fact]
    public void OnlyZeroZeroZeroZeroIsNoSourceTheRestOfZeroSlashEightIsAnAddress()
    {
        // Checked on 6.18: with 0.1.2.3/32 on lo, `ip route get 127.0.0.1 from 0.1.2.3` is local from it;
        // from 0.1.2.4 (not this host's) is "Network is unreachable"; from 0.0.0.0 chooses a source.
        var host = Lan().Interface(9, "lo9", false, "0.1.2.3/32").Route("local 0.1.2.3 dev lo9 table local scope host src 0.1.2.3");
        AssertRoute(Resolve(host, "127.0.0.1", from: "0.1.2.3"), RouteType.Local, "lo", "0.0.0.0", "0.1.2.3");
        Assert.Equal(RouteError.NetworkUnreachable, Resolve(host, "127.0.0.1", from: "0.1.2.4").Error);
        AssertRoute(Resolve(host, "127.0.0.1", from: "0.0.0.0"), RouteType.Local, "lo", "0.0.0.0", "127.0.0.1");
    }

    [Fact]
    public void EqualMetricsGoToTheFirstAdded()
    {
        var host = Lan().Route("203.0.113.0/24 via 198.51.100.1 dev eth1 metric 7").Route("203.0.113.0/24 via 192.0.2.1 dev eth0 metric 7");
        Assert.Equal("eth1", Resolve(host, "203.0.113.7").InterfaceAlias);
    }

    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("127.45.6.7", "127.0.0.1")]
    [InlineData("192.0.2.10", "192.0.2.10")]
    [InlineData("198.51.100.10", "198.51.100.10")]
    public void TheLocalTableWinsForLoopbackAndOwnAddresses(string destination, string source)
    {
        var d = Resolve(Lan(), destination);
        AssertRoute(d, RouteType.Local, "lo", "0.0.0.0", source);
        Assert.True(d.StaysOnHost);
        Assert.Equal(RouteTables.Local, d.Table);
    }

    [Fact]
    public void WithCustomRulesTheLocalTableIsAskedFirstEvenAgainstALongerMainRoute()
    {
        // Only while the rules are the defaults does Linux merge local into main (longest prefix across both).
        var merged = Lan().Route("127.1.0.0/16 dev eth0 scope link");
        AssertRoute(Resolve(merged, "127.1.2.3"), RouteType.Unicast, "eth0", "0.0.0.0", "192.0.2.10");

        var split = Lan().Route("127.1.0.0/16 dev eth0 scope link").DefaultRules().Rule("100: from 203.0.113.0/24 lookup 100");
        AssertRoute(Resolve(split, "127.1.2.3"), RouteType.Local, "lo", "0.0.0.0", "127.0.0.1");
    }

    [Fact]
    public void OnLinkDestinationHasNoGatewayAndTheRoutesSource()
    {
        AssertRoute(Resolve(Lan(), "192.0.2.77"), RouteType.Unicast, "eth0", "0.0.0.0", "192.0.2.10");
    }

    [Fact]
    public void BroadcastAndMulticastAreSentOnTheLinkWithoutTheGateway()
    {
        AssertRoute(Resolve(Lan(), "192.0.2.255"), RouteType.Broadcast, "eth0", "0.0.0.0", "192.0.2.10");
        AssertRoute(Resolve(Lan(), "255.255.255.255"), RouteType.Broadcast, "eth0", "0.0.0.0", "192.0.2.10");
        AssertRoute(Resolve(Lan(), "224.0.0.251"), RouteType.Multicast, "eth0", "0.0.0.0", "192.0.2.10");
    }

    [Fact]
    public void ZeroAddressIsThisHost()
    {
        AssertRoute(Resolve(Lan(), "0.0.0.0"), RouteType.Local, "lo", "0.0.0.0", "127.0.0.1");
    }

    [Fact]
    public void RulesAreTriedByPriorityWithFromToAndFwmark()
    {
        var host = Lan().DefaultRules()
            .Rule("100: from 198.51.100.10/32 lookup 100")
            .Rule("200: to 203.0.113.0/24 lookup 200")
            .Rule("300: fwmark 0x1/0xff lookup 300")
            .Route("default via 198.51.100.1 dev eth1 table 100")
            .Route("default via 198.51.100.2 dev eth1 table 200")
            .Route("default via 198.51.100.3 dev eth1 table 300");

        var fromRule = Resolve(host, "8.8.8.8", from: "198.51.100.10");
        AssertRoute(fromRule, RouteType.Unicast, "eth1", "198.51.100.1", "198.51.100.10");
        Assert.Equal(100u, fromRule.RulePriority);
        Assert.Equal(100u, fromRule.Table);

        AssertRoute(Resolve(host, "203.0.113.5"), RouteType.Unicast, "eth1", "198.51.100.2", "198.51.100.10");
        AssertRoute(Resolve(host, "8.8.8.8", mark: 0x101), RouteType.Unicast, "eth1", "198.51.100.3", "198.51.100.10");
        AssertRoute(Resolve(host, "8.8.8.8", mark: 0x102), RouteType.Unicast, "eth0", "192.0.2.1", "192.0.2.10");
        AssertRoute(Resolve(host, "8.8.8.8"), RouteType.Unicast, "eth0", "192.0.2.1", "192.0.2.10");
    }

    [Fact]
    public void NotInvertsTheWholeSelector()
    {
        var host = Lan().DefaultRules().Rule("100: not to 203.0.113.0/24 lookup 100").Route("default via 198.51.100.1 dev eth1 table 100");
        Assert.Equal("eth1", Resolve(host, "8.8.8.8").InterfaceAlias);
        Assert.Equal("eth0", Resolve(host, "203.0.113.5").InterfaceAlias);
    }

    [Fact]
    public void AFromRuleWithoutAGivenSourceMatchesAgainstTheUnspecifiedAddressInIPv4()
    {
        var host = Lan().DefaultRules().Rule("100: from 0.0.0.0/8 lookup 100").Route("default via 198.51.100.1 dev eth1 table 100");
        Assert.Equal("eth1", Resolve(host, "8.8.8.8").InterfaceAlias);
        Assert.Equal("eth0", Resolve(host, "8.8.8.8", from: "192.0.2.10").InterfaceAlias);
    }

    [Fact]
    public void ThrowSendsTheLookupOnToTheNextRule()
    {
        var host = Lan().DefaultRules()
            .Rule("100: lookup 100")
            .Route("default via 198.51.100.1 dev eth1 table 100")
            .Route("throw 203.0.113.0/24 table 100");
        Assert.Equal("eth1", Resolve(host, "8.8.8.8").InterfaceAlias);
        var thrown = Resolve(host, "203.0.113.5");
        AssertRoute(thrown, RouteType.Unicast, "eth0", "192.0.2.1", "192.0.2.10");
        Assert.Equal(32766u, thrown.RulePriority);
    }

    [Fact]
    public void SuppressPrefixLengthZeroIgnoresOnlyDefaultRoutesAsFullTunnelVpnsNeed()
    {
        // wg-quick: the main table answers for everything but its default route; the rest goes to the tunnel.
        var host = Lan().Interface(4, "wg0", false, "10.8.0.2/32").DefaultRules()
            .Rule("32764: lookup main suppress_prefixlength 0")
            .Rule("32765: not fwmark 0xca6c lookup 51820")
            .Route("default dev wg0 table 51820 scope link");
        AssertRoute(Resolve(host, "192.0.2.77"), RouteType.Unicast, "eth0", "0.0.0.0", "192.0.2.10");
        var tunnelled = Resolve(host, "8.8.8.8");
        AssertRoute(tunnelled, RouteType.Unicast, "wg0", "0.0.0.0", "10.8.0.2");
        Assert.Equal(32765u, tunnelled.RulePriority);
        Assert.Equal("eth0", Resolve(host, "8.8.8.8", mark: 0xca6c).InterfaceAlias);
    }

    [Theory]
    [InlineData("unreachable", RouteType.Unreachable, RouteError.NetworkUnreachable)]
    [InlineData("prohibit", RouteType.Prohibit, RouteError.PermissionDenied)]
    [InlineData("blackhole", RouteType.Blackhole, RouteError.InvalidArgument)]
    [InlineData("action 9", RouteType.NoRoute, RouteError.InvalidArgument)]
    [InlineData("action 4", RouteType.NoRoute, RouteError.InvalidArgument)]
    public void RuleActionsAreAnswersWithTheKernelsErrno(string action, RouteType type, RouteError error)
    {
        var host = Lan().DefaultRules().Rule($"50: to 203.0.113.0/24 {action}");
        var d = Resolve(host, "203.0.113.5");
        Assert.Equal(type, d.RouteType);
        Assert.Equal(error, d.Error);
        Assert.Equal(50u, d.RulePriority);
        Assert.Equal(RouteError.None, Resolve(host, "8.8.8.8").Error);
    }

    [Theory]
    [InlineData("unreachable", RouteType.Unreachable, RouteError.HostUnreachable)]
    [InlineData("prohibit", RouteType.Prohibit, RouteError.PermissionDenied)]
    [InlineData("blackhole", RouteType.Blackhole, RouteError.InvalidArgument)]
    public void RejectRoutesAreAnswersWithTheKernelsErrno(string type, RouteType expected, RouteError error)
    {
        var v4 = Resolve(Lan().Route($"{type} 203.0.113.0/24"), "203.0.113.5");
        Assert.Equal(expected, v4.RouteType);
        Assert.Equal(error, v4.Error);
        Assert.Equal(IPPrefix.Parse("203.0.113.0/24"), v4.DestinationPrefix);
        var v6 = Resolve(Lan().Route($"{type} 2001:db8:99::/48"), "2001:db8:99::1");
        Assert.Equal(expected, v6.RouteType);
        Assert.Equal(error, v6.Error);
    }

    [Fact]
    public void NoRouteIsNetworkUnreachable()
    {
        var host = SnapshotBuilder.WithLoopback().Interface(2, "eth0", false, "192.0.2.10/24").Route("192.0.2.0/24 dev eth0 scope link");
        var d = Resolve(host, "8.8.8.8");
        Assert.Equal(RouteType.NoRoute, d.RouteType);
        Assert.Equal(RouteError.NetworkUnreachable, d.Error);
        Assert.Equal(RouteError.NetworkUnreachable, Resolve(host, "2001:db8::1").Error);
    }

    [Fact]
    public void GotoContinuesAtTheTargetRule()
    {
        var host = Lan().DefaultRules()
            .Rule("10: to 203.0.113.0/24 goto 300")
            .Rule("200: lookup 200")
            .Rule("300: lookup 300")
            .Route("default via 198.51.100.2 dev eth1 table 200")
            .Route("default via 198.51.100.3 dev eth1 table 300");
        Assert.Equal(IPAddress.Parse("198.51.100.3"), Resolve(host, "203.0.113.5").NextHop);
        Assert.Equal(IPAddress.Parse("198.51.100.2"), Resolve(host, "8.8.8.8").NextHop);
    }

    [Fact]
    public void WithAnOutputInterfaceEvenARefusalFallsBackToOnLink()
    {
        var host = Lan().Route("unreachable 203.0.113.0/24").DefaultRules().Rule("10: to 10.6.0.0/16 prohibit");
        AssertRoute(Resolve(host, "203.0.113.5", oif: 3), RouteType.Unicast, "eth1", "0.0.0.0", "198.51.100.10");
        AssertRoute(Resolve(host, "10.6.0.1", oif: 3), RouteType.Unicast, "eth1", "0.0.0.0", "198.51.100.10");
        AssertRoute(Resolve(host, "127.0.0.1", oif: 2), RouteType.Unicast, "eth0", "192.0.2.1", "192.0.2.10");
    }

    [Fact]
    public void AGotoThatDoesNotJumpForwardIsSkippedRatherThanLoopingForever()
    {
        // The kernel refuses such rules; a table built by hand (what-if) may still hold them.
        var host = Lan().DefaultRules().Rule("100: goto 100").Rule("200: goto 150").Rule("150: lookup 150").Route("default via 198.51.100.9 dev eth1 table 150");
        var d = Resolve(host, "8.8.8.8");
        Assert.Equal(IPAddress.Parse("198.51.100.9"), d.NextHop);
        Assert.Equal(150u, d.RulePriority);
    }

    [Fact]
    public void ARouteTableAloneNamesTheInterfacesOfItsMultipathHops()
    {
        var routes = Lan().Route("203.0.113.0/24 nexthop via 192.0.2.1 dev eth0 nexthop via 198.51.100.1 dev eth1").Build().Routes;
        var snapshot = RouteSnapshot.FromRoutes(routes);
        Assert.Equal("eth1", snapshot.FindInterface(3)?.Name);
        var d = new LinuxRouteResolver(snapshot).Resolve(new RouteQuery(IPAddress.Parse("203.0.113.5")));
        Assert.Equal(new[] { "eth0", "eth1" }, d.Paths.Select(p => p.InterfaceAlias));
    }

    [Fact]
    public void ARouteTableAloneChoosesTheSourceAddressesItsLocalRoutesImply()
    {
        // A table from another machine carries no interface list; its local routes name the addresses.
        var host = Lan();
        var whatIf = new LinuxRouteResolver(RouteSnapshot.FromRoutes(host.Build().Routes));
        foreach (var destination in new[] { "8.8.8.8", "198.51.100.7", "2001:db8:1::99", "127.0.0.5" })
        {
            var live = Resolve(host, destination);
            var alone = whatIf.Resolve(new RouteQuery(IPAddress.Parse(destination)));
            Assert.Equal((live.InterfaceAlias, live.NextHop, live.SourceAddress), (alone.InterfaceAlias, alone.NextHop, alone.SourceAddress));
        }

        var eth0 = RouteSnapshot.FromRoutes(host.Build().Routes).FindInterface(2)!;
        Assert.Equal(new[] { "192.0.2.10/24", "2001:db8:1::10/64", "fe80::10/64" }, eth0.Addresses.Select(a => a.ToString()).OrderBy(a => a, StringComparer.Ordinal));
    }

    [Fact]
    public void AnOutputInterfaceSkipsRoutesThroughOthersAndFallsBackToOnLink()
    {
        var host = Lan();
        AssertRoute(Resolve(host, "8.8.8.8", oif: 3), RouteType.Unicast, "eth1", "0.0.0.0", "198.51.100.10");
        AssertRoute(Resolve(host, "198.51.100.7", oif: 3), RouteType.Unicast, "eth1", "0.0.0.0", "198.51.100.10");
        Assert.Equal(RouteError.NoSuchDevice, Resolve(host, "8.8.8.8", oif: 99).Error);
    }

    [Fact]
    public void AnAddressMadeLocalByALocalRouteIsASourceOwnedByThatRoutesDevice()
    {
        var host = Lan().DefaultRules().Rule("100: from 203.0.113.0/24 lookup 100").Route("local 198.18.0.0/16 dev lo table local scope host");
        AssertRoute(Resolve(host, "8.8.8.8", from: "198.18.5.5"), RouteType.Unicast, "eth0", "192.0.2.1", "198.18.5.5");
        AssertRoute(Resolve(host, "239.1.2.3", from: "198.18.5.5"), RouteType.Multicast, "lo", "0.0.0.0", "198.18.5.5");
        AssertRoute(Resolve(host, "224.0.0.1", from: "198.51.100.10"), RouteType.Multicast, "eth1", "0.0.0.0", "198.51.100.10");
    }

    [Fact]
    public void ALoopbackSourceCannotLeaveByAnotherInterface()
    {
        var d = Resolve(Lan(), "8.8.8.8", from: "127.0.0.1");
        Assert.Equal(RouteError.InvalidArgument, d.Error);
        AssertRoute(Resolve(Lan(), "127.0.0.5", from: "127.0.0.1"), RouteType.Local, "lo", "0.0.0.0", "127.0.0.1");
    }

    [Fact]
    public void ZeroAddressWithAnOutputInterfaceTakesThatInterfacesAddressAsSource()
    {
        AssertRoute(Resolve(Lan(), "0.0.0.0", oif: 3), RouteType.Local, "lo", "0.0.0.0", "198.51.100.10");
        Assert.Equal(RouteError.InvalidArgument, Resolve(Lan(), "255.255.255.255", from: "127.0.0.1", oif: 2).Error);
    }

    [Fact]
    public void IPv6MultipathWithAnInterfaceButNotBoundToItKeepsEveryPath()
    {
        var host = Lan().Route("2001:db8:99::/48 nexthop via 2001:db8:1::1 dev eth0 nexthop via 2001:db8:2::1 dev eth1");
        Assert.Equal(2, Resolve(host, "2001:db8:99::1", from: "2001:db8:2::10", oif: 3).Paths.Count);
        Assert.Single(Resolve(host, "2001:db8:99::1", oif: 3).Paths);
    }

    [Fact]
    public void IPv6SourceSpecificRoutesHideThePrefixsOrdinaryRoutes()
    {
        // The connected /64 stays outside the source subtree that the "from" route creates on the same prefix.
        var host = Lan().Route("2001:db8:1::/64 from 2001:db8:99::/48 via 2001:db8:2::fe dev eth1 metric 1024");
        AssertRoute(Resolve(host, "2001:db8:1::5"), RouteType.Unicast, "eth0", "fe80::1", "2001:db8:1::10");
        Assert.Equal(IPAddress.Parse("2001:db8:2::fe"), Resolve(host, "2001:db8:1::5", from: "2001:db8:99::1").NextHop);

        // At the table's root the ordinary default routes remain the last resort.
        var rooted = Lan().Route("::/0 from 2001:db8:99::/48 via 2001:db8:2::fe dev eth1 metric 1");
        AssertRoute(Resolve(rooted, "2001:db8:77::1"), RouteType.Unicast, "eth0", "fe80::1", "2001:db8:1::10");
    }

    [Fact]
    public void MulticastOverAMultipathRouteLosesTheGatewayOnEveryPath()
    {
        var host = Lan().Route("192.0.0.0/2 nexthop via 192.0.2.1 dev eth0 nexthop via 198.51.100.254 dev eth1");
        var d = Resolve(host, "224.0.0.1");
        Assert.Equal(RouteType.Multicast, d.RouteType);
        Assert.All(d.Paths, p => Assert.Equal(IPAddress.Any, p.NextHop));
    }

    [Fact]
    public void WhileLocalAndMainAreMergedTheLocalTablesRouteOfAPrefixComesFirst()
    {
        var host = Lan().Route("192.0.2.255/32 via 198.51.100.254 dev eth1").Route("192.0.2.10/32 via 198.51.100.254 dev eth1");
        Assert.Equal(RouteType.Broadcast, Resolve(host, "192.0.2.255").RouteType);
        AssertRoute(Resolve(host, "192.0.2.10"), RouteType.Local, "lo", "0.0.0.0", "192.0.2.10");
    }

    [Fact]
    public void AGatewayThatIsOurOwnAddressIsOnLinkAndPicksItselfAsSource()
    {
        var host = Lan().Route("203.0.113.0/24 via 192.0.2.10 dev eth0");
        AssertRoute(Resolve(host, "203.0.113.7"), RouteType.Unicast, "eth0", "0.0.0.0", "192.0.2.10");
    }

    [Fact]
    public void IPv6UnspecifiedDestinationTakesTheNarrowestSourceOfTheOutputInterface()
    {
        var host = Lan().Route("::/0 dev eth1 metric 1");
        Assert.Equal(IPAddress.Parse("fe80::11"), Resolve(host, "::").SourceAddress);
    }

    [Fact]
    public void ASourceThatIsNotOursIsRefusedForIPv4()
    {
        Assert.Equal(RouteError.NetworkUnreachable, Resolve(Lan(), "8.8.8.8", from: "203.0.113.1").Error);
        Assert.Equal(RouteError.InvalidArgument, Resolve(Lan(), "8.8.8.8", from: "224.0.0.1").Error);
    }

    [Fact]
    public void IPv4SourceIsAPrimaryAddressOfTheOutputInterfacePreferringTheGatewaysSubnet()
    {
        var host = SnapshotBuilder.WithLoopback()
            .Interface(2, "eth0", false, "10.0.0.10/24", "192.0.2.10/24", "192.0.2.11/24 secondary")
            .Route("default via 192.0.2.1 dev eth0")
            .Route("203.0.113.0/24 dev eth0 scope link");
        Assert.Equal(IPAddress.Parse("192.0.2.10"), Resolve(host, "8.8.8.8").SourceAddress);
        Assert.Equal(IPAddress.Parse("10.0.0.10"), Resolve(host, "203.0.113.9").SourceAddress);
    }

    [Fact]
    public void MultipathListsEveryPathWithItsSource()
    {
        var host = Lan().Route("203.0.113.0/24 nexthop via 192.0.2.1 dev eth0 nexthop via 198.51.100.1 dev eth1");
        var d = Resolve(host, "203.0.113.5");
        Assert.Equal(2, d.Paths.Count);
        Assert.Equal(new[] { "192.0.2.10", "198.51.100.10" }, d.Paths.Select(p => p.SourceAddress!.ToString()));
        Assert.Equal("eth1", Resolve(host, "203.0.113.5", oif: 3).InterfaceAlias);
    }

    [Fact]
    public void AMultipathRouteThroughGatewaysIsExplainedByTheGatewayShown()
    {
        var d = Resolve(Lan().Route("203.0.113.0/24 nexthop via 192.0.2.1 dev eth0 nexthop via 198.51.100.1 dev eth1"), "203.0.113.5");
        Assert.StartsWith("longest match 203.0.113.0/24 in table main, via 192.0.2.1; hash: the kernel picks one of these 2 paths", d.Reason);
    }

    [Fact]
    public void IPv6LoopbackIsLocal()
    {
        var d = Resolve(Lan(), "::1");
        AssertRoute(d, RouteType.Local, "lo", "::", "::1");
        Assert.True(d.StaysOnHost);
    }

    [Fact]
    public void IPv6OwnLinkLocalAddressIsLocalWithItselfAsSource()
    {
        AssertRoute(Resolve(Lan(), "fe80::10"), RouteType.Local, "lo", "::", "fe80::10");
    }

    [Fact]
    public void IPv6LinkLocalDestinationTakesTheFirstInterfaceOrTheOneAskedFor()
    {
        AssertRoute(Resolve(Lan(), "fe80::99"), RouteType.Unicast, "eth0", "::", "fe80::10");
        AssertRoute(Resolve(Lan(), "fe80::99", oif: 3), RouteType.Unicast, "eth1", "::", "fe80::11");
    }

    [Fact]
    public void IPv6MulticastUsesTheLocalTablesMulticastRouteAndALinkLocalSource()
    {
        AssertRoute(Resolve(Lan(), "ff02::1"), RouteType.Multicast, "eth0", "::", "fe80::10");
        AssertRoute(Resolve(Lan(), "ff02::1", oif: 3), RouteType.Multicast, "eth1", "::", "fe80::11");
    }

    [Fact]
    public void IPv6GlobalDestinationGetsAGlobalSourceByRfc6724()
    {
        // Rule 2 (scope) rules out fe80::10; rule 5 prefers the output interface; rule 8 the longest match.
        AssertRoute(Resolve(Lan(), "2001:db8:77::1"), RouteType.Unicast, "eth0", "fe80::1", "2001:db8:1::10");
        AssertRoute(Resolve(Lan(), "2001:db8:2::99"), RouteType.Unicast, "eth1", "::", "2001:db8:2::10");
    }

    [Fact]
    public void IPv6AvoidsDeprecatedAndTentativeSources()
    {
        var host = SnapshotBuilder.WithLoopback()
            .Interface(2, "eth0", false, "2001:db8:1::1/64 deprecated", "2001:db8:1::2/64", "2001:db8:1::3/64 tentative")
            .Route("2001:db8:1::/64 dev eth0 metric 256");
        Assert.Equal(IPAddress.Parse("2001:db8:1::2"), Resolve(host, "2001:db8:1::99").SourceAddress);
    }

    [Fact]
    public void IPv6HigherRouterPreferenceWinsAtEqualMetric()
    {
        var host = Lan().Route("2001:db8:99::/48 via fe80::1 dev eth0 metric 100 pref low").Route("2001:db8:99::/48 via fe80::2 dev eth1 metric 100 pref high");
        AssertRoute(Resolve(host, "2001:db8:99::1"), RouteType.Unicast, "eth1", "fe80::2", "2001:db8:2::10");
    }

    [Fact]
    public void ExplainTracesEveryRuleAndTheWinningRoute()
    {
        var host = Lan().DefaultRules().Rule("100: from 203.0.113.0/24 lookup 100");
        var d = Resolve(host, "8.8.8.8");
        Assert.Contains(d.Trace, s => s.Stage == RouteTraceStage.Rule && s.Subject.StartsWith("100:") && s.Outcome.StartsWith("does not match"));
        Assert.Contains(d.Trace, s => s.Stage == RouteTraceStage.Route && s.Outcome.StartsWith("wins"));
        Assert.Equal(RouteTraceStage.Result, d.Trace.Last().Stage);
        Assert.Empty(host.Resolver().Resolve(new RouteQuery(IPAddress.Parse("8.8.8.8"))).Trace);
    }
}

using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Core.Tests.Support;
using PSLoopback.Routing;

namespace PSLoopback.Core.Tests.Routing;

/// <summary>
/// VRF lookups on the host of fib_rule_tests.sh's VRF runs (setup_vrf: dummy0 enslaved to vrf0, table 1000)
/// and fcnal-test.sh's, with the routes the kernel moves into the VRF's table. The answers are those the kernel
/// sources give (l3mdev_update_flow, l3mdev_fib_rule_match, ip_route_output_key_hash_rcu, vrf_link_scope_lookup);
/// this machine's kernel has no vrf driver, so none of them was checked against `ip route get`.
/// </summary>
public class VrfResolverTests
{
    private const int Dummy0 = 2;
    private const int Dummy1 = 3;
    private const int Eth0 = 4;
    private const int Vrf0 = 5;
    private const int Eth1 = 6;

    /// <summary>
    /// The slaves come before eth0 in index order, so a source chosen across the domains would be theirs; vrf0
    /// may have an address of its own, as fcnal-test.sh gives it.
    /// </summary>
    private static SnapshotBuilder Host(params string[] vrfAddresses) => SnapshotBuilder.WithLoopback()
        .Interface(Dummy0, "dummy0", false, "192.51.100.1/24", "2001:db8:1::1/64", "fe80::3/64")
        .Interface(Dummy1, "dummy1", false)
        .Interface(Eth0, "eth0", false, "192.0.2.10/24", "2001:db8:7:1::10/64")
        .Vrf(Vrf0, "vrf0", 1000, vrfAddresses)
        .Interface(Eth1, "eth1", false)
        .Enslave("dummy0", "vrf0")
        .Enslave("dummy1", "vrf0")
        .Rule("0: lookup local").Rule("1000: l3mdev").Rule("32766: lookup main").Rule("32767: lookup default")
        .Rule("0: lookup local", IPAddressFamily.IPv6).Rule("1000: l3mdev", IPAddressFamily.IPv6).Rule("32766: lookup main", IPAddressFamily.IPv6)
        .Route("local 192.0.2.10 dev eth0 table local scope host src 192.0.2.10")
        .Route("192.0.2.0/24 dev eth0 scope link src 192.0.2.10")
        .Route("10.8.0.0/16 dev eth1 scope link")
        .Route("default via 192.0.2.1 dev eth0")
        .Route("local 192.51.100.1 dev dummy0 table 1000 scope host src 192.51.100.1")
        .Route("broadcast 192.51.100.255 dev dummy0 table 1000 scope link src 192.51.100.1")
        .Route("192.51.100.0/24 dev dummy0 table 1000 scope link src 192.51.100.1")
        .Route("10.9.0.0/16 dev dummy1 table 1000 scope link")
        .Route("local 2001:db8:7:1::10 dev eth0 table local")
        .Route("2001:db8:7:1::/64 dev eth0 metric 256")
        .Route("default via 2001:db8:7:1::1 dev eth0 metric 1024")
        .Route("local 2001:db8:1::1 dev dummy0 table 1000")
        .Route("local fe80::3 dev dummy0 table 1000")
        .Route("2001:db8:1::/64 dev dummy0 table 1000 metric 256")
        .Route("2001:db8:7::/64 dev dummy1 table 1000 metric 256")
        .Route("fe80::/64 dev dummy0 table 1000 metric 256");

    private static RouteDecision Resolve(SnapshotBuilder host, string destination, int? oif = null, int? vrf = null) =>
        host.Resolver().Resolve(new RouteQuery(IPAddress.Parse(destination)) { OutputInterfaceIndex = oif, VrfInterfaceIndex = vrf }, explain: true);

    private static void AssertRoute(RouteDecision d, RouteType type, string dev, uint table, string src, string via = "0.0.0.0")
    {
        Assert.True(d.Error == RouteError.None, d.Reason);
        Assert.Equal((type, dev, (uint?)table, IPAddress.Parse(src), IPAddress.Parse(via)), (d.RouteType, d.InterfaceAlias, d.Table, d.SourceAddress, d.NextHop));
    }

    [Fact]
    public void AForwardedPacketIsRoutedInTheVrfOfTheInterfaceItArrivesOn()
    {
        var host = Host()
            .Setting("net.ipv4.conf.dummy0.forwarding", 1)
            .Setting("net.ipv4.conf.eth0.forwarding", 1)
            .Rule("900: iif vrf0 lookup 1000");
        RouteDecision Arrive(string from, int iif) =>
            host.Resolver().Resolve(new RouteQuery(IPAddress.Parse("10.9.0.7")) { Source = IPAddress.Parse(from), InputInterfaceIndex = iif }, explain: true);

        // l3mdev_update_flow takes the flow's VRF from the input interface: the iif vrf0 rule matches a packet
        // arriving on its slave dummy0, and table 1000 sends it out dummy1; one arriving on eth0 stays in main.
        var inVrf = Arrive("192.51.100.5", Dummy0);
        Assert.Equal((RouteType.Unicast, "dummy1", (uint?)1000u, (uint?)900u), (inVrf.RouteType, inVrf.InterfaceAlias, inVrf.Table, inVrf.RulePriority));
        var outside = Arrive("192.0.2.5", Eth0);
        Assert.Equal((RouteType.Unicast, "eth0", (uint?)RouteTables.Main), (outside.RouteType, outside.InterfaceAlias, outside.Table));
    }

    [Fact]
    public void TheL3mdevRuleMatchesAnOifEnslavedToTheVrfAndLooksUpItsTable()
    {
        // ip route get 192.51.100.2 oif dummy0: 192.51.100.2 dev dummy0 table 1000 src 192.51.100.1
        var d = Resolve(Host(), "192.51.100.2", oif: Dummy0);
        AssertRoute(d, RouteType.Unicast, "dummy0", 1000, "192.51.100.1");
        Assert.Equal(1000u, d.RulePriority);
    }

    [Fact]
    public void TheVrfSelectorIsTheVrfDeviceAsOifAndAnyInterfaceOfItsTableMayCarryThePacket()
    {
        // ip route get 10.9.1.1 vrf vrf0: the route leaves by dummy1, not the vrf0 that was asked for.
        var d = Resolve(Host("10.255.0.1/32"), "10.9.1.1", vrf: Vrf0);
        AssertRoute(d, RouteType.Unicast, "dummy1", 1000, "10.255.0.1");
        Assert.Equal(1000u, d.RulePriority);
    }

    [Fact]
    public void TheVrfDeviceAskedForAsOifDoesTheSameAsTheVrfSelector()
    {
        Assert.Equal("dummy0", Resolve(Host(), "192.51.100.2", oif: Vrf0).InterfaceAlias);
    }

    [Fact]
    public void AFlowOutsideTheVrfDoesNotMatchTheL3mdevRuleAndNeverSeesTheVrfTable()
    {
        // The VRF's connected route is not in main: 192.51.100.2 goes by the default route.
        var plain = Resolve(Host(), "192.51.100.2");
        AssertRoute(plain, RouteType.Unicast, "eth0", 254, "192.0.2.10", via: "192.0.2.1");
        Assert.Contains(plain.Trace, s => s.Subject.Contains("l3mdev") && s.Outcome.Contains("no VRF"));

        var byEth0 = Resolve(Host(), "192.51.100.2", oif: Eth0);
        AssertRoute(byEth0, RouteType.Unicast, "eth0", 254, "192.0.2.10", via: "192.0.2.1");
        Assert.Equal(32766u, byEth0.RulePriority);
    }

    [Fact]
    public void ASourceForAnAddresslessSlaveComesFromTheVrfDeviceFirst()
    {
        // inet_select_addr: dummy1 has no address, so vrf0's own, not dummy0's (the first interface with one).
        Assert.Equal(IPAddress.Parse("10.255.0.1"), Resolve(Host("10.255.0.1/32"), "10.9.1.1", oif: Dummy1).SourceAddress);
    }

    [Fact]
    public void ASourceForAnAddresslessSlaveStaysInsideTheVrf()
    {
        // vrf0 has no address either: the next candidates are the VRF's own interfaces, never eth0.
        Assert.Equal(IPAddress.Parse("192.51.100.1"), Resolve(Host(), "10.9.1.1", oif: Dummy1).SourceAddress);
    }

    [Fact]
    public void ASourceOutsideAnyVrfIsNotTakenFromAVrfsInterfaces()
    {
        // eth1 has no address; dummy0 comes first in index order but is in vrf0, so eth0's address is chosen.
        Assert.Equal(IPAddress.Parse("192.0.2.10"), Resolve(Host(), "10.8.1.1").SourceAddress);
    }

    [Fact]
    public void ALocalAddressOfTheVrfLoopsThroughTheVrfDevice()
    {
        // ip route get 192.51.100.1 vrf vrf0: local 192.51.100.1 dev vrf0 table 1000 src 192.51.100.1
        var d = Resolve(Host(), "192.51.100.1", vrf: Vrf0);
        AssertRoute(d, RouteType.Local, "vrf0", 1000, "192.51.100.1");
        Assert.Contains("the VRF device vrf0", d.Reason);
    }

    [Fact]
    public void AVrfLookupWithoutAMatchGoesOnToTheNextRules()
    {
        // fib_rules_lookup goes on after a table without a match: the VRF leaks into main, which is why
        // fcnal-test.sh gives every VRF table an unreachable default.
        AssertRoute(Resolve(Host(), "203.0.113.1", vrf: Vrf0), RouteType.Unicast, "eth0", 254, "192.0.2.10", via: "192.0.2.1");

        var sealedOff = Resolve(Host().Route("unreachable default table 1000 metric 4278198272"), "203.0.113.1", vrf: Vrf0);
        Assert.Equal((RouteError.HostUnreachable, (uint?)1000u), (sealedOff.Error, sealedOff.Table));
    }

    [Fact]
    public void AFailedLookupThroughAnEnslavedOifIsNotTakenToBeOnLink()
    {
        // Outside a VRF, Linux would send on dummy0's link; flowi4_l3mdev stops that.
        var d = Resolve(Host(), "203.0.113.1", oif: Dummy0);
        Assert.Equal(RouteError.NetworkUnreachable, d.Error);

        var outside = Resolve(Host(), "203.0.113.1", oif: Eth1);
        Assert.Equal((RouteError.None, "eth1"), (outside.Error, outside.InterfaceAlias));
    }

    [Fact]
    public void AnOifRuleNamingTheVrfMatchesItsInterfacesAndTheVrfItself()
    {
        // fib_rule_tests.sh, VRF run: "ip rule add oif vrf0 table 100"; get ... oif dummy0 matches, oif lo does not.
        var host = Host().Rule("999: oif vrf0 lookup 100").Route("default via 192.51.100.2 dev dummy0 table 100");
        Assert.Equal(100u, Resolve(host, "192.51.100.2", oif: Dummy0).Table);
        Assert.Equal(100u, Resolve(host, "192.51.100.2", vrf: Vrf0).Table);
        Assert.NotEqual(100u, Resolve(host, "192.51.100.2", oif: 1).Table);
    }

    [Fact]
    public void AnOifRuleNamingASlaveDoesNotMatchTheVrfAskedForAsAWhole()
    {
        // Asking for vrf0 clears the oif before the rules see it.
        var host = Host().Rule("999: oif dummy0 lookup 100").Route("default via 192.51.100.2 dev dummy0 table 100");
        Assert.Equal(100u, Resolve(host, "192.51.100.2", oif: Dummy0).Table);
        Assert.Equal(1000u, Resolve(host, "192.51.100.2", vrf: Vrf0).Table);
    }

    [Fact]
    public void AnInvertedL3mdevRuleLooksUpMainForAFlowInNoVrf()
    {
        var d = Resolve(Host().Rule("500: not l3mdev"), "192.0.2.77");
        Assert.Equal((500u, (uint?)254u, "eth0"), (d.RulePriority!.Value, d.Table, d.InterfaceAlias));
        Assert.Equal(1000u, Resolve(Host().Rule("500: not l3mdev"), "192.51.100.2", oif: Dummy0).RulePriority);
    }

    [Fact]
    public void IPv6TheL3mdevRuleLooksUpTheVrfTable()
    {
        // ip -6 route get 2001:db8:1::2 vrf vrf0: 2001:db8:1::2 dev dummy0 table 1000 src 2001:db8:1::1
        AssertRoute(Resolve(Host(), "2001:db8:1::2", vrf: Vrf0), RouteType.Unicast, "dummy0", 1000, "2001:db8:1::1", via: "::");
        AssertRoute(Resolve(Host(), "2001:db8:1::2"), RouteType.Unicast, "eth0", 254, "2001:db8:7:1::10", via: "2001:db8:7:1::1");
    }

    [Fact]
    public void IPv6SourceSelectionKeepsToTheVrf()
    {
        // eth0's 2001:db8:7:1::10 shares 63 bits with the destination, dummy0's 45, but eth0 is not in vrf0.
        Assert.Equal(IPAddress.Parse("2001:db8:1::1"), Resolve(Host(), "2001:db8:7::5", vrf: Vrf0).SourceAddress);
    }

    [Fact]
    public void IPv6LinkLocalThroughASlaveIsLookedUpInTheVrfTableWithoutTheRules()
    {
        var host = Host().Rule("10: prohibit", IPAddressFamily.IPv6);
        AssertRoute(Resolve(host, "fe80::99", oif: Dummy0), RouteType.Unicast, "dummy0", 1000, "fe80::3", via: "::");
        Assert.Equal(RouteError.PermissionDenied, Resolve(host, "2001:db8:1::2", oif: Dummy0).Error);
    }

    [Fact]
    public void IPv6LinkLocalThroughTheVrfDeviceIsUnreachable()
    {
        Assert.Equal(RouteError.NetworkUnreachable, Resolve(Host(), "fe80::99", vrf: Vrf0).Error);
    }

    [Fact]
    public void IPv6LocalAddressesLoopThroughTheVrfDeviceUnlessLinkLocal()
    {
        AssertRoute(Resolve(Host(), "2001:db8:1::1", vrf: Vrf0), RouteType.Local, "vrf0", 1000, "2001:db8:1::1", via: "::");
        Assert.Equal("lo", Resolve(Host(), "fe80::3", oif: Dummy0).InterfaceAlias);
    }

    [Theory]
    [InlineData(Eth0, null)]
    [InlineData(99, null)]
    [InlineData(Vrf0, Eth0)]
    public void AVrfThatIsNoneOrAnOifOutsideItIsRefused(int vrf, int? oif)
    {
        var d = Resolve(Host(), "192.51.100.2", oif: oif, vrf: vrf);
        Assert.Equal(RouteError.InvalidArgument, d.Error);
    }

    [Fact]
    public void AnOifInsideTheVrfAskedForIsAccepted()
    {
        AssertRoute(Resolve(Host(), "192.51.100.2", oif: Dummy0, vrf: Vrf0), RouteType.Unicast, "dummy0", 1000, "192.51.100.1");
    }
}

using System.Linq;
using System.Net;
using PSLoopback.Core.Tests.Support;
using PSLoopback.Routing;
using Xunit;

namespace PSLoopback.Core.Tests.Routing;

/// <summary>
/// Routes through one nexthop object share the route the kernel caches on it (per CPU), made by whichever of them
/// was looked up first: the answer's MTU, and on IPv6 its source, may be another route's. The hosts are the one
/// checked on 6.18 with `taskset -c 0 ip route get`: the second route printed the first one's src and mtu.
/// </summary>
public class SharedNextHopTests
{
    private static SnapshotBuilder Host() => SnapshotBuilder.WithLoopback()
        .Interface(2, "eth0", false, "2001:db8:1::1/64", "192.0.2.1/24")
        .Interface(3, "eth1", false, "2001:db8:2::1/64")
        .Interface(4, "eth2", false, "2001:db8:9::5/128", "2001:db8:9::6/128", "198.51.100.5/32", "198.51.100.6/32")
        .Route("2001:db8:1::/64 dev eth0 metric 256")
        .Route("2001:db8:2::/64 dev eth1 metric 256")
        .Route("192.0.2.0/24 dev eth0 scope link src 192.0.2.1")
        .NextHop("id 10 via 2001:db8:1::2 dev eth0")
        .NextHop("id 11 via 2001:db8:2::2 dev eth1")
        .NextHop("id 20 group 10")
        .NextHop("id 30 via 192.0.2.2 dev eth0")
        .NextHop("id 31 group 30");

    private static RouteDecision Resolve(SnapshotBuilder host, string destination, bool explain = false) =>
        host.Resolver().Resolve(new RouteQuery(IPAddress.Parse(destination)), explain);

    private static SnapshotBuilder PrefsrcAndMtu() => Host()
        .Route("2001:db8:50::/64 nhid 10 src 2001:db8:9::5 mtu 1400")
        .Route("2001:db8:60::/64 nhid 20 src 2001:db8:9::6");

    [Fact]
    public void ARouteThroughAGroupMemberNamesTheRouteThroughThatMemberAndWhatTheKernelWouldSayThen()
    {
        var decision = Resolve(PrefsrcAndMtu(), "2001:db8:60::1", explain: true);

        Assert.Equal(IPAddress.Parse("2001:db8:9::6"), decision.SourceAddress);
        Assert.Null(decision.Mtu);
        var other = Assert.Single(decision.RoutesSharingNextHop);
        Assert.Equal("2001:db8:50::/64", other.Route.DestinationPrefix.ToString());
        Assert.Equal(10u, other.NextHopId);
        Assert.Equal(IPAddress.Parse("2001:db8:9::5"), other.SourceAddress);
        Assert.Equal(1400, other.Mtu);
        Assert.Contains("src 2001:db8:9::5 mtu 1400 of 2001:db8:50::/64", decision.Reason);
        Assert.Contains("nexthop 10", decision.Reason);
        Assert.Contains(decision.Trace, s => s.Stage == RouteTraceStage.Source && s.Outcome.Contains("whichever route"));
    }

    [Fact]
    public void TheRouteThroughTheNexthopItselfNamesTheGroupsRoute()
    {
        var decision = Resolve(PrefsrcAndMtu(), "2001:db8:50::1");

        Assert.Equal(1400, decision.Mtu);
        var other = Assert.Single(decision.RoutesSharingNextHop);
        Assert.Equal(IPAddress.Parse("2001:db8:9::6"), other.SourceAddress);
        Assert.Null(other.Mtu);
    }

    [Fact]
    public void RoutesThatWouldGiveTheSameAnswerAreNotNamed()
    {
        var host = Host()
            .Route("2001:db8:50::/64 nhid 10")
            .Route("2001:db8:60::/64 nhid 20")
            .Route("2001:db8:70::/64 nhid 11 src 2001:db8:9::5");

        var decision = Resolve(host, "2001:db8:60::1");

        Assert.Empty(decision.RoutesSharingNextHop);
        Assert.DoesNotContain("whichever route", decision.Reason);
    }

    [Fact]
    public void AGroupsRouteTakesItsSourceFromItsFirstMembersDeviceSoItDiffersEvenWithoutPrefsrc()
    {
        var host = Host()
            .NextHop("id 40 group 10/11")
            .Route("2001:db8:50::/64 nhid 40")
            .Route("2001:db8:60::/64 nhid 11");

        var decision = Resolve(host, "2001:db8:60::1");

        Assert.Equal(IPAddress.Parse("2001:db8:2::1"), decision.SourceAddress);
        var other = Assert.Single(decision.RoutesSharingNextHop);
        Assert.Equal(IPAddress.Parse("2001:db8:1::1"), other.SourceAddress);
    }

    [Fact]
    public void IPv4NamesOnlyTheMtuSinceTheCachedRouteDoesNotCarryTheSource()
    {
        var host = Host()
            .Route("203.0.113.0/26 nhid 30 src 198.51.100.5 mtu 1400")
            .Route("203.0.113.64/26 nhid 31 src 198.51.100.6");

        var decision = Resolve(host, "203.0.113.70");

        Assert.Equal(IPAddress.Parse("198.51.100.6"), decision.SourceAddress);
        var other = Assert.Single(decision.RoutesSharingNextHop);
        Assert.Equal(IPAddress.Parse("198.51.100.6"), other.SourceAddress);
        Assert.Equal(1400, other.Mtu);
        Assert.Contains("mtu 1400 of 203.0.113.0/26", decision.Reason);
        Assert.DoesNotContain("src 198.51.100.5", decision.Reason);

        var prefsrcOnly = Host()
            .Route("203.0.113.0/26 nhid 30 src 198.51.100.5")
            .Route("203.0.113.64/26 nhid 31 src 198.51.100.6");
        Assert.Empty(Resolve(prefsrcOnly, "203.0.113.70").RoutesSharingNextHop);
    }

    [Fact]
    public void AnIPv4RouteThroughAnIPv6NexthopSharesNothingWithIPv6Routes()
    {
        var host = Host()
            .Route("203.0.113.0/24 nhid 10 mtu 1300")
            .Route("2001:db8:60::/64 nhid 20");

        Assert.Empty(Resolve(host, "2001:db8:60::1").RoutesSharingNextHop);
    }

    [Fact]
    public void ClassicRoutesWithTheirOwnNextHopsShareNothing()
    {
        var host = Host()
            .Route("2001:db8:50::/64 via 2001:db8:1::2 dev eth0 src 2001:db8:9::5")
            .Route("2001:db8:60::/64 via 2001:db8:1::2 dev eth0 src 2001:db8:9::6");

        Assert.Empty(Resolve(host, "2001:db8:60::1").RoutesSharingNextHop);
    }

    private static KernelRouteAnswer Kernel(string src, int? mtu) => new()
    {
        RouteType = RouteType.Unicast,
        InterfaceAlias = "eth0",
        InterfaceIndex = 2,
        Gateway = IPAddress.Parse("2001:db8:1::2"),
        PreferredSource = IPAddress.Parse(src),
        Mtu = mtu,
    };

    [Fact]
    public void VerifyCallsTheOtherRoutesAnswerItsOwnVerdictNeverAgreement()
    {
        var query = new RouteQuery(IPAddress.Parse("2001:db8:60::1"));
        var ours = PrefsrcAndMtu().Resolver().Resolve(query);

        Assert.Equal(KernelVerdict.Agrees, RouteVerification.Verify(query, ours, Kernel("2001:db8:9::6", null)).Verdict);
        var cached = RouteVerification.Verify(query, ours, Kernel("2001:db8:9::5", 1400));
        Assert.Equal(KernelVerdict.CachedFromOtherRoute, cached.Verdict);
        Assert.Contains(cached.Differences, d => d.StartsWith("source:", System.StringComparison.Ordinal));
        Assert.Equal(KernelVerdict.Differs, RouteVerification.Verify(query, ours, Kernel("2001:db8:9::5", null)).Verdict);
        Assert.Equal(KernelVerdict.Differs, RouteVerification.Verify(query, ours, Kernel("2001:db8:1::1", 1400)).Verdict);
    }

    [Fact]
    public void EachPathAHashMayTakeNamesTheRoutesThroughItsOwnMemberAndVerifyAcceptsTheirSourceOnThatPath()
    {
        var host = Host()
            .NextHop("id 40 group 10/11")
            .Route("2001:db8:50::/64 nhid 40")
            .Route("2001:db8:60::/64 nhid 11 src 2001:db8:9::6");
        var query = new RouteQuery(IPAddress.Parse("2001:db8:50::1"));

        var ours = host.Resolver().Resolve(query);

        Assert.Equal(RoutePathChoice.Hash, ours.PathChoice);
        Assert.Equal(IPAddress.Parse("2001:db8:1::1"), ours.SourceAddress);
        var other = Assert.Single(ours.RoutesSharingNextHop);
        Assert.Equal(11u, other.NextHopId);
        Assert.Equal("eth1", other.Path.InterfaceAlias);
        Assert.Equal(IPAddress.Parse("2001:db8:9::6"), other.SourceAddress);
        Assert.Contains("on the path via 2001:db8:2::2 dev eth1", ours.Reason);

        var kernel = new KernelRouteAnswer
        {
            RouteType = RouteType.Unicast, InterfaceAlias = "eth1", InterfaceIndex = 3,
            Gateway = IPAddress.Parse("2001:db8:2::2"), PreferredSource = IPAddress.Parse("2001:db8:9::6"),
        };
        var verified = RouteVerification.Verify(query, ours, kernel);
        Assert.Equal(KernelVerdict.HashChoseOtherPath, verified.Verdict);
        Assert.Equal(3, verified.KernelPath?.InterfaceIndex);
        kernel.PreferredSource = IPAddress.Parse("2001:db8:9::5");
        Assert.Equal(KernelVerdict.Differs, RouteVerification.Verify(query, ours, kernel).Verdict);
    }

    private static SnapshotBuilder LinkScopedFirst() => SnapshotBuilder.WithLoopback()
        .Interface(2, "v3", false, "10.199.252.171/12 link", "192.168.140.182/25")
        .Interface(3, "v4", false, "2001:db8:5::1/64")
        .Route("local 10.199.252.171 dev v3 table local scope host src 10.199.252.171")
        .Route("local 192.168.140.182 dev v3 table local scope host src 192.168.140.182")
        .Route("10.192.0.0/12 dev v3 scope link src 10.199.252.171")
        .Route("192.168.140.128/25 dev v3 scope link src 192.168.140.182")
        .Route("2001:db8:5::/64 dev v4 metric 256");

    [Fact]
    public void AnIPv4NexthopObjectKeepsTheSourceItChoseWhenMadeForTheScopeBelowItsOwn()
    {
        // Seen on 6.18 (random host, seed 32): a device-only nexthop (scope host) chose for link scope, so a route
        // of global scope through it leaves from the link-scoped address. Its gateways are in the link-scoped
        // address's subnet, so only the scope can keep that address out.
        var host = LinkScopedFirst()
            .NextHop("id 2 dev v3 scope host")
            .NextHop("id 3 via 10.192.0.1 dev v3 scope link")
            .NextHop("id 4 via 10.199.252.171 dev v3 scope host")
            .NextHop("id 5 via 2001:db8:5::2 dev v4 scope link")
            .NextHop("id 6 group 2")
            .Route("27.0.0.0/9 nhid 2").Route("28.0.0.0/9 nhid 3").Route("29.0.0.0/9 nhid 4").Route("30.0.0.0/9 nhid 5").Route("31.0.0.0/9 nhid 6");

        var deviceOnly = Resolve(host, "27.50.174.122", explain: true);
        Assert.Equal(IPAddress.Parse("10.199.252.171"), deviceOnly.SourceAddress);
        Assert.Contains("nexthop 2 chose when it was made (for scope link)", deviceOnly.Reason);
        Assert.Contains("this route's would give 192.168.140.182", deviceOnly.Reason);
        Assert.Contains(deviceOnly.Trace, s => s.Stage == RouteTraceStage.Source && s.Outcome.Contains("chose when it was made"));

        Assert.Equal(IPAddress.Parse("192.168.140.182"), Resolve(host, "28.1.2.3").SourceAddress);
        Assert.DoesNotContain("when it was made", Resolve(host, "28.1.2.3").Reason);

        // A gateway that is this host's address makes the nexthop of host scope: on-link, from the link-scoped address.
        var local = Resolve(host, "29.1.2.3");
        Assert.Equal(IPAddress.Parse("10.199.252.171"), local.SourceAddress);

        // Through a group, the member chose: the reason names it.
        Assert.Contains("nexthop 2 chose", Resolve(host, "31.1.2.3").Reason);

        var ownHops = Resolve(LinkScopedFirst().Route("27.0.0.0/9 dev v3"), "27.50.174.122");
        Assert.Equal(IPAddress.Parse("10.199.252.171"), ownHops.SourceAddress);
        var ownGlobal = Resolve(LinkScopedFirst().Route("27.0.0.0/9 via 10.192.0.1 dev v3"), "27.50.174.122");
        Assert.Equal(IPAddress.Parse("192.168.140.182"), ownGlobal.SourceAddress);
    }

    [Fact]
    public void AnIPv4RouteThroughAnIPv6NexthopChoosesItsSourceOnEveryLookupForItsOwnScope()
    {
        // The kernel keeps no IPv4 source on an IPv6 nexthop: inet_select_addr for the route's scope each time.
        var host = LinkScopedFirst()
            .NextHop("id 5 via 2001:db8:5::2 dev v3 scope link")
            .Route("30.0.0.0/9 nhid 5");

        var decision = Resolve(host, "30.1.2.3");

        Assert.Equal(IPAddress.Parse("192.168.140.182"), decision.SourceAddress);
        Assert.DoesNotContain("when it was made", decision.Reason);
    }

    [Fact]
    public void IPv4RoutesThroughOneIPv6NexthopShareItsCachedRoute()
    {
        var host = Host()
            .Route("203.0.113.0/24 nhid 10 mtu 1300")
            .Route("198.51.100.0/24 nhid 20");

        var other = Assert.Single(Resolve(host, "198.51.100.7").RoutesSharingNextHop);
        Assert.Equal("203.0.113.0/24", other.Route.DestinationPrefix.ToString());
        Assert.Equal(1300, other.Mtu);
    }

    [Fact]
    public void AMemberWhoseGatewayIsThisHostsAddressIsStillFoundByItsId()
    {
        // The kernel sends such a path on-link (the decision's next hop is 0.0.0.0); its cached route is still the member's.
        var host = Host()
            .NextHop("id 80 via 192.0.2.1 dev eth0")
            .NextHop("id 81 group 80")
            .Route("35.0.0.0/8 nhid 81")
            .Route("36.0.0.0/8 nhid 80 mtu 1200");

        var decision = Resolve(host, "35.1.1.1");

        Assert.Equal(IPAddress.Any, decision.NextHop);
        var other = Assert.Single(decision.RoutesSharingNextHop);
        Assert.Equal(80u, other.NextHopId);
        Assert.Equal(1200, other.Mtu);
    }

    [Fact]
    public void ForwardedIPv4PacketsShareOneCachedRoutePerNexthop()
    {
        var host = Host()
            .Route("203.0.113.0/26 nhid 30 mtu 1400")
            .Route("203.0.113.64/26 nhid 31")
            .Interface(5, "in0", false, "198.18.0.1/24")
            .Route("198.18.0.0/24 dev in0 scope link src 198.18.0.1")
            .Setting("net.ipv4.conf.in0.forwarding", 1);
        var query = new RouteQuery(IPAddress.Parse("203.0.113.70")) { InputInterfaceIndex = 5, Source = IPAddress.Parse("198.18.0.9") };

        var decision = host.Resolver().Resolve(query);

        Assert.True(decision.Error == RouteError.None, decision.Reason);
        Assert.Single(decision.RoutesSharingNextHop);
        Assert.Contains("one for all forwarded packets", decision.Reason);
        Assert.Contains("one per CPU", Resolve(host, "203.0.113.70").Reason);
    }
}

using System.Linq;
using System.Net;
using PSLoopback.Core.Tests.Support;
using PSLoopback.Routing;
using Xunit;

namespace PSLoopback.Core.Tests.Routing;

/// <summary>
/// The choices Linux makes by a gateway's neighbour entry (fib_select_multipath, nexthop_select_path,
/// fib_select_default, rt6_check_neigh) and the paths of nexthop objects, on hosts whose answer the kernel gives.
/// </summary>
public class NeighbourDecisionTests
{
    private static SnapshotBuilder Host() => SnapshotBuilder.WithLoopback()
        .Interface(2, "eth0", false, "192.0.2.10/24", "fe80::10/64")
        .Interface(3, "eth1", false, "198.51.100.10/24", "fe80::11/64")
        .Route("local 192.0.2.10 dev eth0 table local scope host src 192.0.2.10")
        .Route("local 198.51.100.10 dev eth1 table local scope host src 198.51.100.10")
        .Route("192.0.2.0/24 dev eth0 scope link src 192.0.2.10")
        .Route("198.51.100.0/24 dev eth1 scope link src 198.51.100.10")
        .Route("fe80::/64 dev eth0 metric 256")
        .Route("fe80::/64 dev eth1 metric 256")
        .NextHop("id 1 via 192.0.2.1 dev eth0")
        .NextHop("id 2 via 198.51.100.1 dev eth1")
        .NextHop("id 20 blackhole");

    private static RouteDecision Resolve(SnapshotBuilder host, string destination, int? oif = null) =>
        host.Resolver().Resolve(new RouteQuery(IPAddress.Parse(destination)) { OutputInterfaceIndex = oif }, explain: true);

    private static void AssertVia(RouteDecision decision, string gateway, string dev)
    {
        Assert.True(decision.Error == RouteError.None, decision.Reason);
        Assert.Equal(RouteType.Unicast, decision.RouteType);
        Assert.Equal(IPAddress.Parse(gateway), decision.NextHop);
        Assert.Equal(dev, decision.InterfaceAlias);
    }

    private static string[] PathGateways(RouteDecision decision) => decision.Paths.Select(p => p.NextHop.ToString()).ToArray();

    [Fact]
    public void ARouteDumpedWithOnlyItsNexthopIdLeavesByTheObjectsGateway()
    {
        var decision = Resolve(Host().Route("203.0.113.0/24 nhid 2"), "203.0.113.5");

        AssertVia(decision, "198.51.100.1", "eth1");
        Assert.Equal(IPAddress.Parse("198.51.100.10"), decision.SourceAddress);
    }

    [Fact]
    public void ABlackholeNexthopAnswersAsABlackholeRoute()
    {
        var decision = Resolve(Host().Route("203.0.113.0/24 nhid 20"), "203.0.113.5");

        Assert.Equal(RouteError.InvalidArgument, decision.Error);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(2)]
    public void AnIPv6RouteThroughABlackholeNexthopIsTakenWhateverTheOutputInterface(int? oif)
    {
        // Bound to eth0 or not, the kernel answers EINVAL from the blackhole, never the route through eth0 of the same metric.
        var decision = Resolve(Host().Route("2001:db8:99::/48 nhid 20 metric 100").Route("2001:db8:99::/48 via fe80::1 dev eth0 metric 100"), "2001:db8:99::9", oif);

        Assert.Equal(RouteError.InvalidArgument, decision.Error);
        Assert.Equal(RouteType.Blackhole, decision.RouteType);
    }

    [Fact]
    public void ANexthopObjectWithoutAPathOnTheOutputInterfaceEndsItsPrefix()
    {
        // fib_table_lookup's "goto miss": the metric-100 route of the same prefix through eth1 is never tried.
        var host = Host().Route("203.0.113.0/24 nhid 1 metric 10").Route("203.0.113.0/24 via 198.51.100.1 dev eth1 metric 100")
            .Route("203.0.0.0/16 via 198.51.100.254 dev eth1");

        AssertVia(Resolve(host, "203.0.113.5", oif: 3), "198.51.100.254", "eth1");
        AssertVia(Resolve(host, "203.0.113.5"), "192.0.2.1", "eth0");
    }

    [Fact]
    public void AGroupHashesOverItsMembersWhileEveryNeighbourIsGood()
    {
        var decision = Resolve(Host().NextHop("id 10 group 1/2").Route("203.0.113.0/24 nhid 10").Neighbor("192.0.2.1 dev eth0 REACHABLE"), "203.0.113.5");

        Assert.Equal(new[] { "192.0.2.1", "198.51.100.1" }, PathGateways(decision));
    }

    [Theory]
    [InlineData("FAILED")]
    [InlineData("INCOMPLETE")]
    public void AGroupSkipsAMemberWhoseNeighbourIsNotValidWithoutAnySysctl(string state)
    {
        var decision = Resolve(Host().NextHop("id 10 group 1/2").Route("203.0.113.0/24 nhid 10").Neighbor($"192.0.2.1 dev eth0 {state}"), "203.0.113.5");

        AssertVia(decision, "198.51.100.1", "eth1");
        Assert.Single(decision.Paths);
    }

    [Fact]
    public void AGroupWithNoGoodMemberKeepsTheFirst()
    {
        var decision = Resolve(Host().NextHop("id 10 group 1/2").Route("203.0.113.0/24 nhid 10")
            .Neighbor("192.0.2.1 dev eth0 FAILED").Neighbor("198.51.100.1 dev eth1 FAILED"), "203.0.113.5");

        AssertVia(decision, "192.0.2.1", "eth0");
    }

    [Fact]
    public void AResilientGroupLeavesItsBucketsToTheKernel()
    {
        var decision = Resolve(Host().NextHop("id 30 group 1/2 type resilient").Route("203.0.113.0/24 nhid 30").Neighbor("192.0.2.1 dev eth0 FAILED"), "203.0.113.5");

        Assert.Equal(2, decision.Paths.Count);
    }

    [Theory]
    [InlineData(0, 2)]
    [InlineData(1, 1)]
    public void AnOldStyleMultipathRouteAvoidsAFailedGatewayOnlyWithUseNeigh(long useNeigh, int paths)
    {
        var decision = Resolve(Host().Setting("net.ipv4.fib_multipath_use_neigh", useNeigh)
            .Route("203.0.113.0/24 nexthop via 192.0.2.1 dev eth0 nexthop via 198.51.100.1 dev eth1")
            .Neighbor("192.0.2.1 dev eth0 FAILED"), "203.0.113.5");

        Assert.Equal(paths, decision.Paths.Count);
        Assert.Equal("198.51.100.1", PathGateways(decision).Last());
    }

    [Fact]
    public void ALookupBoundToAnInterfaceDoesNotChooseByNeighbour()
    {
        var decision = Resolve(Host().NextHop("id 10 group 1/2").Route("203.0.113.0/24 nhid 10").Neighbor("192.0.2.1 dev eth0 FAILED"), "203.0.113.5", oif: 2);

        AssertVia(decision, "192.0.2.1", "eth0");
    }

    private static SnapshotBuilder TwoDefaults(string firstState) => Host()
        .Route("default via 192.0.2.1 dev eth0 metric 100")
        .Route("default via 198.51.100.1 dev eth1 metric 100")
        .Neighbor($"192.0.2.1 dev eth0 {firstState}");

    [Theory]
    [InlineData("FAILED", "198.51.100.1")]
    [InlineData("INCOMPLETE", "198.51.100.1")]
    [InlineData("REACHABLE", "192.0.2.1")]
    public void OfSeveralDefaultRoutesTheFirstWhoseGatewayIsAliveWins(string firstState, string expected)
    {
        var decision = Resolve(TwoDefaults(firstState), "203.0.113.5");

        Assert.Equal(IPAddress.Parse(expected), decision.NextHop);
        Assert.Single(decision.Paths);
    }

    [Fact]
    public void AStaleGatewayDependsOnTheTablesLastChoiceAndSaysSo()
    {
        var decision = Resolve(TwoDefaults("STALE"), "203.0.113.5");

        AssertVia(decision, "192.0.2.1", "eth0");
        Assert.Equal(new[] { "192.0.2.1", "198.51.100.1" }, PathGateways(decision));
        Assert.Contains(decision.Trace, s => s.Outcome.Contains("fa_default"));
        Assert.Equal(RoutePathChoice.TableLastChoice, decision.PathChoice);

        // The kernel taking the other default is its own -Verify verdict, never agreement.
        var kernel = new KernelRouteAnswer { RouteType = RouteType.Unicast, InterfaceAlias = "eth1", InterfaceIndex = 3, Gateway = IPAddress.Parse("198.51.100.1"), PreferredSource = decision.Paths[1].SourceAddress };
        Assert.Equal(KernelVerdict.LastChoiceTookOtherPath, RouteVerification.Verify(new RouteQuery(IPAddress.Parse("203.0.113.5")), decision, kernel, HostOS.Linux).Verdict);
    }

    [Fact]
    public void ADefaultRouteOfAHigherMetricIsNotAFallback()
    {
        var decision = Resolve(Host()
            .Route("default via 192.0.2.1 dev eth0 metric 100")
            .Route("default via 198.51.100.1 dev eth1 metric 200")
            .Neighbor("192.0.2.1 dev eth0 FAILED"), "203.0.113.5");

        AssertVia(decision, "192.0.2.1", "eth0");
    }

    [Fact]
    public void ALookupBoundToAnInterfaceTakesTheDefaultRouteAsFound()
    {
        var decision = Resolve(TwoDefaults("FAILED"), "203.0.113.5", oif: 2);

        AssertVia(decision, "192.0.2.1", "eth0");
    }

    [Fact]
    public void AnIPv6GroupTakesItsSourceFromTheFirstMembersDeviceWhicheverPathItTakes()
    {
        var host = SnapshotBuilder.WithLoopback()
            .Interface(2, "eth0", false, "2001:db8:1::10/64")
            .Interface(3, "eth1", false, "2001:db8:2::10/64")
            .Route("local 2001:db8:1::10 dev eth0 table local")
            .Route("local 2001:db8:2::10 dev eth1 table local")
            .Route("2001:db8:1::/64 dev eth0 metric 256")
            .Route("2001:db8:2::/64 dev eth1 metric 256")
            .NextHop("id 41 via 2001:db8:1::1 dev eth0")
            .NextHop("id 42 via 2001:db8:2::1 dev eth1")
            .NextHop("id 43 group 41/42")
            .Route("2001:db8:9::/48 nhid 43 metric 1024")
            .Neighbor("2001:db8:1::1 dev eth0 INCOMPLETE");

        var decision = Resolve(host, "2001:db8:9::1");

        AssertVia(decision, "2001:db8:2::1", "eth1");
        Assert.Equal(IPAddress.Parse("2001:db8:1::10"), decision.SourceAddress);
    }

    private static SnapshotBuilder TwoIPv6Routers(string state) => Host()
        .Route("2001:db8:9::/48 via fe80::1 dev eth0 metric 1024")
        .Route("default via fe80::2 dev eth1 metric 1024")
        .Neighbor($"fe80::1 dev eth0 {state}");

    [Theory]
    [InlineData("FAILED", "fe80::2", "eth1")]
    [InlineData("INCOMPLETE", "fe80::1", "eth0")]
    [InlineData("STALE", "fe80::1", "eth0")]
    public void AnIPv6HostAvoidsAFailedRouterForAShorterRoute(string state, string gateway, string dev)
    {
        var decision = Resolve(TwoIPv6Routers(state), "2001:db8:9::1");

        AssertVia(decision, gateway, dev);
    }

    [Fact]
    public void AnIPv6RouterDoesNotAvoidFailedRouters()
    {
        var decision = Resolve(TwoIPv6Routers("FAILED").Setting("net.ipv6.conf.all.forwarding", 1), "2001:db8:9::1");

        AssertVia(decision, "fe80::1", "eth0");
    }

    [Fact]
    public void WhenEveryIPv6RouterFailedTheyAreTakenAfterAll()
    {
        var decision = Resolve(TwoIPv6Routers("FAILED").Neighbor("fe80::2 dev eth1 FAILED"), "2001:db8:9::1");

        AssertVia(decision, "fe80::1", "eth0");
    }
}

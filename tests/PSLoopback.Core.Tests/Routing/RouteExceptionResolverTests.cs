using System;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Core.Tests.Support;
using PSLoopback.Routing;

namespace PSLoopback.Core.Tests.Routing;

/// <summary>
/// Answers from the route exception cache, as kernel 6.18 gives them after icmp_redirect.sh's redirect and
/// pmtu.sh's "fragmentation needed": IPv4 find_exception on the chosen next hop, IPv6 rt6_find_cached_rt.
/// </summary>
public class RouteExceptionResolverTests
{
    private static SnapshotBuilder Host() => SnapshotBuilder.WithLoopback()
        .Interface(2, "br0", false, "172.16.1.1/24", "2001:db8:16:1::1/64", "fe80::10/64")
        .Interface(3, "eth1", false, "198.51.100.10/24", "2001:db8:2::10/64", "fe80::11/64")
        .Route("local 172.16.1.1 dev br0 table local scope host src 172.16.1.1")
        .Route("local 198.51.100.10 dev eth1 table local scope host src 198.51.100.10")
        .Route("172.16.1.0/24 dev br0 scope link src 172.16.1.1")
        .Route("198.51.100.0/24 dev eth1 scope link src 198.51.100.10")
        .Route("172.16.2.0/24 via 172.16.1.253 dev br0")
        .Route("local 2001:db8:16:1::1 dev br0 table local")
        .Route("local 2001:db8:2::10 dev eth1 table local")
        .Route("2001:db8:16:1::/64 dev br0 metric 256")
        .Route("2001:db8:2::/64 dev eth1 metric 256")
        .Route("fe80::/64 dev br0 metric 256")
        .Route("fe80::/64 dev eth1 metric 256")
        .Route("2001:db8:16:2::/64 via fe80::253 dev br0 metric 1024");

    private static NetRouteException Entry(string destination, string via, int dev = 2, bool redirected = false, int? mtu = null, uint table = RouteTables.Main, uint metric = 0, string? source = null) => new()
    {
        Destination = IPAddress.Parse(destination),
        NextHop = IPAddress.Parse(via),
        InterfaceIndex = dev,
        InterfaceAlias = dev == 2 ? "br0" : "eth1",
        Redirected = redirected,
        Mtu = mtu,
        Table = table,
        RouteMetric = metric,
        Source = source is null ? null : IPAddress.Parse(source),
        Expires = TimeSpan.FromSeconds(298),
        ReadAt = new DateTime(2026, 12, 1, 11, 0, 0, DateTimeKind.Utc),
    };

    private static RouteDecision Resolve(RouteSnapshot snapshot, string destination, string? from = null) =>
        new LinuxRouteResolver(snapshot).Resolve(new RouteQuery(IPAddress.Parse(destination)) { Source = from is null ? null : IPAddress.Parse(from) }, explain: true);

    private static RouteSnapshot With(SnapshotBuilder host, params NetRouteException[] exceptions)
    {
        var snapshot = host.Build();
        snapshot.Exceptions = exceptions;
        return snapshot;
    }

    [Fact]
    public void Ipv4RedirectGivesTheGatewayForItsDestinationOnly()
    {
        var snapshot = With(Host(), Entry("172.16.2.2", "172.16.1.254", redirected: true));

        var redirected = Resolve(snapshot, "172.16.2.2");
        var other = Resolve(snapshot, "172.16.2.3");

        Assert.Equal(IPAddress.Parse("172.16.1.254"), redirected.NextHop);
        Assert.Equal(IPAddress.Parse("172.16.1.254"), Assert.Single(redirected.Paths).NextHop);
        Assert.True(redirected.FromCache);
        Assert.True(redirected.Redirected);
        Assert.Equal(IPAddress.Parse("172.16.1.1"), redirected.SourceAddress);
        Assert.Null(redirected.Mtu);
        Assert.Contains("redirected to 172.16.1.254", redirected.Reason, StringComparison.Ordinal);
        Assert.Contains(redirected.Trace, s => s.Stage == RouteTraceStage.Path && s.Subject.Contains("cache <redirected>", StringComparison.Ordinal));
        Assert.Equal(IPAddress.Parse("172.16.1.253"), other.NextHop);
        Assert.False(other.FromCache);
    }

    [Fact]
    public void Ipv4PathMtuKeepsTheGatewayAndGivesTheMtu()
    {
        var decision = Resolve(With(Host(), Entry("172.16.2.2", "172.16.1.253", mtu: 1300)), "172.16.2.2");

        Assert.Equal(IPAddress.Parse("172.16.1.253"), decision.NextHop);
        Assert.True(decision.FromCache);
        Assert.False(decision.Redirected);
        Assert.Equal(1300, decision.Mtu);
        Assert.Equal(1300, decision.PathMtu);
    }

    /// <summary>The entry belongs to a next hop: another table's, another device's or another gateway's is not this one's.</summary>
    [Theory]
    [InlineData(100u, 2, "172.16.1.253")]
    [InlineData(254u, 3, "172.16.1.253")]
    [InlineData(254u, 2, "172.16.1.252")]
    public void Ipv4EntryOfAnotherNextHopIsNotUsed(uint table, int dev, string via)
    {
        var decision = Resolve(With(Host(), Entry("172.16.2.2", via, dev: dev, mtu: 1300, table: table)), "172.16.2.2");

        Assert.False(decision.FromCache);
        Assert.Null(decision.Mtu);
        Assert.Equal(IPAddress.Parse("172.16.1.253"), decision.NextHop);
    }

    [Fact]
    public void TheRoutesMtuMetricIsReportedWithoutAnEntryAndUnderARedirectWithoutOne()
    {
        var host = Host();
        var snapshot = With(host, Entry("172.16.2.2", "172.16.1.254", redirected: true));
        snapshot.Routes.Single(r => r.DestinationPrefix.ToString() == "172.16.2.0/24").Mtu = 1400;

        Assert.Equal(1400, Resolve(snapshot, "172.16.2.3").Mtu);
        var redirected = Resolve(snapshot, "172.16.2.2");
        Assert.Equal(1400, redirected.Mtu);
        Assert.True(redirected.FromCache);
    }

    [Fact]
    public void WithoutAnyMtuThePathTakesTheDevicesAndIpReportsNone()
    {
        var snapshot = With(Host());
        snapshot.FindInterface(2)!.Mtu = 1500;

        var decision = Resolve(snapshot, "172.16.2.2");

        Assert.Null(decision.Mtu);
        Assert.Equal(1500, decision.PathMtu);
    }

    [Fact]
    public void LocalAnswersAndRefusalsTakeNoEntry()
    {
        var host = Host().Route("unreachable 10.9.0.0/16");
        var snapshot = With(host, Entry("172.16.1.1", "0.0.0.0", dev: 1, mtu: 1300, table: RouteTables.Local), Entry("10.9.0.1", "0.0.0.0", mtu: 1300));

        var local = Resolve(snapshot, "172.16.1.1");
        var refused = Resolve(snapshot, "10.9.0.1");

        Assert.Equal(RouteType.Local, local.RouteType);
        Assert.False(local.FromCache);
        Assert.Null(local.Mtu);
        Assert.Equal(RouteError.HostUnreachable, refused.Error);
        Assert.False(refused.FromCache);
        Assert.Null(refused.PathMtu);
    }

    [Fact]
    public void Ipv6EntryIsTheRoutesByMetricAndRedirectsWhenItsGatewayDiffers()
    {
        var pmtu = With(Host(), Entry("2001:db8:16:2::2", "fe80::253", mtu: 1300, metric: 1024));
        var redirect = With(Host(), Entry("2001:db8:16:2::2", "fe80::254", mtu: 1300, metric: 1024));
        var otherRoute = With(Host(), Entry("2001:db8:16:2::2", "fe80::254", mtu: 1300, metric: 256));

        var learned = Resolve(pmtu, "2001:db8:16:2::2");
        var redirected = Resolve(redirect, "2001:db8:16:2::2");
        var unused = Resolve(otherRoute, "2001:db8:16:2::2");

        Assert.Equal(IPAddress.Parse("fe80::253"), learned.NextHop);
        Assert.Equal(1300, learned.Mtu);
        Assert.False(learned.Redirected);
        Assert.Equal(IPAddress.Parse("fe80::254"), redirected.NextHop);
        Assert.True(redirected.Redirected);
        Assert.Equal(IPAddress.Parse("2001:db8:16:1::1"), redirected.SourceAddress);
        Assert.False(unused.FromCache);
        Assert.Equal(IPAddress.Parse("fe80::253"), unused.NextHop);
    }

    /// <summary>A source-specific route's entries are keyed by the packet's source, else by the route's source prefix.</summary>
    [Theory]
    [InlineData("2001:db8:16:1::1", "2001:db8:16:1::1", true)]
    [InlineData("2001:db8:16:1::", "2001:db8:16:1::1", true)]
    [InlineData("2001:db8:16:1::", "2001:db8:16:1::9", true)]
    [InlineData("2001:db8:16:1::1", "2001:db8:16:1::9", false)]
    [InlineData("2001:db8:16:1::7", "2001:db8:16:1::1", false)]
    public void Ipv6SubtreeEntriesAreKeyedBySource(string key, string from, bool used)
    {
        var host = Host().Route("2001:db8:9::/64 from 2001:db8:16:1::/64 via fe80::253 dev br0 metric 1024");
        var snapshot = With(host, Entry("2001:db8:9::1", "fe80::253", mtu: 1280, metric: 1024, source: key));

        var decision = Resolve(snapshot, "2001:db8:9::1", from);

        Assert.Equal(used, decision.FromCache);
        Assert.Equal(used ? 1280 : null, decision.Mtu);
    }

    [Fact]
    public void Ipv6EntryWithASourceKeyIsNotAnOrdinaryRoutesEntry()
    {
        var decision = Resolve(With(Host(), Entry("2001:db8:16:2::2", "fe80::253", mtu: 1300, metric: 1024, source: "2001:db8:16:1::1")), "2001:db8:16:2::2");

        Assert.False(decision.FromCache);
    }

    /// <summary>The kernel hashes a flow onto one path of a multipath route; each path answers with its own next hop's entry.</summary>
    [Fact]
    public void EachPathOfAMultipathRouteTakesItsOwnNextHopsRedirect()
    {
        var host = Host().Route("203.0.113.0/24 nexthop via 172.16.1.253 dev br0 nexthop via 198.51.100.253 dev eth1");
        var snapshot = With(host, Entry("203.0.113.9", "198.51.100.254", dev: 3, redirected: true));

        var decision = Resolve(snapshot, "203.0.113.9");

        Assert.Equal(new[] { "172.16.1.253", "198.51.100.254" }, decision.Paths.Select(p => p.NextHop.ToString()));
        Assert.Equal(IPAddress.Parse("172.16.1.253"), decision.NextHop);
        Assert.False(decision.FromCache);
    }

    [Fact]
    public void VerificationComparesTheMtu()
    {
        var snapshot = With(Host(), Entry("172.16.2.2", "172.16.1.254", redirected: true, mtu: 1300));
        var query = new RouteQuery(IPAddress.Parse("172.16.2.2"));
        var decision = new LinuxRouteResolver(snapshot).Resolve(query);
        var kernel = new KernelRouteAnswer
        {
            RouteType = RouteType.Unicast,
            InterfaceIndex = 2,
            Gateway = IPAddress.Parse("172.16.1.254"),
            PreferredSource = IPAddress.Parse("172.16.1.1"),
            Mtu = 1300,
        };

        Assert.Empty(RouteVerification.Compare(query, decision, kernel));
        kernel.Mtu = null;
        Assert.Equal("mtu: ours 1300, the kernel's none", Assert.Single(RouteVerification.Compare(query, decision, kernel)));
        kernel.Mtu = 1400;
        Assert.Equal("mtu: ours 1300, the kernel's 1400", Assert.Single(RouteVerification.Compare(query, decision, kernel)));
    }
}

using System.Linq;
using System.Net;
using PSLoopback.Core.Tests.Support;
using PSLoopback.Routing;

namespace PSLoopback.Core.Tests.Routing;

/// <summary>
/// The kernel's layer-3 multipath hash, computed once net.ipv4.fib_multipath_hash_seed is set. The expected paths
/// are what `ip route get` answered on kernel 6.18 in a namespace built as <see cref="Host"/> describes, with
/// `sysctl -w net.ipv4.fib_multipath_hash_seed=20251201`.
/// </summary>
public class LinuxMultipathHashTests
{
    private const long Seed = 20251201;

    // ip link add v1 type veth peer name p1 (and v2/p2); 10.1.1.1/24 and 2001:db8:1::1/64 on v1, 10.2.2.1/24 and
    // 2001:db8:2::1/64 on v2, 198.51.100.1/32 on lo; both routes: nexthop via .2 dev v1 nexthop via .2 dev v2.
    private static RouteSnapshot Host(long? seed = Seed, long policy = 0)
    {
        var snapshot = SnapshotBuilder.WithLoopback()
            .Interface(2, "v1", false, "10.1.1.1/24", "2001:db8:1::1/64")
            .Interface(3, "v2", false, "10.2.2.1/24", "2001:db8:2::1/64")
            .Route("local 198.51.100.1 dev lo table local scope host src 198.51.100.1")
            .Route("10.1.1.0/24 dev v1 scope link src 10.1.1.1")
            .Route("10.2.2.0/24 dev v2 scope link src 10.2.2.1")
            .Route("2001:db8:1::/64 dev v1 metric 256")
            .Route("2001:db8:2::/64 dev v2 metric 256")
            .Route("203.0.113.0/24 nexthop via 10.1.1.2 dev v1 nexthop via 10.2.2.2 dev v2")
            .Route("2001:db8:99::/48 nexthop via 2001:db8:1::2 dev v1 nexthop via 2001:db8:2::2 dev v2 metric 1024")
            .Build();
        if (seed is long value)
        {
            snapshot.Settings.Values["net.ipv4.fib_multipath_hash_seed"] = value;
        }

        snapshot.Settings.Values["net.ipv4.fib_multipath_hash_policy"] = policy;
        snapshot.Settings.Values["net.ipv6.fib_multipath_hash_policy"] = policy;
        return snapshot;
    }

    private static RouteDecision Resolve(RouteSnapshot snapshot, string destination, string? from = null, byte protocol = 0) =>
        new LinuxRouteResolver(snapshot).Resolve(new RouteQuery(IPAddress.Parse(destination))
        {
            Source = from is null ? null : IPAddress.Parse(from),
            IPProtocol = protocol,
        });

    [Theory]
    [InlineData("203.0.113.1", null, "v2")]
    [InlineData("203.0.113.2", null, "v2")]
    [InlineData("203.0.113.3", null, "v1")]
    [InlineData("203.0.113.4", null, "v1")]
    [InlineData("203.0.113.77", null, "v1")]
    [InlineData("203.0.113.200", null, "v1")]
    [InlineData("203.0.113.5", "198.51.100.1", "v2")]
    [InlineData("203.0.113.9", "198.51.100.1", "v1")]
    [InlineData("2001:db8:99::1", null, "v1")]
    [InlineData("2001:db8:99::2", null, "v2")]
    [InlineData("2001:db8:99::3", null, "v1")]
    [InlineData("2001:db8:99::4", null, "v1")]
    [InlineData("2001:db8:99::a", null, "v1")]
    [InlineData("2001:db8:99::ff", null, "v2")]
    [InlineData("2001:db8:99::1", "2001:db8:2::1", "v1")]
    [InlineData("2001:db8:99::7", "2001:db8:2::1", "v1")]
    public void ASetSeedLetsTheResolverTakeThePathTheKernelsHashTakes(string destination, string? from, string dev)
    {
        var d = Resolve(Host(), destination, from);
        Assert.Equal(RoutePathChoice.ComputedHash, d.PathChoice);
        Assert.Equal(dev, d.InterfaceAlias);
        Assert.Equal(new[] { dev }, d.Paths.Select(p => p.InterfaceAlias));
        Assert.Contains("net.ipv4.fib_multipath_hash_seed=20251201", d.Reason);
    }

    [Theory]
    [InlineData("2001:db8:99::1", "v2")]
    [InlineData("2001:db8:99::2", "v1")]
    [InlineData("2001:db8:99::3", "v2")]
    public void IPv6HashesTheNextHeaderTheQueryNames(string destination, string dev)
    {
        // ip route get ... ipproto udp: the protocol is part of IPv6's layer-3 hash.
        Assert.Equal(dev, Resolve(Host(), destination, protocol: 17).InterfaceAlias);
    }

    [Fact]
    public void WithoutASeedTheHashIsOnlyNamed()
    {
        Assert.Equal(RoutePathChoice.Hash, Resolve(Host(seed: null), "203.0.113.1").PathChoice);
        Assert.Equal(RoutePathChoice.Hash, Resolve(Host(seed: 0), "203.0.113.1").PathChoice);
    }

    [Fact]
    public void VerifyCallsAnotherPathThanTheComputedHashsADifference()
    {
        var query = new RouteQuery(IPAddress.Parse("203.0.113.1"));
        var ours = new LinuxRouteResolver(Host()).Resolve(query);
        Assert.Equal("v2", ours.InterfaceAlias);
        var v1 = new KernelRouteAnswer { RouteType = RouteType.Unicast, InterfaceAlias = "v1", InterfaceIndex = 2, Gateway = IPAddress.Parse("10.1.1.2"), PreferredSource = IPAddress.Parse("10.1.1.1") };
        Assert.Equal(KernelVerdict.Differs, RouteVerification.Verify(query, ours, v1).Verdict);
    }

    [Fact]
    public void UpperBoundsShareTwoToThe31ByWeight()
    {
        Assert.Equal(new long[] { (1L << 30) - 1, (1L << 31) - 1 }, LinuxMultipathHash.UpperBounds(new[] { 1, 1 }));
        Assert.Equal(new long[] { 715827882, 2147483647 }, LinuxMultipathHash.UpperBounds(new[] { 1, 2 }));
    }

    [Fact]
    public void SipHashGivesThePapersTestVector()
    {
        // SipHash-2-4, key 00 01 .. 0f, message 00 01 .. 0e: a129ca6149be45e5 (the SipHash paper, appendix A).
        var k0 = 0x0706050403020100UL;
        var k1 = 0x0f0e0d0c0b0a0908UL;
        Assert.Equal(0xa129ca6149be45e5UL, LinuxMultipathHash.SipHash24(k0, k1, Enumerable.Range(0, 15).Select(i => (byte)i).ToArray()));
    }
}

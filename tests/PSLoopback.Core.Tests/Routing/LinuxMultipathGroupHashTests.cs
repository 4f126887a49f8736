using System.Linq;
using System.Net;
using PSLoopback.Core.Tests.Support;
using PSLoopback.Routing;

namespace PSLoopback.Core.Tests.Routing;

/// <summary>
/// The kernel's multipath hash computed for nexthop groups (hash-threshold), three-path routes of unequal weight,
/// forwarded flows, IPv6 flow labels and every hash policy (0 to 3). Every expected interface is what `ip route get` answered on kernel
/// 6.18 in a namespace built as <see cref="Host"/> describes, with net.ipv4.fib_multipath_hash_seed=20251201 and
/// both families' fib_multipath_hash_policy set as each test says.
/// </summary>
public class LinuxMultipathGroupHashTests
{
    // ip link add vN type veth peer name pN (N = 1..3), both up; 10.N.N.1/24 and 2001:db8:N::1/64 on vN.
    // ip route add 203.0.113.0/24 nexthop via 10.1.1.2 dev v1 nexthop via 10.2.2.2 dev v2 weight 2 nexthop via 10.3.3.2 dev v3
    // ip -6 route add 2001:db8:99::/48 nexthop via 2001:db8:N::2 dev vN (N = 1..3)
    // ip nexthop add id N via 10.N.N.2 dev vN; id 10 group 1/2,3/3; ip route add 198.18.0.0/24 nhid 10
    // ip nexthop add id 6N via 2001:db8:N::2 dev vN; id 60 group 61/62,2/63; ip -6 route add 2001:db8:98::/48 nhid 60
    private static SnapshotBuilder Host(long policy)
    {
        var host = SnapshotBuilder.WithLoopback();
        for (var n = 1; n <= 3; n++)
        {
            host.Interface(n + 1, $"v{n}", false, $"10.{n}.{n}.1/24", $"2001:db8:{n}::1/64")
                .Route($"10.{n}.{n}.0/24 dev v{n} scope link src 10.{n}.{n}.1")
                .Route($"2001:db8:{n}::/64 dev v{n} metric 256")
                .NextHop($"id {n} via 10.{n}.{n}.2 dev v{n}")
                .NextHop($"id {60 + n} via 2001:db8:{n}::2 dev v{n}");
        }

        return host
            .Route("203.0.113.0/24 nexthop via 10.1.1.2 dev v1 nexthop via 10.2.2.2 dev v2 weight 2 nexthop via 10.3.3.2 dev v3")
            .Route("2001:db8:99::/48 nexthop via 2001:db8:1::2 dev v1 nexthop via 2001:db8:2::2 dev v2 nexthop via 2001:db8:3::2 dev v3 metric 1024")
            .NextHop("id 10 group 1/2,3/3")
            .NextHop("id 60 group 61/62,2/63")
            .Route("198.18.0.0/24 nhid 10")
            .Route("2001:db8:98::/48 nhid 60 metric 1024")
            .Setting("net.ipv4.fib_multipath_hash_seed", 20251201)
            .Setting("net.ipv4.fib_multipath_hash_policy", policy)
            .Setting("net.ipv6.fib_multipath_hash_policy", policy);
    }

    private static RouteDecision Resolve(SnapshotBuilder host, string destination, byte protocol = 0, ushort sport = 0, ushort dport = 0, uint label = 0) =>
        host.Resolver().Resolve(new RouteQuery(IPAddress.Parse(destination)) { IPProtocol = protocol, SourcePort = sport, DestinationPort = dport, FlowLabel = label });

    private static void AssertHashTakes(RouteDecision decision, string dev)
    {
        Assert.Equal(RoutePathChoice.ComputedHash, decision.PathChoice);
        Assert.Equal(dev, decision.InterfaceAlias);
        Assert.Equal(new[] { dev }, decision.Paths.Select(p => p.InterfaceAlias));
    }

    [Theory]
    [InlineData("198.18.0.4", "v1")]
    [InlineData("198.18.0.5", "v2")]
    [InlineData("198.18.0.6", "v3")]
    [InlineData("198.18.0.9", "v1")]
    [InlineData("198.18.0.12", "v2")]
    [InlineData("2001:db8:98::1", "v1")]
    [InlineData("2001:db8:98::2", "v2")]
    [InlineData("2001:db8:98::8", "v1")]
    [InlineData("2001:db8:98::9", "v2")]
    [InlineData("203.0.113.4", "v1")]
    [InlineData("203.0.113.7", "v2")]
    [InlineData("203.0.113.9", "v3")]
    [InlineData("2001:db8:99::2", "v3")]
    [InlineData("2001:db8:99::4", "v2")]
    [InlineData("2001:db8:99::5", "v1")]
    public void AGroupAndARouteOfUnequalWeightsTakeThePathOfTheLayer3Hash(string destination, string dev) =>
        AssertHashTakes(Resolve(Host(policy: 0), destination), dev);

    [Theory]
    [InlineData("2001:db8:99::1", 75542u, "v1")]
    [InlineData("2001:db8:99::3", 77496u, "v3")]
    [InlineData("2001:db8:99::6", 80427u, "v3")]
    [InlineData("2001:db8:98::4", 12u, "v2")]
    [InlineData("2001:db8:98::6", 18u, "v1")]
    [InlineData("2001:db8:98::7", 21u, "v1")]
    public void IPv6sLayer3HashTakesTheFlowLabel(string destination, uint label, string dev) =>
        AssertHashTakes(Resolve(Host(policy: 0), destination, label: label), dev);

    [Theory]
    [InlineData("203.0.113.1", 17, 1001, 53, "v3")]
    [InlineData("203.0.113.3", 17, 1003, 53, "v2")]
    [InlineData("198.18.0.1", 6, 80, 40007, "v3")]
    [InlineData("198.18.0.7", 6, 80, 40049, "v1")]
    [InlineData("2001:db8:99::2", 17, 1002, 53, "v3")]
    [InlineData("2001:db8:99::4", 17, 1004, 53, "v1")]
    [InlineData("2001:db8:98::3", 6, 80, 40021, "v1")]
    [InlineData("2001:db8:98::5", 6, 80, 40035, "v2")]
    [InlineData("203.0.113.5", 1, 0, 0, "v2")]
    [InlineData("2001:db8:99::3", 17, 0, 0, "v3")]
    public void TheLayer4PolicyHashesProtocolAndPorts(string destination, byte protocol, ushort sport, ushort dport, string dev) =>
        AssertHashTakes(Resolve(Host(policy: 1), destination, protocol, sport, dport), dev);

    [Theory]
    [InlineData("203.0.113.3", "v3")]
    [InlineData("203.0.113.5", "v3")]
    [InlineData("203.0.113.11", "v3")]
    [InlineData("198.18.0.4", "v3")]
    [InlineData("198.18.0.11", "v3")]
    [InlineData("2001:db8:99::2", "v3")]
    [InlineData("2001:db8:98::2", "v2")]
    public void WithoutAProtocolIPv4HashesAsUdpAndIPv6AsProtocol0(string destination, string dev) =>
        AssertHashTakes(Resolve(Host(policy: 1), destination), dev);

    [Theory]
    [InlineData("198.18.0.1", "v3")]
    [InlineData("198.18.0.4", "v1")]
    [InlineData("198.18.0.8", "v3")]
    [InlineData("198.18.0.10", "v1")]
    [InlineData("2001:db8:98::1", "v1")]
    [InlineData("2001:db8:98::4", "v3")]
    [InlineData("2001:db8:98::10", "v1")]
    [InlineData("2001:db8:98::11", "v3")]
    public void AGroupMemberWhoseNeighbourFailedPassesItsShareToTheNextGoodOne(string destination, string dev)
    {
        // ip neigh replace 10.2.2.2 (and 2001:db8:2::2) dev v2 nud failed lladdr 02:00:00:00:00:02
        var host = Host(policy: 0).Neighbor("10.2.2.2 dev v2 FAILED").Neighbor("2001:db8:2::2 dev v2 FAILED");
        AssertHashTakes(Resolve(host, destination), dev);
    }

    [Fact]
    public void AResilientGroupsBucketsAreTheKernelsSoItsHashIsOnlyNamed()
    {
        var decision = Resolve(Host(policy: 0).NextHop("id 11 group 1/2 type resilient").Route("192.0.2.0/24 nhid 11"), "192.0.2.1");
        Assert.Equal(RoutePathChoice.Hash, decision.PathChoice);
        Assert.Equal(2, decision.Paths.Count);
        Assert.Contains("resilient group", decision.Reason);
        Assert.Contains("keyed by net.ipv4.fib_multipath_hash_seed=20251201", decision.Reason);
    }

    [Theory]
    [InlineData("203.0.113.1", "v2")]
    [InlineData("203.0.113.2", "v2")]
    [InlineData("198.18.0.1", "v2")]
    [InlineData("2001:db8:98::1", "v1")]
    [InlineData("2001:db8:99::2", "v3")]
    public void PolicyTwoHashesAFlowThatIsNotEncapsulatedAsPolicyZero(string destination, string dev) =>
        AssertHashTakes(Resolve(Host(policy: 2), destination), dev);

    [Theory]
    [InlineData(0x37, "203.0.113.1", 6, 80, 443, "v3")]
    [InlineData(0x37, "203.0.113.2", 6, 80, 443, "v2")]
    [InlineData(0x37, "198.18.0.1", 6, 80, 443, "v3")]
    [InlineData(0x37, "198.18.0.2", 6, 80, 443, "v2")]
    [InlineData(0x37, "2001:db8:99::1", 6, 80, 443, "v1")]
    [InlineData(0x37, "2001:db8:98::1", 6, 80, 443, "v2")]
    [InlineData(0x37, "2001:db8:98::2", 6, 80, 443, "v1")]
    [InlineData(0x2, "203.0.113.1", 0, 0, 0, "v3")]
    [InlineData(0x2, "203.0.113.3", 0, 0, 0, "v2")]
    [InlineData(0x2, "198.18.0.1", 0, 0, 0, "v1")]
    [InlineData(0x2, "198.18.0.2", 0, 0, 0, "v2")]
    [InlineData(0x2, "2001:db8:98::1", 0, 0, 0, "v1")]
    [InlineData(0x2, "2001:db8:98::2", 0, 0, 0, "v2")]
    public void PolicyThreeHashesTheFieldsItNames(long fields, string destination, byte protocol, ushort sport, ushort dport, string dev)
    {
        // sysctl -w net.ipv4.fib_multipath_hash_fields=F net.ipv6.fib_multipath_hash_fields=F (0x37: addresses, protocol, ports)
        var host = Host(policy: 3).Setting("net.ipv4.fib_multipath_hash_fields", fields).Setting("net.ipv6.fib_multipath_hash_fields", fields);
        AssertHashTakes(Resolve(host, destination, protocol, sport, dport), dev);
    }

    [Fact]
    public void PolicyThreeWithoutItsFieldsReadIsTheKernelsDefaultOfAddressesAndProtocol()
    {
        var read = Host(policy: 3).Setting("net.ipv4.fib_multipath_hash_fields", 7).Setting("net.ipv6.fib_multipath_hash_fields", 7);
        foreach (var destination in new[] { "203.0.113.1", "203.0.113.2", "198.18.0.3", "2001:db8:99::4", "2001:db8:98::5" })
        {
            Assert.Equal(Resolve(read, destination).InterfaceAlias, Resolve(Host(policy: 3), destination).InterfaceAlias);
        }
    }

    [Theory]
    [InlineData(0, "203.0.113.1", "v2")]
    [InlineData(0, "203.0.113.3", "v3")]
    [InlineData(0, "198.18.0.1", "v3")]
    [InlineData(0, "198.18.0.2", "v2")]
    [InlineData(0, "2001:db8:99::2", "v1")]
    [InlineData(0, "2001:db8:99::3", "v3")]
    [InlineData(0, "2001:db8:98::1", "v3")]
    [InlineData(1, "203.0.113.3", "v2")]
    [InlineData(1, "198.18.0.1", "v2")]
    [InlineData(1, "2001:db8:98::2", "v1")]
    public void AForwardedFlowTakesThePathOfItsHash(long policy, string destination, string dev)
    {
        // ip route get DESTINATION iif p1 from 10.1.1.5 (2001:db8:1::5), with forwarding on: p1 is v1's veth peer.
        var host = Host(policy).Interface(5, "p1").DefaultRules()
            .Setting("net.ipv4.conf.p1.forwarding", 1).Setting("net.ipv4.conf.all.forwarding", 1).Setting("net.ipv6.conf.all.forwarding", 1);
        var v6 = destination.Contains(':');
        var decision = host.Resolver().Resolve(new RouteQuery(IPAddress.Parse(destination))
        {
            Source = IPAddress.Parse(v6 ? "2001:db8:1::5" : "10.1.1.5"),
            InputInterfaceIndex = 5,
        });
        Assert.True(decision.Error == RouteError.None, decision.Reason);
        AssertHashTakes(decision, dev);
    }
}

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
/// Which path of a multipath route kernel 6.18 takes, and when it is the flow's hash instead: fib_select_path /
/// fib_select_multipath for IPv4, fib6_select_path for IPv6. Each rule was seen with `ip route get` in a namespace
/// (tests/PSLoopback.Tests/Resolve-NetRoute.Multipath.Tests.ps1 asks the kernel the same).
/// </summary>
public class LinuxPathChoiceTests
{
    private static SnapshotBuilder Host() => SnapshotBuilder.WithLoopback()
        .Interface(2, "eth0", false, "192.0.2.10/24", "10.0.0.10/24", "2001:db8:1::10/64")
        .Interface(3, "eth1", false, "198.51.100.10/24", "2001:db8:2::10/64")
        .Route("local 198.18.0.0/16 dev lo table local scope host")
        .Route("192.0.2.0/24 dev eth0 scope link src 192.0.2.10")
        .Route("10.0.0.0/24 dev eth0 scope link src 10.0.0.10")
        .Route("198.51.100.0/24 dev eth1 scope link src 198.51.100.10")
        .Route("2001:db8:1::/64 dev eth0 metric 256")
        .Route("2001:db8:2::/64 dev eth1 metric 256")
        .Route("203.0.113.0/24 nexthop via 192.0.2.1 dev eth0 nexthop via 198.51.100.1 dev eth1")
        .Route("2001:db8:99::/48 nexthop via 2001:db8:1::1 dev eth0 nexthop via 2001:db8:2::1 dev eth1");

    private static RouteDecision Resolve(RouteSnapshot snapshot, string destination, string? from = null, int? oif = null) =>
        new LinuxRouteResolver(snapshot).Resolve(new RouteQuery(IPAddress.Parse(destination))
        {
            Source = from is null ? null : IPAddress.Parse(from),
            OutputInterfaceIndex = oif,
        }, explain: true);

    private static RouteDecision Resolve(SnapshotBuilder host, string destination, string? from = null, int? oif = null) =>
        Resolve(host.Build(), destination, from, oif);

    /// <summary>A snapshot whose route to <paramref name="prefix"/> uses nexthop object <paramref name="id"/>, as the dump says with RTA_NH_ID.</summary>
    private static RouteSnapshot WithNextHopId(SnapshotBuilder host, string prefix, uint id)
    {
        var snapshot = host.Build();
        snapshot.Routes.Single(r => r.DestinationPrefix.ToString() == prefix).NextHopId = id;
        return snapshot;
    }

    private static string Path(RoutePath p) => $"{p.InterfaceAlias} {p.NextHop} {p.SourceAddress}";

    [Fact]
    public void ARouteReadFromTheKernelKeepsItsNexthopObjectsId()
    {
        // The rules above tell a nexthop group by NextHopId: the live snapshot must carry it over from RTA_NH_ID.
        var message = RouteParser.ParseRoute(RtMsg(Rt.AF_INET6, destinationLength: 48).Ip(RTA_DST, "2001:db8:99::").U32(RTA_NH_ID, 10).ToPayload());
        Assert.Equal(10u, LinuxRouteBuilder.BuildRoutes(new[] { message }, Host().Build().Interfaces).Single().NextHopId);
    }

    [Fact]
    public void IPv4WithASourceTakesThePathWhoseDeviceGivesThatSource()
    {
        var d = Resolve(Host(), "203.0.113.5", from: "198.51.100.10");
        Assert.Equal(RoutePathChoice.SourceAddress, d.PathChoice);
        Assert.Equal("eth1", d.InterfaceAlias);
        Assert.Equal(IPAddress.Parse("198.51.100.1"), d.NextHop);
        Assert.Equal(new[] { "eth1 198.51.100.1 198.51.100.10" }, d.Paths.Select(Path));
        Assert.Contains("whose device gives 198.51.100.10", d.Reason);
    }

    [Fact]
    public void IPv4WithASourceOfTheFirstPathTakesTheFirstPathNotByChance()
    {
        var d = Resolve(Host(), "203.0.113.5", from: "192.0.2.10");
        Assert.Equal(RoutePathChoice.SourceAddress, d.PathChoice);
        Assert.Equal("eth0", d.InterfaceAlias);
        Assert.Single(d.Paths);
    }

    [Fact]
    public void IPv4SourceMustBeThePathsOwnSourceNotJustAnAddressOfItsDevice()
    {
        // eth0 owns 10.0.0.10, but towards gateway 192.0.2.1 its path's source (nh_saddr) is 192.0.2.10.
        var d = Resolve(Host(), "203.0.113.5", from: "10.0.0.10");
        Assert.Equal(RoutePathChoice.Hash, d.PathChoice);
        Assert.Equal(2, d.Paths.Count);
        Assert.Contains("no path gives 10.0.0.10 as its source", d.Reason);
    }

    [Fact]
    public void IPv4WithASourceNoPathGivesIsTheFlowsHash()
    {
        var d = Resolve(Host(), "203.0.113.5", from: "198.18.0.1");
        Assert.Equal(RoutePathChoice.Hash, d.PathChoice);
        Assert.Equal(new[] { "eth0", "eth1" }, d.Paths.Select(p => p.InterfaceAlias));
        Assert.Contains("hash: the kernel picks one of these 2 paths", d.Reason);
    }

    [Fact]
    public void IPv4WithASourceOfSeveralPathsHashesAmongThoseOnly()
    {
        var host = Host().Route("203.0.114.0/24 nexthop via 192.0.2.1 dev eth0 nexthop via 198.51.100.1 dev eth1 nexthop via 192.0.2.2 dev eth0");
        var d = Resolve(host, "203.0.114.5", from: "192.0.2.10");
        Assert.Equal(RoutePathChoice.Hash, d.PathChoice);
        Assert.Equal(new[] { "eth0 192.0.2.1 192.0.2.10", "eth0 192.0.2.2 192.0.2.10" }, d.Paths.Select(Path));
        Assert.Contains("2 of its 3 paths give 192.0.2.10", d.Reason);
    }

    [Fact]
    public void IPv4WithoutASourceIsTheFlowsHashAndSaysWhichPolicy()
    {
        var snapshot = Host().Build();
        snapshot.Settings.Values["net.ipv4.fib_multipath_hash_policy"] = 2;
        var d = Resolve(snapshot, "203.0.113.5");
        Assert.Equal(RoutePathChoice.Hash, d.PathChoice);
        Assert.Equal("eth0", d.InterfaceAlias);
        Assert.Contains("net.ipv4.fib_multipath_hash_policy=2: addresses, of the inner packet where there is one", d.Reason);
        Assert.Contains("random seed", d.Reason);
        Assert.Contains(d.Trace, s => s.Stage == RouteTraceStage.Path && s.Outcome.StartsWith("hash:", System.StringComparison.Ordinal));

        snapshot.Settings.Values["net.ipv4.fib_multipath_hash_seed"] = 42;
        var seeded = Resolve(snapshot, "203.0.113.5");
        Assert.Equal(RoutePathChoice.ComputedHash, seeded.PathChoice);
        Assert.Contains("net.ipv4.fib_multipath_hash_seed=42 and net.ipv4.fib_multipath_hash_policy=2", seeded.Reason);
    }

    [Fact]
    public void IPv4WithAnOutputInterfaceTakesTheFirstPathOnItAndNoHash()
    {
        var host = Host().Route("203.0.114.0/24 nexthop via 192.0.2.1 dev eth0 nexthop via 198.51.100.1 dev eth1 nexthop via 198.51.100.2 dev eth1");
        var d = Resolve(host, "203.0.114.5", from: "192.0.2.10", oif: 3);
        Assert.Equal(RoutePathChoice.OutputInterface, d.PathChoice);
        Assert.Equal(new[] { "eth1 198.51.100.1 192.0.2.10" }, d.Paths.Select(Path));
        Assert.Equal(IPAddress.Parse("198.51.100.1"), d.NextHop);
    }

    [Fact]
    public void IPv4NexthopGroupDoesNotPreferTheSourcesPath()
    {
        var snapshot = WithNextHopId(Host(), "203.0.113.0/24", 11);
        var d = Resolve(snapshot, "203.0.113.5", from: "198.51.100.10");
        Assert.Equal(RoutePathChoice.Hash, d.PathChoice);
        Assert.Equal(2, d.Paths.Count);
        Assert.Contains("nexthop group 11", d.Reason);
        Assert.Equal(RoutePathChoice.OutputInterface, Resolve(snapshot, "203.0.113.5", oif: 3).PathChoice);
    }

    [Fact]
    public void APathThatIsDeadLeavesTheOtherAsTheOnlyOne()
    {
        var snapshot = Host().Build();
        snapshot.Routes.Single(r => r.DestinationPrefix.ToString() == "203.0.113.0/24").NextHops[0].Flags |= RouteFlags.Dead;
        var d = Resolve(snapshot, "203.0.113.5");
        Assert.Equal(RoutePathChoice.Only, d.PathChoice);
        Assert.Equal("eth1", d.InterfaceAlias);
        Assert.DoesNotContain("hash", d.Reason);
    }

    [Fact]
    public void ARouteOfOnePathIsTheOnlyChoice()
    {
        var d = Resolve(Host(), "192.0.2.99");
        Assert.Equal(RoutePathChoice.Only, d.PathChoice);
        Assert.DoesNotContain("hash", d.Reason);
    }

    [Fact]
    public void IPv6HashesEvenWithASourceOfOnePath()
    {
        var snapshot = Host().Build();
        snapshot.Settings.Values["net.ipv6.fib_multipath_hash_policy"] = 0;
        var d = Resolve(snapshot, "2001:db8:99::5", from: "2001:db8:2::10");
        Assert.Equal(RoutePathChoice.Hash, d.PathChoice);
        Assert.Equal(2, d.Paths.Count);
        Assert.Contains("IPv6 does not prefer the path of the source address", d.Reason);
        Assert.Contains("net.ipv6.fib_multipath_hash_policy=0: addresses, flow label and next header", d.Reason);
    }

    [Fact]
    public void IPv6BoundToTheOutputInterfaceTakesItsPath()
    {
        var d = Resolve(Host(), "2001:db8:99::5", oif: 3);
        Assert.Equal(RoutePathChoice.OutputInterface, d.PathChoice);
        Assert.Equal(new[] { "eth1 2001:db8:2::1 2001:db8:2::10" }, d.Paths.Select(Path));
    }

    [Fact]
    public void IPv6SiblingsTakeTheirSourcesFromTheirOwnDevices()
    {
        var d = Resolve(Host(), "2001:db8:99::5");
        Assert.Equal(new[] { "eth0 2001:db8:1::1 2001:db8:1::10", "eth1 2001:db8:2::1 2001:db8:2::10" }, d.Paths.Select(Path));
    }

    [Fact]
    public void IPv6NexthopGroupTakesEveryPathsSourceFromItsFirstMembersDevice()
    {
        var d = Resolve(WithNextHopId(Host(), "2001:db8:99::/48", 10), "2001:db8:99::5");
        Assert.Equal(RoutePathChoice.Hash, d.PathChoice);
        Assert.Equal(new[] { "eth0 2001:db8:1::1 2001:db8:1::10", "eth1 2001:db8:2::1 2001:db8:1::10" }, d.Paths.Select(Path));
        Assert.Equal(IPAddress.Parse("2001:db8:1::10"), d.SourceAddress);
    }

    [Fact]
    public void IPv6NexthopGroupIsHashedOverAllMembersEvenWhenBoundToAnInterface()
    {
        var d = Resolve(WithNextHopId(Host(), "2001:db8:99::/48", 10), "2001:db8:99::5", oif: 3);
        Assert.Equal(RoutePathChoice.Hash, d.PathChoice);
        Assert.Equal(new[] { "eth0", "eth1" }, d.Paths.Select(p => p.InterfaceAlias));
        Assert.Contains("whatever interface was asked for", d.Reason);
    }

    private static KernelRouteAnswer Kernel(string dev, int index, string via, string src) => new()
    {
        RouteType = RouteType.Unicast,
        InterfaceAlias = dev,
        InterfaceIndex = index,
        Gateway = IPAddress.Parse(via),
        PreferredSource = IPAddress.Parse(src),
    };

    [Fact]
    public void VerifyReportsAHashChosenOtherPathAsItsOwnVerdictNotAgreement()
    {
        var query = new RouteQuery(IPAddress.Parse("203.0.113.5"));
        var ours = new LinuxRouteResolver(Host().Build()).Resolve(query);
        var result = RouteVerification.Verify(query, ours, Kernel("eth1", 3, "198.51.100.1", "198.51.100.10"));
        Assert.Equal(KernelVerdict.HashChoseOtherPath, result.Verdict);
        Assert.Equal(3, result.KernelPath?.InterfaceIndex);
        Assert.Contains(result.Differences, d => d.StartsWith("interface:", System.StringComparison.Ordinal));
        Assert.NotEmpty(RouteVerification.Compare(query, ours, Kernel("eth1", 3, "198.51.100.1", "198.51.100.10")));

        Assert.Equal(KernelVerdict.Agrees, RouteVerification.Verify(query, ours, Kernel("eth0", 2, "192.0.2.1", "192.0.2.10")).Verdict);
    }

    [Fact]
    public void VerifyCallsAnotherPathADifferenceWhenTheChoiceWasNotAHash()
    {
        var query = new RouteQuery(IPAddress.Parse("203.0.113.5")) { Source = IPAddress.Parse("198.51.100.10") };
        var ours = new LinuxRouteResolver(Host().Build()).Resolve(query);
        Assert.Equal(RoutePathChoice.SourceAddress, ours.PathChoice);
        Assert.Equal(KernelVerdict.Differs, RouteVerification.Verify(query, ours, Kernel("eth0", 2, "192.0.2.1", "198.51.100.10")).Verdict);
        Assert.Equal(KernelVerdict.Agrees, RouteVerification.Verify(query, ours, Kernel("eth1", 3, "198.51.100.1", "198.51.100.10")).Verdict);
    }

    [Fact]
    public void VerifyCallsAHashedPathWithAnotherSourceADifference()
    {
        var query = new RouteQuery(IPAddress.Parse("203.0.113.5"));
        var ours = new LinuxRouteResolver(Host().Build()).Resolve(query);
        Assert.Equal(KernelVerdict.Differs, RouteVerification.Verify(query, ours, Kernel("eth1", 3, "198.51.100.1", "192.0.2.10")).Verdict);
    }
}

using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Core.Tests.Support;
using PSLoopback.Routing;

namespace PSLoopback.Core.Tests.Routing;

/// <summary>
/// Forwarding decisions (ip route get X from S iif DEV) on a router with two links and a third without IPv4. The
/// expected answers are those kernel 6.18 gave in a namespace built the same way.
/// </summary>
public class LinuxInputRouteTests
{
    private static SnapshotBuilder Router() => new SnapshotBuilder()
        .Interface(1, "lo", loopback: true, "127.0.0.1/8", "::1/128")
        .Interface(2, "e1", false, "192.0.2.1/24", "2001:db8:1::1/64")
        .Interface(3, "e2", false, "198.51.100.1/24", "2001:db8:2::1/64")
        .Interface(4, "e3", false, "2001:db8:3::1/64")
        .Route("local 127.0.0.0/8 dev lo table local scope host src 127.0.0.1 proto kernel")
        .Route("local 127.0.0.1 dev lo table local scope host src 127.0.0.1 proto kernel")
        .Route("local 192.0.2.1 dev e1 table local scope host src 192.0.2.1 proto kernel")
        .Route("broadcast 192.0.2.255 dev e1 table local scope link src 192.0.2.1 proto kernel")
        .Route("local 198.51.100.1 dev e2 table local scope host src 198.51.100.1 proto kernel")
        .Route("broadcast 198.51.100.255 dev e2 table local scope link src 198.51.100.1 proto kernel")
        .Route("192.0.2.0/24 dev e1 scope link src 192.0.2.1 proto kernel")
        .Route("198.51.100.0/24 dev e2 scope link src 198.51.100.1 proto kernel")
        .Route("172.16.0.0/16 via 192.0.2.254 dev e1")
        .Route("10.0.0.0/8 via 198.51.100.254 dev e2")
        .Route("unreachable 10.1.0.0/16")
        .Route("local ::1 dev lo table local proto kernel")
        .Route("local 2001:db8:1::1 dev e1 table local proto kernel")
        .Route("local 2001:db8:2::1 dev e2 table local proto kernel")
        .Route("2001:db8:1::/64 dev e1 metric 256 proto kernel")
        .Route("2001:db8:2::/64 dev e2 metric 256 proto kernel")
        .Route("2001:db8:3::/64 dev e3 metric 256 proto kernel")
        .Route("fe80::/64 dev e1 metric 256 proto kernel")
        .Route("fe80::/64 dev e2 metric 256 proto kernel")
        .Route("::1 dev lo metric 256 proto kernel")
        .Route("2001:db8:99::/48 via 2001:db8:2::254 dev e2 metric 1024")
        .Route("2001:db8:98::/48 via 2001:db8:2::254 dev e2 metric 100")
        .Route("2001:db8:98::/48 dev e1 metric 100")
        .Route("unreachable 2001:db8:dead::/48 metric 1024")
        .Setting("net.ipv4.conf.all.forwarding", 1)
        .Setting("net.ipv4.conf.lo.forwarding", 1)
        .Setting("net.ipv4.conf.e1.forwarding", 1)
        .Setting("net.ipv4.conf.e2.forwarding", 1)
        .Setting("net.ipv4.conf.e3.forwarding", 1);

    private static RouteDecision Arrive(SnapshotBuilder host, string destination, string? from, string iif, uint uid = 0, uint mark = 0)
    {
        var snapshot = host.Build();
        return new LinuxRouteResolver(snapshot).Resolve(new RouteQuery(IPAddress.Parse(destination))
        {
            Source = from is null ? null : IPAddress.Parse(from),
            InputInterfaceIndex = snapshot.FindInterface(iif)!.InterfaceIndex,
            Uid = uid,
            Mark = mark,
        }, explain: true);
    }

    private static void AssertRoute(RouteDecision d, RouteType type, string dev, string via)
    {
        Assert.True(d.Error == RouteError.None, d.Reason);
        Assert.Equal(type, d.RouteType);
        Assert.Equal(dev, d.InterfaceAlias);
        Assert.Equal(IPAddress.Parse(via), d.NextHop);
    }

    private static void AssertRefused(RouteDecision d, RouteError error, string because)
    {
        Assert.Equal(error, d.Error);
        Assert.Contains(because, d.Reason);
        Assert.Contains(d.Trace, s => s.Stage == RouteTraceStage.Result && s.Outcome == d.Reason);
    }

    [Theory]
    [InlineData("10.9.9.9", "192.0.2.5", RouteType.Unicast, "e2", "198.51.100.254")]
    [InlineData("198.51.100.7", "192.0.2.5", RouteType.Unicast, "e2", "0.0.0.0")]
    [InlineData("10.9.9.9", "0.1.2.3", RouteType.Unicast, "e2", "198.51.100.254")]
    [InlineData("198.51.100.1", "192.0.2.5", RouteType.Local, "lo", "0.0.0.0")]
    [InlineData("198.51.100.255", "192.0.2.5", RouteType.Broadcast, "lo", "0.0.0.0")]
    [InlineData("255.255.255.255", "192.0.2.5", RouteType.Broadcast, "lo", "0.0.0.0")]
    [InlineData("255.255.255.255", null, RouteType.Broadcast, "lo", "0.0.0.0")]
    [InlineData("0.0.0.0", null, RouteType.Broadcast, "lo", "0.0.0.0")]
    [InlineData("224.0.0.1", "192.0.2.5", RouteType.Multicast, "lo", "0.0.0.0")]
    [InlineData("224.0.0.1", null, RouteType.Multicast, "lo", "0.0.0.0")]
    public void ForwardsOrDeliversWhatArrives(string destination, string? from, RouteType type, string dev, string via)
    {
        var decision = Arrive(Router(), destination, from, "e1");

        AssertRoute(decision, type, dev, via);
        Assert.Equal(from is null ? null : IPAddress.Parse(from), decision.SourceAddress);
    }

    [Theory]
    [InlineData("10.9.9.9", null, "0.0.0.0")]
    [InlineData("0.0.0.0", "192.0.2.5", "martian destination")]
    [InlineData("127.0.0.1", "192.0.2.5", "route_localnet=1")]
    [InlineData("10.9.9.9", "127.0.0.1", "route_localnet=1")]
    [InlineData("10.9.9.9", "224.0.0.1", "martian source")]
    [InlineData("10.9.9.9", "255.255.255.255", "martian source")]
    [InlineData("239.1.1.1", "192.0.2.5", "not known to be a member")]
    [InlineData("10.9.9.9", "192.0.2.1", "accept_local=1")]
    [InlineData("10.9.9.9", "198.51.100.1", "accept_local=1")]
    public void RefusesMartiansWithInvalidArgument(string destination, string? from, string because)
    {
        AssertRefused(Arrive(Router(), destination, from, "e1"), RouteError.InvalidArgument, because);
    }

    [Theory]
    [InlineData("10.1.1.1", RouteError.HostUnreachable)]
    [InlineData("8.8.8.8", RouteError.NetworkUnreachable)]
    [InlineData("0.1.2.3", RouteError.NetworkUnreachable)]
    public void AnswersTheLookupsErrorWhenForwarding(string destination, RouteError error)
    {
        Assert.Equal(error, Arrive(Router(), destination, "192.0.2.5", "e1").Error);
    }

    [Theory]
    [InlineData("10.9.9.9", RouteType.NoRoute)]
    [InlineData("10.1.1.1", RouteType.Unreachable)]
    [InlineData("8.8.8.8", RouteType.NoRoute)]
    public void AnInterfaceThatDoesNotForwardAnswersHostUnreachable(string destination, RouteType type)
    {
        var decision = Arrive(Router().Setting("net.ipv4.conf.e1.forwarding", 0), destination, "192.0.2.5", "e1");

        AssertRefused(decision, RouteError.HostUnreachable, "e1 does not forward (net.ipv4.conf.e1.forwarding = 0)");
        Assert.Equal(type, decision.RouteType);
    }

    [Fact]
    public void ForwardingIsTheInputInterfacesAlone()
    {
        var host = Router().Setting("net.ipv4.conf.e1.forwarding", 0);

        AssertRoute(Arrive(host, "198.51.100.1", "192.0.2.5", "e1"), RouteType.Local, "lo", "0.0.0.0");
        AssertRoute(Arrive(host, "198.51.100.255", "192.0.2.5", "e1"), RouteType.Broadcast, "lo", "0.0.0.0");
        AssertRoute(Arrive(host.Setting("net.ipv4.conf.e2.forwarding", 0).Setting("net.ipv4.conf.e1.forwarding", 1), "10.9.9.9", "192.0.2.5", "e1"),
            RouteType.Unicast, "e2", "198.51.100.254");
    }

    [Fact]
    public void AnUnreadForwardingSettingIsTakenAsTheKernelDefaultAndSaidSo()
    {
        var host = new SnapshotBuilder()
            .Interface(1, "lo", loopback: true, "127.0.0.1/8")
            .Interface(2, "e1", false, "192.0.2.1/24")
            .Route("192.0.2.0/24 dev e1 scope link src 192.0.2.1 proto kernel")
            .Route("default via 192.0.2.254 dev e1");

        AssertRefused(Arrive(host, "203.0.113.1", "192.0.2.5", "e1"), RouteError.HostUnreachable, "the default: it was not read");
    }

    [Theory]
    [InlineData("net.ipv4.conf.e1.route_localnet")]
    [InlineData("net.ipv4.conf.all.route_localnet")]
    public void RouteLocalnetTakesLoopbackDestinations(string setting)
    {
        var host = Router().Setting(setting, 1);

        AssertRoute(Arrive(host, "127.0.0.1", "192.0.2.5", "e1"), RouteType.Local, "lo", "0.0.0.0");

        // The loopback source now passes the martian check, but is still this host's own address.
        AssertRefused(Arrive(host, "10.9.9.9", "127.0.0.1", "e1"), RouteError.InvalidArgument, "accept_local=1");
    }

    [Theory]
    [InlineData("192.0.2.5", true)]
    [InlineData("172.16.0.5", true)]
    [InlineData("198.51.100.5", false)]
    [InlineData("8.8.8.8", false)]
    public void StrictReversePathFilteringTakesOnlySourcesRoutedBackThroughTheInput(string from, bool passes)
    {
        var decision = Arrive(Router().Setting("net.ipv4.conf.e1.rp_filter", 1), "10.9.9.9", from, "e1");

        if (passes)
        {
            AssertRoute(decision, RouteType.Unicast, "e2", "198.51.100.254");
        }
        else
        {
            AssertRefused(decision, RouteError.InvalidArgument, "net.ipv4.conf.e1.rp_filter = 1");
        }
    }

    [Theory]
    [InlineData("198.51.100.1", "8.8.8.8")]
    [InlineData("198.51.100.1", "198.51.100.5")]
    [InlineData("192.0.2.255", "198.51.100.5")]
    [InlineData("255.255.255.255", "198.51.100.5")]
    public void LocalAndBroadcastDeliveryCheckTheSourceToo(string destination, string from)
    {
        AssertRefused(Arrive(Router().Setting("net.ipv4.conf.e1.rp_filter", 1), destination, from, "e1"), RouteError.InvalidArgument, "net.ipv4.conf.e1.rp_filter = 1");
    }

    [Theory]
    [InlineData(1, 1, 1, "198.51.100.255", "e2")]
    [InlineData(1, 1, 0, "198.51.100.255", "e2")]
    [InlineData(1, 1, 1, "192.0.2.255", "e1")]
    [InlineData(0, 1, 1, "198.51.100.255", "lo")]
    [InlineData(1, 0, 1, "198.51.100.255", "lo")]
    [InlineData(1, 1, 1, "255.255.255.255", "lo")]
    public void BcForwardingSendsADirectedBroadcastOnToItsLink(int all, int onInput, int forwarding, string destination, string dev)
    {
        var host = Router()
            .Setting("net.ipv4.conf.all.bc_forwarding", all)
            .Setting("net.ipv4.conf.e1.bc_forwarding", onInput)
            .Setting("net.ipv4.conf.e1.forwarding", forwarding);

        AssertRoute(Arrive(host, destination, "192.0.2.5", "e1"), RouteType.Broadcast, dev, "0.0.0.0");
    }

    [Fact]
    public void AnInterfaceThatIsDownIsAMemberOfNoGroup()
    {
        var host = Router().Interface(5, "e4", false, "203.0.113.1/24").Setting("net.ipv4.conf.e4.forwarding", 1);
        var snapshot = host.Build();
        snapshot.FindInterface("e4")!.AdminStatus = PSLoopback.Interfaces.AdminStatus.Down;

        var decision = new LinuxRouteResolver(snapshot).Resolve(new RouteQuery(IPAddress.Parse("224.0.0.1")) { Source = IPAddress.Parse("203.0.113.5"), InputInterfaceIndex = 5 });

        Assert.Equal(RouteError.InvalidArgument, decision.Error);
        Assert.Contains("e4 is down", decision.Reason);
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, false)]
    [InlineData(2, false)]
    public void AMulticastFromTheZeroNetworkMeetsRpFilter(int rpFilter, bool passes)
    {
        // Only 0.0.0.0 itself skips the source check; 0.1.2.3 has no route back.
        var decision = Arrive(Router().Setting("net.ipv4.conf.e1.rp_filter", rpFilter), "224.0.0.1", "0.1.2.3", "e1");

        Assert.Equal(passes ? RouteError.None : RouteError.InvalidArgument, decision.Error);
    }

    [Theory]
    [InlineData("198.51.100.5", true)]
    [InlineData("8.8.8.8", false)]
    [InlineData("10.1.0.5", false)]
    public void LooseReversePathFilteringTakesAnySourceWithARouteBack(string from, bool passes)
    {
        var decision = Arrive(Router().Setting("net.ipv4.conf.e1.rp_filter", 2), "10.9.9.9", from, "e1");

        Assert.Equal(passes ? RouteError.None : RouteError.InvalidArgument, decision.Error);
        if (!passes)
        {
            Assert.Contains("no route leads back", decision.Reason);
        }
    }

    [Fact]
    public void AForwardedPacketIsHashedOntoAMultipathRouteAndSaysSo()
    {
        var host = Router().Route("203.0.113.0/24 nexthop via 192.0.2.254 dev e1 nexthop via 198.51.100.254 dev e2");
        var d = Arrive(host, "203.0.113.7", "172.16.0.5", "e1");
        Assert.Equal(RoutePathChoice.Hash, d.PathChoice);
        Assert.Equal(2, d.Paths.Count);
        Assert.Contains("forwarded from e1", d.Reason);
        Assert.Contains("; hash: the kernel picks one of these 2 paths", d.Reason);

        // With the seed set the kernel's hash is computed (checked against ip route get ... iif on 120 flows).
        var seeded = Arrive(host.Setting("net.ipv4.fib_multipath_hash_seed", 12345), "203.0.113.7", "172.16.0.5", "e1");
        Assert.Equal(RoutePathChoice.ComputedHash, seeded.PathChoice);
        Assert.Single(seeded.Paths);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void TheReverseLookupKeepsTheProtocolOnlyWhenARuleForForwardedPacketsNeedsIt(bool ruleOffLo, bool passes)
    {
        // Checked on 6.18 in a namespace: with only "iif lo ipproto tcp lookup 100" the reverse lookup carries no
        // protocol, misses table 100 and fails strict rp_filter; one more ipproto rule on another iif keeps it.
        var host = Router().DefaultRules()
            .Setting("net.ipv4.conf.all.rp_filter", 1)
            .Route("10.0.0.0/8 via 192.0.2.254 dev e1 table 100")
            .Rule("100: iif lo ipproto 6 lookup 100");
        if (ruleOffLo)
        {
            host = host.Rule("200: iif e2 ipproto 17 lookup 200");
        }

        var snapshot = host.Build();
        var d = new LinuxRouteResolver(snapshot).Resolve(new RouteQuery(IPAddress.Parse("192.0.2.1"))
        {
            Source = IPAddress.Parse("10.9.9.9"),
            InputInterfaceIndex = snapshot.FindInterface("e1")!.InterfaceIndex,
            IPProtocol = 6,
        });
        Assert.Equal(passes ? RouteError.None : RouteError.InvalidArgument, d.Error);
    }

    [Fact]
    public void RpFilterIsTheLargerOfAllAndTheInterface()
    {
        var strictAll = Router().Setting("net.ipv4.conf.all.rp_filter", 1).Setting("net.ipv4.conf.e1.rp_filter", 0);
        var looseInterface = Router().Setting("net.ipv4.conf.all.rp_filter", 1).Setting("net.ipv4.conf.e1.rp_filter", 2);

        AssertRefused(Arrive(strictAll, "10.9.9.9", "198.51.100.5", "e1"), RouteError.InvalidArgument, "strict reverse path filtering (net.ipv4.conf.all.rp_filter = 1)");
        AssertRoute(Arrive(looseInterface, "10.9.9.9", "198.51.100.5", "e1"), RouteType.Unicast, "e2", "198.51.100.254");
    }

    [Fact]
    public void AnInterfaceWithoutIPv4TakesOnlySourcesRoutedBackThroughItWhileRpFilterIsOn()
    {
        AssertRefused(Arrive(Router().Setting("net.ipv4.conf.e3.rp_filter", 2), "10.9.9.9", "172.16.0.5", "e3"), RouteError.InvalidArgument, "e3 has no IPv4 address");
        AssertRoute(Arrive(Router(), "10.9.9.9", "172.16.0.5", "e3"), RouteType.Unicast, "e2", "198.51.100.254");

        // Custom rules make the kernel check every source in full; with rp_filter 0 it still takes this one.
        var fullCheck = Router().DefaultRules().Rule("100: fwmark 0x5 lookup 100").Setting("net.ipv4.conf.e3.rp_filter", 0);
        AssertRoute(Arrive(fullCheck, "10.9.9.9", "172.16.0.5", "e3"), RouteType.Unicast, "e2", "198.51.100.254");
    }

    [Fact]
    public void AForwardedPacketTakesTheFirstDefaultRouteWhateverItsNeighbour()
    {
        // fib_select_default is for output lookups only: ip_mkroute_input keeps the first of the defaults of one metric.
        var host = Router().Route("default via 192.0.2.254 dev e1 metric 10").Route("default via 198.51.100.253 dev e2 metric 10")
            .Neighbor("192.0.2.254 dev e1 FAILED").Neighbor("198.51.100.253 dev e2 PERMANENT");

        AssertRoute(Arrive(host, "203.0.113.9", "198.51.100.5", "e2"), RouteType.Unicast, "e1", "192.0.2.254");
    }

    [Theory]
    [InlineData(0, "198.51.100.1", true)]
    [InlineData(0, "192.0.2.1", true)]
    [InlineData(1, "198.51.100.1", false)]
    [InlineData(1, "192.0.2.1", true)]
    public void AcceptLocalTakesTheHostsOwnAddressesAsSources(int rpFilter, string from, bool passes)
    {
        var host = Router().Setting("net.ipv4.conf.e1.accept_local", 1).Setting("net.ipv4.conf.e1.rp_filter", rpFilter);

        Assert.Equal(passes ? RouteError.None : RouteError.InvalidArgument, Arrive(host, "10.9.9.9", from, "e1").Error);
    }

    [Fact]
    public void AHairpinIsCheckedByTheFullReverseLookup()
    {
        // In and out of e2: rp_filter 0 still looks the source up (a redirect may be due), and a route back exists.
        var decision = Arrive(Router(), "10.9.9.9", "198.51.100.5", "e2");

        AssertRoute(decision, RouteType.Unicast, "e2", "198.51.100.254");
        Assert.Contains(decision.Trace, s => s.Stage == RouteTraceStage.Source && s.Outcome.Contains("leaves by e2"));
    }

    [Fact]
    public void SrcValidMarkRoutesTheReverseLookupByTheMark()
    {
        // Marked packets go by table 100 both ways; without src_valid_mark the reverse lookup ignores the mark.
        var host = Router().DefaultRules()
            .Rule("100: fwmark 0x5 lookup 100")
            .Route("10.0.0.0/8 via 192.0.2.252 dev e1 table 100")
            .Route("203.0.113.0/24 via 198.51.100.250 dev e2 table 100")
            .Setting("net.ipv4.conf.all.rp_filter", 1);

        AssertRefused(Arrive(host, "10.9.9.9", "203.0.113.5", "e2", mark: 5), RouteError.InvalidArgument, "no route leads back");

        host.Setting("net.ipv4.conf.e2.src_valid_mark", 1);
        AssertRoute(Arrive(host, "10.9.9.9", "203.0.113.5", "e2", mark: 5), RouteType.Unicast, "e1", "192.0.2.252");
        AssertRefused(Arrive(host, "10.9.9.9", "203.0.113.5", "e2"), RouteError.InvalidArgument, "no route leads back");
    }

    [Fact]
    public void CustomRulesMakeTheSourceCheckALookup()
    {
        // With a rule of its own the kernel no longer trusts its address list and looks the source up: a local route.
        var host = Router().DefaultRules().Rule("100: iif e3 lookup 100");

        AssertRefused(Arrive(host, "10.9.9.9", "198.51.100.1", "e1"), RouteError.InvalidArgument, "local route in table local");
    }

    [Theory]
    [InlineData("e2", "192.0.2.250", 100u)]
    [InlineData("e1", "198.51.100.254", RouteTables.Main)]
    [InlineData("lo", "203.0.113.250", 101u)]
    public void RulesSelectOnTheInputInterfaceAndNeverOnAnOutputOne(string iif, string via, uint table)
    {
        var host = Router().DefaultRules()
            .Rule("100: iif e2 lookup 100")
            .Rule("101: oif e1 lookup 102")
            .Rule("102: iif lo lookup 101")
            .Route("10.0.0.0/8 via 192.0.2.250 dev e1 table 100")
            .Route("10.0.0.0/8 via 192.0.2.251 dev e1 table 102")
            .Interface(5, "e4", false, "203.0.113.1/24")
            .Route("10.0.0.0/8 via 203.0.113.250 dev e4 table 101")
            .Setting("net.ipv4.conf.e4.forwarding", 1);

        var decision = Arrive(host, "10.9.9.9", iif == "e2" ? "198.51.100.5" : "192.0.2.5", iif);

        Assert.True(decision.Error == RouteError.None, decision.Reason);
        Assert.Equal(IPAddress.Parse(via), decision.NextHop);
        Assert.Equal(table, decision.Table);
    }

    [Theory]
    [InlineData(IPAddressFamily.IPv4, RouteTables.Main)]
    [InlineData(IPAddressFamily.IPv6, 102u)]
    public void AnIPv4InputLookupIsForUidZeroAndAnIPv6OneForTheUidAsked(IPAddressFamily family, uint table)
    {
        var v4 = family == IPAddressFamily.IPv4;
        var host = Router()
            .Rule("0: lookup local", family).Rule("102: uidrange 1000-2000 lookup 102", family).Rule("32766: lookup main", family)
            .Route(v4 ? "10.0.0.0/8 via 192.0.2.251 dev e1 table 102" : "2001:db8:99::/48 via 2001:db8:1::251 dev e1 table 102 metric 1024");

        var decision = Arrive(host, v4 ? "10.9.9.9" : "2001:db8:99::9", v4 ? "192.0.2.5" : "2001:db8:1::5", "e1", uid: 1500);

        Assert.Equal(table, decision.Table);
    }

    [Theory]
    [InlineData("2001:db8:99::9", "e1", RouteType.Unicast, "e2", "2001:db8:2::254")]
    [InlineData("2001:db8:98::9", "e1", RouteType.Unicast, "e1", "::")]
    [InlineData("2001:db8:98::9", "e2", RouteType.Unicast, "e2", "2001:db8:2::254")]
    [InlineData("2001:db8:2::1", "e1", RouteType.Local, "lo", "::")]
    [InlineData("::1", "lo", RouteType.Local, "lo", "::")]
    [InlineData("fe80::1", "e2", RouteType.Unicast, "e2", "::")]
    public void IPv6PrefersRoutesThroughTheInputInterface(string destination, string iif, RouteType type, string dev, string via)
    {
        var decision = Arrive(Router(), destination, null, iif);

        AssertRoute(decision, type, dev, via);
        Assert.Null(decision.SourceAddress);
    }

    [Theory]
    [InlineData("2001:db8:dead::1", "e1", RouteError.HostUnreachable)]
    [InlineData("2001:db8:77::1", "e1", RouteError.NetworkUnreachable)]
    [InlineData("::1", "e1", RouteError.NetworkUnreachable)]
    [InlineData("fe80::1", "e3", RouteError.NetworkUnreachable)]
    public void IPv6RefusesWhatNoRouteFromTheInputTakes(string destination, string iif, RouteError error)
    {
        Assert.Equal(error, Arrive(Router(), destination, null, iif).Error);
    }

    [Fact]
    public void IPv6HasNoMartianCheckAndSaysWhenForwardingIsOff()
    {
        var decision = Arrive(Router(), "2001:db8:99::9", "::1", "e1");

        AssertRoute(decision, RouteType.Unicast, "e2", "2001:db8:2::254");
        Assert.Contains("net.ipv6.conf.all.forwarding is 0", decision.Reason);
        Assert.DoesNotContain("forwarding", Arrive(Router().Setting("net.ipv6.conf.all.forwarding", 1), "2001:db8:99::9", "::1", "e1").Reason);
    }

    [Fact]
    public void AnInputInterfaceThatDoesNotExistIsNoSuchDevice()
    {
        var decision = new LinuxRouteResolver(Router().Build()).Resolve(new RouteQuery(IPAddress.Parse("10.9.9.9")) { Source = IPAddress.Parse("192.0.2.5"), InputInterfaceIndex = 99 });

        Assert.Equal(RouteError.NoSuchDevice, decision.Error);
    }
}

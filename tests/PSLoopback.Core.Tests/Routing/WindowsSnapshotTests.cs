using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Core.Tests.Support;
using PSLoopback.Interfaces;
using PSLoopback.Routing;

namespace PSLoopback.Core.Tests.Routing;

/// <summary>A saved snapshot taken on Windows: rebuilt with Windows' checks, not Linux's, and answered by the Windows model; and -Verify's comparison with GetBestRoute2.</summary>
public class WindowsSnapshotTests
{
    private static NetIPInterfaceInfo[] Settings(int index, uint metric) => new[]
    {
        new NetIPInterfaceInfo(index, IPAddressFamily.IPv4) { InterfaceMetric = metric, Connected = true },
        new NetIPInterfaceInfo(index, IPAddressFamily.IPv6) { InterfaceMetric = metric, Connected = true },
    };

    private static SavedInterface Loopback() => new(1, WindowsHost.Loopback)
    {
        InterfaceType = InterfaceType.Loopback,
        AdminStatus = AdminStatus.Up,
        Addresses = new[] { new SavedAddress(IPAddress.Loopback, 8), new SavedAddress(IPAddress.IPv6Loopback, 128) },
        IPInterfaces = Settings(1, 75),
    };

    private static SavedInterface Ethernet(IReadOnlyList<NetIPInterfaceInfo>? settings = null) => new(4, "Ethernet")
    {
        InterfaceType = InterfaceType.Ethernet,
        AdminStatus = AdminStatus.Up,
        Addresses = new[]
        {
            new SavedAddress(IPAddress.Parse("192.0.2.10"), 24),
            new SavedAddress(IPAddress.Parse("192.0.2.200"), 24) { SkipAsSource = true },
        },
        IPInterfaces = settings ?? Settings(4, 25),
    };

    /// <summary>The routes as Windows lists them: Table 0, which Linux's checks refuse.</summary>
    private static List<NetRouteInfo> Routes() => WindowsHost.WithLoopback()
        .Interface(4, "Ethernet", 25, "192.0.2.10/24", "192.0.2.200/24")
        .AddressRoutes("Ethernet")
        .Route("0.0.0.0/0", "192.0.2.1", "Ethernet", 0)
        .Routes.ToList();

    private static RouteSnapshot Build(IReadOnlyList<NetRouteInfo> routes, IReadOnlyList<NetRouteRule>? rules = null, IEnumerable<int>? temporary = null, SavedInterface? ethernet = null) =>
        SavedSnapshot.Build(new[] { Loopback(), ethernet ?? Ethernet() }, routes, rules ?? Array.Empty<NetRouteRule>(), temporary ?? Array.Empty<int>(), HostOS.Windows);

    [Fact]
    public void A_saved_Windows_snapshot_is_answered_by_the_Windows_model()
    {
        var snapshot = Build(Routes());
        Assert.Equal(HostOS.Windows, snapshot.OperatingSystem);
        Assert.Equal(RouteTables.Unspecified, snapshot.Routes[0].Table);
        var resolver = Assert.IsType<WindowsRouteResolver>(RouteResolvers.For(snapshot));

        var d = resolver.Resolve(new RouteQuery(IPAddress.Parse("203.0.113.9")));
        Assert.Equal("Ethernet", d.InterfaceAlias);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), d.NextHop);
        Assert.Equal(IPAddress.Parse("192.0.2.10"), d.SourceAddress);
        Assert.Equal(25u, d.InterfaceMetric);
        Assert.Equal(RouteType.Local, resolver.Resolve(new RouteQuery(IPAddress.Parse("127.0.0.1"))).RouteType);
        Assert.True(snapshot.Interfaces[1].Addresses[1].SkipAsSource);

        // The same routes as a Linux snapshot meet Linux's checks, which refuse table 0.
        var linux = Assert.Throws<ArgumentException>(() => SavedSnapshot.Build(new[] { Loopback(), Ethernet() }, Routes(), Array.Empty<NetRouteRule>(), Array.Empty<int>()));
        Assert.Contains("its Table is 0, which is no table", linux.Message);
    }

    [Fact]
    public void A_saved_Windows_snapshot_without_IP_settings_ranks_on_route_metrics()
    {
        var snapshot = Build(Routes(), ethernet: Ethernet(Array.Empty<NetIPInterfaceInfo>()));
        var d = new WindowsRouteResolver(snapshot).Resolve(new RouteQuery(IPAddress.Parse("203.0.113.9")));
        Assert.Null(d.InterfaceMetric);
        Assert.Equal("0.0.0.0/0 is the longest matching prefix; its route goes via 192.0.2.1 on Ethernet (route metric 0), interface metric not read", d.Reason);
    }

    public static TheoryData<Action<NetRouteInfo>, string> Impossible() => new()
    {
        { r => r.Table = 100, "its Table is 100, and Windows has one routing table and no rules (leave Table out or write 0)" },
        { r => r.RouteType = RouteType.Blackhole, "its RouteType is Blackhole, and Windows has no blackhole, unreachable, prohibit or throw routes" },
        { r => r.SourcePrefix = IPPrefix.Parse("192.0.2.0/24"), "its SourcePrefix is 192.0.2.0/24, and Windows has no source-specific routes" },
        { r => r.NextHops = new[] { new NetRouteNextHop { NextHop = IPAddress.Parse("192.0.2.1"), InterfaceIndex = 4 } }, "it has 1 NextHops, and Windows has no multipath routes (each path is a route of its own)" },
        { r => r.PreferredSource = IPAddress.Parse("192.0.2.10"), "its PreferredSource is 192.0.2.10, and a Windows route names no source address" },
        { r => r.Tos = 0x10, "its Tos is 0x10, and Windows routes do not select on the type of service" },
        { r => r.InterfaceIndex = 0, "its InterfaceIndex is 0, and every Windows route names the interface it leaves by" },
        { r => { r.InterfaceIndex = 9; r.InterfaceAlias = null; }, $"its InterfaceIndex 9 is not an interface of the machine (it has 1 {WindowsHost.Loopback}, 4 Ethernet)" },
        { r => r.InterfaceAlias = "Wi-Fi", "its InterfaceAlias 'Wi-Fi' is not interface 4, which is Ethernet" },
        { r => r.NextHop = IPAddress.Parse("2001:db8::1"), "its NextHop 2001:db8::1 is IPv6, for an IPv4 DestinationPrefix" },
    };

    [Theory]
    [MemberData(nameof(Impossible))]
    public void A_route_Windows_cannot_hold_is_refused_by_name(Action<NetRouteInfo> spoil, string why)
    {
        var routes = Routes();
        var last = routes.Count - 1;
        spoil(routes[last]);
        var e = Assert.Throws<ArgumentException>(() => Build(routes));
        Assert.Equal($"Route {last + 1} of the snapshot (0.0.0.0/0 on interface {routes[last].InterfaceIndex}) is not one Windows holds: {why}.", e.Message);
    }

    [Fact]
    public void Linux_only_settings_are_refused_in_a_Windows_snapshot()
    {
        var rules = Assert.Throws<ArgumentException>(() => Build(Routes(), rules: new[] { new NetRouteRule { AddressFamily = IPAddressFamily.IPv4, Priority = 100, Table = 100 } }));
        Assert.StartsWith("The snapshot was taken on Windows, which has no policy rules, yet it holds 1 (the first: ", rules.Message);

        var temporary = Assert.Throws<ArgumentException>(() => Build(Routes(), temporary: new[] { 4 }));
        Assert.Equal("The snapshot was taken on Windows, yet it has PreferTemporaryAddresses, which is Linux's use_tempaddr setting; Windows prefers temporary addresses wherever it has them.", temporary.Message);
    }

    [Fact]
    public void IP_settings_must_belong_to_their_interface_once_per_family()
    {
        var other = Assert.Throws<ArgumentException>(() => Build(Routes(), ethernet: Ethernet(Settings(7, 25))));
        Assert.Equal("Interface 2 of the snapshot (Ethernet) cannot be read: its IPInterfaces hold settings of interface 7, not of 4.", other.Message);

        var twice = Assert.Throws<ArgumentException>(() => Build(Routes(), ethernet: Ethernet(new[] { Settings(4, 25)[0], Settings(4, 30)[0] })));
        Assert.Equal("Interface 2 of the snapshot (Ethernet) cannot be read: its IPInterfaces hold IPv4 settings twice.", twice.Message);
    }

    [Fact]
    public void WindowsRouteTableRules_accept_what_Windows_lists()
    {
        var snapshot = Build(Routes());
        Assert.All(snapshot.Routes, r => Assert.Null(WindowsRouteTableRules.Check(r, snapshot)));
        Assert.All(snapshot.Routes, r => Assert.Null(WindowsRouteTableRules.Check(r, null)));
    }

    [Fact]
    public void Verify_against_GetBestRoute2_compares_interface_next_hop_and_source_but_no_type()
    {
        var resolver = Laptop();
        var query = new RouteQuery(IPAddress.Parse("192.0.2.10"));
        var local = resolver.Resolve(query);
        var windows = new KernelRouteAnswer { RouteType = RouteType.Unicast, InterfaceIndex = 4, InterfaceAlias = "Ethernet", PreferredSource = IPAddress.Parse("192.0.2.10") };
        Assert.Empty(RouteVerification.Compare(query, local, windows, HostOS.Windows));
        Assert.Equal(new[] { "type: ours Local, the kernel's Unicast" }, RouteVerification.Compare(query, local, windows));

        var wrong = new KernelRouteAnswer { InterfaceIndex = 7, InterfaceAlias = "Wi-Fi", PreferredSource = IPAddress.Parse("198.51.100.20") };
        Assert.Equal(new[] { "interface: ours Ethernet, Windows' Wi-Fi", "source: ours 192.0.2.10, Windows' 198.51.100.20" }, RouteVerification.Compare(query, local, wrong, HostOS.Windows));
    }

    [Fact]
    public void Verify_against_GetBestRoute2_compares_a_given_IPv6_source_which_Windows_gives_back()
    {
        var resolver = Laptop();
        var query = new RouteQuery(IPAddress.Parse("2001:db8:ffff::1")) { Source = IPAddress.Parse("2001:db8:1::10") };
        var ours = resolver.Resolve(query);
        var echoed = new KernelRouteAnswer { RouteType = RouteType.Unicast, InterfaceIndex = 4, Gateway = IPAddress.Parse("fe80::1"), PreferredSource = IPAddress.Parse("2001:db8:1::10") };
        Assert.Empty(RouteVerification.Compare(query, ours, echoed, HostOS.Windows));

        var other = new KernelRouteAnswer { RouteType = RouteType.Unicast, InterfaceIndex = 4, Gateway = IPAddress.Parse("fe80::1"), PreferredSource = IPAddress.Parse("2001:db8:1::99") };
        Assert.Equal(new[] { "source: ours 2001:db8:1::10, Windows' 2001:db8:1::99" }, RouteVerification.Compare(query, ours, other, HostOS.Windows));

        // Linux's IPv6 answers what it would have chosen, so there a given source is not compared.
        Assert.Empty(RouteVerification.Compare(query, ours, other));
    }

    [Fact]
    public void Verify_accepts_whichever_tied_route_Windows_took()
    {
        var resolver = WindowsHost.WithLoopback()
            .Interface(4, "Ethernet", 25, "192.0.2.10/24")
            .Interface(7, "Wi-Fi", 25, "198.51.100.20/24")
            .Route("0.0.0.0/0", "192.0.2.1", "Ethernet", 0)
            .Route("0.0.0.0/0", "198.51.100.1", "Wi-Fi", 0)
            .Resolver();
        var query = new RouteQuery(IPAddress.Parse("203.0.113.9"));
        var ours = resolver.Resolve(query);
        Assert.Equal(2, ours.Paths.Count);
        var second = new KernelRouteAnswer { RouteType = RouteType.Unicast, InterfaceIndex = 7, Gateway = IPAddress.Parse("198.51.100.1"), PreferredSource = IPAddress.Parse("198.51.100.20") };
        Assert.Empty(RouteVerification.Compare(query, ours, second, HostOS.Windows));
    }

    private static WindowsRouteResolver Laptop() => WindowsHost.WithLoopback()
        .Interface(4, "Ethernet", 25, "192.0.2.10/24", "2001:db8:1::10/64", "fe80::10/64")
        .Interface(7, "Wi-Fi", 35, "198.51.100.20/24")
        .AddressRoutes("Ethernet")
        .AddressRoutes("Wi-Fi")
        .Route("0.0.0.0/0", "192.0.2.1", "Ethernet", 0)
        .Route("::/0", "fe80::1", "Ethernet")
        .Resolver();
}

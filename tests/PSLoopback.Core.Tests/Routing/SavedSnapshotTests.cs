using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Core.Tests.Support;
using PSLoopback.Interfaces;
using PSLoopback.Routing;

namespace PSLoopback.Core.Tests.Routing;

/// <summary>
/// Rebuilding a saved snapshot, the routes a kernel refuses to hold, and what a bare route list tells of
/// the addresses. Each refusal was checked with `ip route add` in a network namespace (Linux 6.18); the
/// quoted error is ip's.
/// </summary>
public class SavedSnapshotTests
{
    private static SavedInterface Lo() => new(1, "lo")
    {
        InterfaceType = InterfaceType.Loopback,
        AdminStatus = AdminStatus.Up,
        Addresses = new[] { new SavedAddress(IPAddress.Loopback, 8) { Scope = AddressScope.Host }, new SavedAddress(IPAddress.IPv6Loopback, 128) { Scope = AddressScope.Host } },
    };

    private static SavedInterface Eth0(AdminStatus status = AdminStatus.Up) => new(2, "eth0")
    {
        InterfaceType = InterfaceType.Ethernet,
        AdminStatus = status,
        Addresses = new[]
        {
            new SavedAddress(IPAddress.Parse("192.0.2.10"), 24) { Scope = AddressScope.Global },
            new SavedAddress(IPAddress.Parse("2001:db8:1::10"), 64) { Scope = AddressScope.Global, Flags = AddressFlags.Permanent },
            new SavedAddress(IPAddress.Parse("2001:db8:1::99"), 64) { Scope = AddressScope.Global, Flags = AddressFlags.Secondary },
        },
    };

    private static List<NetRouteInfo> Routes() => SnapshotBuilder.WithLoopback()
        .Interface(2, "eth0")
        .Route("local 192.0.2.10 dev eth0 table local scope host src 192.0.2.10")
        .Route("192.0.2.0/24 dev eth0 scope link src 192.0.2.10")
        .Route("default via 192.0.2.1 dev eth0")
        .Route("local 2001:db8:1::10 dev eth0 table local")
        .Route("local 2001:db8:1::99 dev eth0 table local")
        .Route("2001:db8:1::/64 dev eth0 metric 256")
        .Route("default via 2001:db8:1::1 dev eth0 metric 1024")
        .Build().Routes.ToList();

    private static RouteSnapshot Build(IReadOnlyList<NetRouteInfo> routes, IEnumerable<int>? temporary = null, AdminStatus eth0 = AdminStatus.Up) =>
        SavedSnapshot.Build(new[] { Lo(), Eth0(eth0) }, routes, Array.Empty<NetRouteRule>(), temporary ?? Array.Empty<int>());

    [Fact]
    public void A_rebuilt_snapshot_answers_with_its_interfaces_addresses()
    {
        var resolver = new LinuxRouteResolver(Build(Routes()));
        var answer = resolver.Resolve(new RouteQuery(IPAddress.Parse("203.0.113.9")));
        Assert.Equal("eth0", answer.InterfaceAlias);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), answer.NextHop);
        Assert.Equal(IPAddress.Parse("192.0.2.10"), answer.SourceAddress);
        var six = resolver.Resolve(new RouteQuery(IPAddress.Parse("2001:db8:ffff::1")));
        Assert.Equal(IPAddress.Parse("2001:db8:1::10"), six.SourceAddress);
        Assert.Equal(RouteType.Local, resolver.Resolve(new RouteQuery(IPAddress.Parse("192.0.2.10"))).RouteType);
    }

    [Fact]
    public void The_interfaces_that_prefer_temporary_addresses_change_the_IPv6_source()
    {
        var snapshot = Build(Routes(), new[] { 2 });
        Assert.Contains(2, snapshot.PreferTemporaryAddresses);
        var answer = new LinuxRouteResolver(snapshot).Resolve(new RouteQuery(IPAddress.Parse("2001:db8:ffff::1")));
        Assert.Equal(IPAddress.Parse("2001:db8:1::99"), answer.SourceAddress);
    }

    /// <summary>A saved interface group reaches the rebuilt snapshot, where suppress_ifgroup rules compare it.</summary>
    [Fact]
    public void An_interface_group_is_kept_and_suppresses_as_on_the_machine()
    {
        var eth0 = Eth0();
        eth0.Group = 5;
        var rules = new[]
        {
            new NetRouteRule { AddressFamily = IPAddressFamily.IPv4, Priority = 0, Table = RouteTables.Local },
            new NetRouteRule { AddressFamily = IPAddressFamily.IPv4, Priority = 100, Table = RouteTables.Main, SuppressInterfaceGroup = 5 },
        };

        var snapshot = SavedSnapshot.Build(new[] { Lo(), eth0 }, Routes(), rules, Array.Empty<int>());

        Assert.Equal(5u, snapshot.FindInterface("eth0")!.Group);
        Assert.Null(snapshot.FindInterface("lo")!.Group);
        var answer = new LinuxRouteResolver(snapshot).Resolve(new RouteQuery(IPAddress.Parse("203.0.113.9")));
        Assert.Equal(RouteType.NoRoute, answer.RouteType);
    }

    [Fact]
    public void A_down_interface_stays_down()
    {
        var answer = new LinuxRouteResolver(Build(Routes(), eth0: AdminStatus.Down)).Resolve(new RouteQuery(IPAddress.Parse("203.0.113.9")) { OutputInterfaceIndex = 2 });
        Assert.Equal(RouteError.NetworkUnreachable, answer.Error);
    }

    [Fact]
    public void Refuses_a_route_through_an_interface_the_snapshot_does_not_have()
    {
        var routes = Routes();
        routes.Add(new NetRouteInfo { DestinationPrefix = IPPrefix.Parse("10.0.0.0/8"), InterfaceIndex = 7, InterfaceAlias = "eth7", Scope = AddressScope.Link });
        var error = Assert.Throws<ArgumentException>(() => Build(routes));
        Assert.Contains($"Route {routes.Count} ", error.Message);
        Assert.Contains("InterfaceIndex 7", error.Message);
        Assert.Contains("Cannot find device", error.Message);
    }

    [Fact]
    public void Refuses_an_alias_that_is_not_the_interface_of_that_index()
    {
        var routes = Routes();
        routes.Add(new NetRouteInfo { DestinationPrefix = IPPrefix.Parse("10.0.0.0/8"), InterfaceIndex = 2, InterfaceAlias = "eth9", Scope = AddressScope.Link });
        Assert.Contains("InterfaceAlias 'eth9'", Assert.Throws<ArgumentException>(() => Build(routes)).Message);
    }

    [Fact]
    public void Refuses_a_preferred_source_the_machine_does_not_have()
    {
        var routes = Routes();
        routes.Add(new NetRouteInfo { DestinationPrefix = IPPrefix.Parse("10.0.0.0/8"), InterfaceIndex = 2, PreferredSource = IPAddress.Parse("203.0.113.9"), Scope = AddressScope.Link });
        Assert.Contains("Invalid prefsrc address", Assert.Throws<ArgumentException>(() => Build(routes)).Message);
    }

    [Fact]
    public void Refuses_interfaces_that_share_an_index_and_temporary_preferences_for_none()
    {
        var twin = new SavedInterface(1, "lo2") { AdminStatus = AdminStatus.Up };
        var error = Assert.Throws<ArgumentException>(() => SavedSnapshot.Build(new[] { Lo(), twin }, Array.Empty<NetRouteInfo>(), Array.Empty<NetRouteRule>(), Array.Empty<int>()));
        Assert.Contains("Interface 2", error.Message);
        Assert.Contains("PreferTemporaryAddresses", Assert.Throws<ArgumentException>(() => Build(Routes(), new[] { 9 })).Message);
    }

    public static TheoryData<string, string> Impossible => new()
    {
        { "table0", "Table is 0" },
        { "weight0", "\"weight\" is invalid" },
        { "weight257", "\"weight\" is invalid" },
        { "blackholeVia", "Gateway, device and multipath can not be specified" },
        { "localVia", "Route with host scope can not have a gateway" },
        { "onlinkNoGateway", "PERVASIVE and ONLINK can not be set" },
        { "ipv6ViaIPv4", "IPv6 does not support RTA_VIA attribute" },
        { "scopeNowhere", "Invalid scope" },
    };

    [Theory]
    [MemberData(nameof(Impossible))]
    public void Refuses_what_ip_route_add_refuses(string name, string expected)
    {
        var why = RouteTableRules.Check(ImpossibleRoute(name), null);
        Assert.NotNull(why);
        Assert.Contains(expected, why);
    }

    [Fact]
    public void Takes_what_ip_route_add_takes()
    {
        var legal = new[]
        {
            Route("10.6.0.0/16", r => { r.NextHop = IPAddress.Parse("2001:db8::1"); r.InterfaceIndex = 2; }), // via inet6: RTA_VIA
            Route("10.7.0.0/16", r => { r.NextHop = IPAddress.Parse("203.0.113.1"); r.InterfaceIndex = 2; r.Flags = RouteFlags.OnLink; }),
            Route("10.3.0.0/16", r => { r.RouteType = RouteType.Unreachable; r.Flags = RouteFlags.OnLink; }),
            Route("2001:db8:6::/48", r => { r.RouteType = RouteType.Unreachable; r.NextHop = IPAddress.Parse("2001:db8::1"); }),
            Route("2001:db8:8::1/128", r => { r.RouteType = RouteType.Local; r.NextHop = IPAddress.Parse("2001:db8::1"); r.InterfaceIndex = 2; }),
            Route("10.1.1.0/24", r => r.NextHops = new[] { new NetRouteNextHop { NextHop = IPAddress.Parse("192.0.2.1"), InterfaceIndex = 2, Weight = 256 } }),
            Route("10.13.0.0/16", r => { r.NextHop = IPAddress.Parse("192.0.2.1"); r.InterfaceIndex = 2; r.Table = uint.MaxValue; }),
        };
        Assert.All(legal, route => Assert.Null(RouteTableRules.Check(route, null)));
    }

    [Theory]
    [InlineData("192.0.2.1/24", true)]
    [InlineData("192.0.2.0/24", false)]
    [InlineData("10.0.0.1", false)]
    [InlineData("2001:db8::1/32", false)] // the kernel clears IPv6 host bits itself
    public void Finds_IPv4_host_bits_in_the_text(string prefix, bool refused)
    {
        var why = RouteTableRules.HostBits("DestinationPrefix", prefix);
        Assert.Equal(refused, why is not null);
        if (refused)
        {
            Assert.Contains("Invalid prefix for given prefix length", why);
            Assert.Contains("192.0.2.0/24", why);
        }
    }

    [Fact]
    public void A_bare_route_list_knows_the_addresses_its_local_table_names()
    {
        var routes = Routes();
        foreach (var route in routes.Where(r => r.RouteType == RouteType.Unicast && r.IsOnLink))
        {
            route.Protocol = RouteProtocol.Kernel;
        }

        routes.Add(new NetRouteInfo { DestinationPrefix = IPPrefix.Parse("192.0.2.11/32"), RouteType = RouteType.Local, Table = RouteTables.Local, InterfaceIndex = 2, InterfaceAlias = "eth0", Scope = AddressScope.Host, PreferredSource = IPAddress.Parse("192.0.2.10") });
        var snapshot = RouteSnapshot.FromRoutes(routes);
        var eth0 = snapshot.FindInterface(2)!;
        Assert.Equal(new[] { "192.0.2.10/24", "2001:db8:1::10/64", "2001:db8:1::99/64", "192.0.2.11/24" }, eth0.Addresses.Select(a => a.ToString()));
        Assert.True(eth0.Addresses.Single(a => a.IPAddress.Equals(IPAddress.Parse("192.0.2.11"))).IsSecondary);
        Assert.Equal("127.0.0.1/8", snapshot.FindInterface(1)!.Addresses.First().ToString());

        var resolver = new LinuxRouteResolver(snapshot);
        var from = resolver.Resolve(new RouteQuery(IPAddress.Parse("203.0.113.9")) { Source = IPAddress.Parse("192.0.2.11") });
        Assert.Equal(RouteError.None, from.Error);
        Assert.Equal(IPAddress.Parse("192.0.2.11"), from.SourceAddress);
        Assert.Equal(IPAddress.Parse("192.0.2.10"), resolver.Resolve(new RouteQuery(IPAddress.Parse("203.0.113.9"))).SourceAddress);
        Assert.Equal(IPAddress.Parse("2001:db8:1::10"), resolver.Resolve(new RouteQuery(IPAddress.Parse("2001:db8:1::5"))).SourceAddress);
    }

    private static NetRouteInfo ImpossibleRoute(string name) => name switch
    {
        "table0" => Route("10.0.0.0/8", r => { r.InterfaceIndex = 2; r.Table = 0; }),
        "weight0" => Route("10.1.0.0/16", r => r.NextHops = new[] { new NetRouteNextHop { NextHop = IPAddress.Parse("192.0.2.1"), InterfaceIndex = 2, Weight = 0 } }),
        "weight257" => Route("10.1.0.0/16", r => r.NextHops = new[] { new NetRouteNextHop { NextHop = IPAddress.Parse("192.0.2.1"), InterfaceIndex = 2, Weight = 257 } }),
        "blackholeVia" => Route("10.2.0.0/16", r => { r.RouteType = RouteType.Blackhole; r.NextHop = IPAddress.Parse("192.0.2.1"); }),
        "localVia" => Route("10.4.0.1/32", r => { r.RouteType = RouteType.Local; r.Scope = AddressScope.Host; r.NextHop = IPAddress.Parse("192.0.2.1"); r.InterfaceIndex = 2; }),
        "onlinkNoGateway" => Route("10.8.0.0/16", r => { r.InterfaceIndex = 2; r.Scope = AddressScope.Link; r.Flags = RouteFlags.OnLink; }),
        "ipv6ViaIPv4" => Route("2001:db8:5::/48", r => { r.NextHop = IPAddress.Parse("192.0.2.1"); r.InterfaceIndex = 2; }),
        "scopeNowhere" => Route("10.10.0.0/16", r => { r.InterfaceIndex = 2; r.Scope = AddressScope.Nowhere; }),
        _ => throw new ArgumentException(name),
    };

    private static NetRouteInfo Route(string prefix, Action<NetRouteInfo> set)
    {
        var route = new NetRouteInfo { DestinationPrefix = IPPrefix.Parse(prefix) };
        route.NextHop = route.AddressFamily == IPAddressFamily.IPv4 ? IPAddress.Any : IPAddress.IPv6Any;
        set(route);
        return route;
    }
}

using System;
using System.Linq;
using PSLoopback.Platform.Windows;
using PSLoopback.Platform.Windows.Native;
using PSLoopback.Routing;
using static PSLoopback.Core.Tests.Platform.Windows.IpHelperBytes;

namespace PSLoopback.Core.Tests.Platform.Windows;

public class WindowsRouteBuilderTests
{
    private static readonly AdapterEntry[] Adapters = AdapterAddressesReader.Parse(
        new AdapterListBuilder()
            .Adapter(1, "Loopback Pseudo-Interface 1", 1, ifType: 24, unicast: new[] { ("127.0.0.1", (byte)8), ("::1", (byte)128) })
            .Adapter(7, "Ethernet", 7, unicast: new[] { ("192.0.2.2", (byte)24) })
            .Build(),
        AdapterListBuilder.Base).ToArray();

    private static ForwardRow[] Rows()
    {
        var gateway = ForwardRow(7, "0.0.0.0/0", "192.0.2.1", metric: 0);
        gateway.Protocol = 3;
        gateway.Origin = 2;
        gateway.Age = 600;
        gateway.ValidLifetime = 1800;
        var loopback = ForwardRow(1, "127.0.0.0/8", "0.0.0.0", metric: 256);
        loopback.Protocol = 2;
        loopback.Origin = 1;
        var v6 = ForwardRow(1, "::1/128", "::", metric: 256);
        var unknownInterface = ForwardRow(42, "198.51.100.0/24", "0.0.0.0");
        unknownInterface.Protocol = 77;
        unknownInterface.Origin = 9;
        return MibRows.Routes(Table<MIB_IPFORWARD_TABLE2, MIB_IPFORWARD_ROW2>(new[] { gateway, loopback, v6, unknownInterface })).ToArray();
    }

    [Fact]
    public void EveryRowIsARouteWithItsInterfaceAndItsInterfacesMetric()
    {
        var ip = new[]
        {
            IPInterfaceRow(7, 7, IpHelper.AF_INET, 25),
            IPInterfaceRow(1, 1, IpHelper.AF_INET, 75),
            IPInterfaceRow(1, 1, IpHelper.AF_INET6, 50),
        };
        var interfaces = WindowsInterfaceBuilder.Build(Adapters, null, null, ip);
        var routes = WindowsRouteBuilder.Build(Rows(), interfaces);

        Assert.Equal(new[] { "0.0.0.0/0", "127.0.0.0/8", "::1/128", "198.51.100.0/24" }, routes.Select(r => r.DestinationPrefix.ToString()));
        Assert.Equal(new[] { "Ethernet", "Loopback Pseudo-Interface 1", "Loopback Pseudo-Interface 1", null }, routes.Select(r => r.InterfaceAlias));
        Assert.Equal(new uint?[] { 25, 75, 50, null }, routes.Select(r => r.InterfaceMetric));
        Assert.Equal(new uint[] { 0, 256, 256, 0 }, routes.Select(r => r.RouteMetric));
        Assert.All(routes, r => Assert.Equal(RouteTables.Unspecified, r.Table));

        var gateway = routes[0];
        Assert.Equal("192.0.2.1", gateway.NextHop.ToString());
        Assert.False(gateway.IsOnLink);
        Assert.Equal(WindowsRouteProtocol.NetMgmt, gateway.WindowsProtocol);
        Assert.Equal(RouteOrigin.Dhcp, gateway.Origin);
        Assert.Equal(TimeSpan.FromMinutes(10), gateway.Age);
        Assert.Equal(TimeSpan.FromMinutes(30), gateway.ValidLifetime);
        Assert.Equal(TimeSpan.MaxValue, gateway.PreferredLifetime);

        Assert.True(routes[1].IsOnLink);
        Assert.Equal((WindowsRouteProtocol.Local, RouteOrigin.WellKnown), (routes[1].WindowsProtocol!.Value, routes[1].Origin!.Value));

        // Values this model does not name stay unnamed rather than mislabelled.
        Assert.Null(routes[3].WindowsProtocol);
        Assert.Null(routes[3].Origin);
        Assert.Equal(42, routes[3].InterfaceIndex);
    }

    [Fact]
    public void WithoutIPInterfaceRowsNoRouteHasAnInterfaceMetric()
    {
        var routes = WindowsRouteBuilder.Build(Rows(), WindowsInterfaceBuilder.Build(Adapters, null, null, null));
        Assert.All(routes, r => Assert.Null(r.InterfaceMetric));
        Assert.Equal("Ethernet", routes[0].InterfaceAlias);
    }
}

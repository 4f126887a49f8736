using System;
using System.Linq;
using System.Net;
using PSLoopback.Core.Tests.Support;
using PSLoopback.Interfaces;
using PSLoopback.Platform.Linux;
using PSLoopback.Platform.Linux.Netlink;
using PSLoopback.Routing;
using Xunit;
using static PSLoopback.Core.Tests.Support.RouteBuilder;

namespace PSLoopback.Core.Tests.Linux;

/// <summary>Routes that name a nexthop object get its paths from the objects, whatever nexthop_compat_mode dumped.</summary>
public class LinuxNextHopBuilderTests
{
    private static readonly NetInterfaceInfo[] Interfaces = { new(2, "eth0"), new(3, "eth1") };

    private static NextHopMessage NextHop(uint id, Func<NetlinkBuilder, NetlinkBuilder> attributes, byte scope = 0, uint flags = 0) =>
        NextHopParser.ParseNextHop(attributes(NetlinkBuilder.Attributes().Raw(new byte[] { Rt.AF_INET, scope, 0, 0 }.Concat(BitConverter.GetBytes(flags)).ToArray()).U32(1, id)).ToPayload());

    private static byte[] Members(params uint[] ids) =>
        ids.SelectMany(id => BitConverter.GetBytes(id).Concat(new byte[4])).ToArray();

    private static NetRouteInfo BuildOne(RouteMessage route, params NextHopMessage[] nextHops) =>
        Assert.Single(LinuxRouteBuilder.BuildRoutes(new[] { route }, Interfaces, LinuxNextHopBuilder.BuildNextHops(nextHops, Interfaces)));

    [Fact]
    public void ARouteWithOnlyItsNexthopIdLeavesByTheObjectsDevice()
    {
        var route = RouteParser.ParseRoute(Route("203.0.113.0", 24).U32(RTA_NH_ID, 1).ToPayload());

        var built = BuildOne(route, NextHop(1, b => b.U32(5, 2).Ip(6, "192.0.2.1")));

        Assert.Equal(1u, built.NextHopId);
        Assert.Equal(2, built.InterfaceIndex);
        Assert.Equal("eth0", built.InterfaceAlias);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), built.NextHop);
        Assert.Empty(built.NextHops);
    }

    [Fact]
    public void AGroupBecomesTheRoutesPathsWithWeights()
    {
        var route = RouteParser.ParseRoute(Route("203.0.113.0", 24).U32(RTA_NH_ID, 10).ToPayload());
        var group = NextHopParser.ParseNextHop(NetlinkBuilder.Attributes().Raw(new byte[8]).U32(1, 10)
            .Attribute(2, BitConverter.GetBytes(1u).Concat(new byte[] { 2, 0, 0, 0 }).Concat(BitConverter.GetBytes(2u)).Concat(new byte[4]).ToArray()).ToPayload());

        var built = BuildOne(route, NextHop(1, b => b.U32(5, 2).Ip(6, "192.0.2.1")), NextHop(2, b => b.U32(5, 3).Ip(6, "198.51.100.1")), group);

        Assert.Equal(new[] { ("eth0", 3), ("eth1", 1) }, built.NextHops.Select(h => (h.InterfaceAlias!, h.Weight)).ToArray());
        Assert.Equal(0, built.InterfaceIndex);
    }

    [Fact]
    public void ABlackholeNexthopMakesABlackholeRoute()
    {
        var route = RouteParser.ParseRoute(Route("198.51.100.0", 24).U32(RTA_NH_ID, 20).ToPayload());

        var built = BuildOne(route, NextHop(20, b => b.Attribute(4, Array.Empty<byte>())));

        Assert.Equal(RouteType.Blackhole, built.RouteType);
    }

    [Fact]
    public void ARouteNamingAnUnknownObjectKeepsWhatTheDumpSaid()
    {
        var route = RouteParser.ParseRoute(Route("203.0.113.0", 24).U32(RTA_NH_ID, 99).U32(RTA_OIF, 3).ToPayload());

        var built = BuildOne(route, NextHop(1, b => b.U32(5, 2).Ip(6, "192.0.2.1")));

        Assert.Equal(3, built.InterfaceIndex);
        Assert.Equal(99u, built.NextHopId);
    }

    [Fact]
    public void AGatewayNexthopReadsAsIpNexthopPrintsIt()
    {
        var message = NextHop(7, b => b.U32(5, 2).Ip(6, "192.0.2.1"), scope: Rt.RT_SCOPE_LINK, flags: 0x4);

        Assert.Equal("id 7 via 192.0.2.1 dev eth0 scope link onlink", LinuxNextHopBuilder.BuildNextHops(new[] { message }, Interfaces).Single().ToString());
    }

    [Fact]
    public void ABlackholeAndAGroupReadAsIpNexthopPrintsThem()
    {
        var blackhole = NextHop(20, b => b.Attribute(4, Array.Empty<byte>()));
        var group = NextHop(10, b => b.Attribute(2, BitConverter.GetBytes(1u).Concat(new byte[] { 2, 0, 0, 0 }).Concat(BitConverter.GetBytes(2u)).Concat(new byte[4]).ToArray()));

        Assert.Equal(new[] { "id 20 blackhole", "id 10 group 1,3/2" }, LinuxNextHopBuilder.BuildNextHops(new[] { blackhole, group }, Interfaces).Select(n => n.ToString()).ToArray());
    }

    [Fact]
    public void NeighboursGetTheirInterfaceNameAndLinkLayerAddress()
    {
        var message = NextHopParser.ParseNeighbor(NetlinkBuilder.Attributes()
            .Raw(new byte[] { Rt.AF_INET, 0, 0, 0 }.Concat(BitConverter.GetBytes(3)).Concat(BitConverter.GetBytes((ushort)0x02)).Concat(new byte[] { 0x80, 1 }).ToArray())
            .Ip(1, "198.51.100.1").Attribute(2, new byte[] { 0x02, 0, 0, 0, 0, 0xab }).ToPayload());

        var neighbor = Assert.Single(LinuxNextHopBuilder.BuildNeighbors(new[] { message }, Interfaces));

        Assert.Equal("eth1", neighbor.InterfaceAlias);
        Assert.Equal("02:00:00:00:00:ab", neighbor.LinkLayerAddress);
        Assert.Equal(NeighborState.Reachable, neighbor.State);
        Assert.Equal(NeighborFlags.Router, neighbor.Flags);
        Assert.True(neighbor.IsValid);
    }
}

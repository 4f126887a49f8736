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

/// <summary>Routes built from their messages one by one, as the dump hands them over, with repeated addresses shared.</summary>
public class LinuxRouteBuilderTests
{
    private static readonly NetInterfaceInfo[] Interfaces = { new(2, "eth0"), new(3, "eth1") };

    private static RouteMessage Via(string destination, byte length, string gateway, string? preferredSource = null)
    {
        var builder = Route(destination, length).Ip(RTA_GATEWAY, gateway).U32(RTA_OIF, 2);
        return RouteParser.ParseRoute((preferredSource is null ? builder : builder.Ip(RTA_PREFSRC, preferredSource)).ToPayload());
    }

    [Fact]
    public void RoutesThroughOneGatewayShareItsAddressAndKeepTheirOwnPrefixes()
    {
        var routes = LinuxRouteBuilder.BuildRoutes(
            new[] { Via("10.1.0.0", 16, "192.0.2.1", "192.0.2.10"), Via("10.2.0.0", 16, "192.0.2.1", "192.0.2.10"), Via("10.3.0.0", 16, "192.0.2.2") },
            Interfaces);

        Assert.Equal(new[] { "10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16" }, routes.Select(r => r.DestinationPrefix.ToString()));
        Assert.Same(routes[0].NextHop, routes[1].NextHop);
        Assert.Same(routes[0].PreferredSource, routes[1].PreferredSource);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), routes[0].NextHop);
        Assert.Equal(IPAddress.Parse("192.0.2.2"), routes[2].NextHop);
        Assert.Equal("eth0", routes[2].InterfaceAlias);
    }

    [Fact]
    public void AddressesThatMeetInOneSlotOfTheCacheStayApart()
    {
        // 192.0.2.40 and 192.0.3.9 fall in one of the cache's 256 slots (31 * 1 + (9 - 40) = 0): each evicts the other.
        var routes = LinuxRouteBuilder.BuildRoutes(
            new[] { Via("10.1.0.0", 16, "192.0.2.40"), Via("10.2.0.0", 16, "192.0.3.9"), Via("10.3.0.0", 16, "192.0.2.40"), Via("10.4.0.0", 16, "192.0.3.9") },
            Interfaces);

        Assert.Equal(new[] { "192.0.2.40", "192.0.3.9", "192.0.2.40", "192.0.3.9" }, routes.Select(r => r.NextHop.ToString()));
    }

    [Fact]
    public void AMultipathRoutesHopsAreBuiltWithTheirGatewaysAndNames()
    {
        var message = RouteParser.ParseRoute(RtMsg(Rt.AF_INET, destinationLength: 8).Ip(RTA_DST, "10.0.0.0").Multipath(
            NextHop(2, attributes: NetlinkBuilder.Attributes().Ip(RTA_GATEWAY, "192.0.2.1")),
            NextHop(3, hops: 1, attributes: NetlinkBuilder.Attributes().Ip(RTA_GATEWAY, "198.51.100.1"))).ToPayload());

        var route = Assert.Single(LinuxRouteBuilder.BuildRoutes(new[] { message }, Interfaces));

        Assert.Equal(new[] { "192.0.2.1 eth0 1", "198.51.100.1 eth1 2" }, route.NextHops.Select(h => $"{h.NextHop} {h.InterfaceAlias} {h.Weight}"));
    }

    [Fact]
    public void AMessageOfAnotherFamilyIsNoRoute()
    {
        var message = RouteParser.ParseRoute(RtMsg(family: 7).ToPayload());

        Assert.Null(LinuxRouteBuilder.RouteOf(Interfaces)(message));
        Assert.Empty(LinuxRouteBuilder.BuildRoutes(new[] { message }, Interfaces));
    }
}

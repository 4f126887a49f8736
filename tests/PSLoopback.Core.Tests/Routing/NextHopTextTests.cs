using System;
using System.Linq;
using System.Net;
using PSLoopback.Routing;

namespace PSLoopback.Core.Tests.Routing;

public class NextHopTextTests
{
    [Fact]
    public void ReadsBackWhatItWrites()
    {
        var hops = new[]
        {
            new NetRouteNextHop { NextHop = IPAddress.Parse("192.0.2.1"), InterfaceIndex = 2, InterfaceAlias = "eth0", Weight = 1 },
            new NetRouteNextHop { NextHop = IPAddress.Any, InterfaceIndex = 3, InterfaceAlias = "veth-london-123", Weight = 256, Flags = RouteFlags.OnLink | RouteFlags.Dead },
            new NetRouteNextHop { NextHop = IPAddress.Parse("198.51.100.1"), InterfaceIndex = 7, Weight = 3 },
        };
        var text = string.Join(NextHopText.Separator, hops.Select(NextHopText.Format));
        Assert.Equal("via 192.0.2.1 dev eth0 weight 1; dev veth-london-123 weight 256 dead onlink; via 198.51.100.1 ifindex 7 weight 3", text);

        var read = NextHopText.Parse(text, IPAddress.Any);
        Assert.Equal(new[] { "192.0.2.1", "0.0.0.0", "198.51.100.1" }, read.Select(h => h.NextHop.ToString()));
        Assert.Equal(new[] { "eth0", "veth-london-123", null }, read.Select(h => h.InterfaceAlias));
        Assert.Equal(new[] { 0, 0, 7 }, read.Select(h => h.InterfaceIndex));
        Assert.Equal(new[] { 1, 256, 3 }, read.Select(h => h.Weight));
        Assert.Equal(RouteFlags.OnLink | RouteFlags.Dead, read[1].Flags);
    }

    [Fact]
    public void ReadsIPv6GatewaysWithTheUnspecifiedAddressOfTheirFamily()
    {
        var read = NextHopText.Parse("via fe80::1 dev eth0 weight 1; dev eth1 weight 1", IPAddress.IPv6Any);
        Assert.Equal(new[] { "fe80::1", "::" }, read.Select(h => h.NextHop.ToString()));
    }

    [Fact]
    public void ReadsHopsJoinedBySpacesAlone()
    {
        var read = NextHopText.Parse("via 192.0.2.1 dev e1 weight 1 via 198.51.100.1 dev e2 weight 2 dev e3 weight 1 onlink", IPAddress.Any);
        Assert.Equal(new[] { "e1", "e2", "e3" }, read.Select(h => h.InterfaceAlias));
        Assert.Equal(new[] { "192.0.2.1", "198.51.100.1", "0.0.0.0" }, read.Select(h => h.NextHop.ToString()));
        Assert.Equal(new[] { 1, 2, 1 }, read.Select(h => h.Weight));
        Assert.Equal(RouteFlags.OnLink, read[2].Flags);
    }

    [Fact]
    public void ReadsANumericDeviceAsTheNameItIs()
    {
        var read = NextHopText.Parse("via 10.50.0.2 dev 12345 weight 1; ifindex 4 weight 1", IPAddress.Any);
        Assert.Equal(new[] { "12345", null }, read.Select(h => h.InterfaceAlias));
        Assert.Equal(new[] { 0, 4 }, read.Select(h => h.InterfaceIndex));
    }

    [Theory]
    [InlineData("System.Object[]")]
    [InlineData(";;;")]
    [InlineData("   ")]
    [InlineData("dev eth0 weight 1 Onlink,Dead")]
    [InlineData("ifindex 0 weight 1")]
    [InlineData("via 192.0.2.1 via 192.0.2.2 dev eth0")]
    [InlineData("; dev eth0 ; weight 1")]
    [InlineData("via 192.0.2.1 weight 1")]
    [InlineData("via 192.0.2.1 dev")]
    [InlineData("via 192.0.2.999 dev eth0 weight 1")]
    [InlineData("dev eth0 weight heavy")]
    [InlineData("dev eth0 weight 1 4")]
    public void RefusesWhatItCannotRead(string text)
    {
        var e = Assert.Throws<FormatException>(() => NextHopText.Parse(text, IPAddress.Any));
        Assert.Contains(text.Trim(), e.Message, StringComparison.Ordinal);
    }
}

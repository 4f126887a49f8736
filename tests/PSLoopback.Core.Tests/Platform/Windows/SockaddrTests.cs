using System.Net;
using PSLoopback.Platform.Windows;

namespace PSLoopback.Core.Tests.Platform.Windows;

public class SockaddrTests
{
    [Fact]
    public void AddressesAreWrittenAsWindowsLaysThemOut()
    {
        var v4 = Sockaddr.Encode(IPAddress.Parse("192.0.2.7"));
        Assert.Equal(new byte[] { 2, 0, 0, 0, 192, 0, 2, 7, 0, 0, 0, 0, 0, 0, 0, 0 }, v4[..16]);
        Assert.Equal(28, v4.Length);

        var v6 = Sockaddr.Encode(IPAddress.Parse("fe80::1%12"));
        Assert.Equal(new byte[] { 23, 0, 0, 0, 0, 0, 0, 0, 0xfe, 0x80 }, v6[..10]);
        Assert.Equal(1, v6[23]);
        Assert.Equal(new byte[] { 12, 0, 0, 0 }, v6[24..28]);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("::1")]
    [InlineData("2001:db8::ff00:42:8329")]
    public void WhatIsWrittenReadsBackWithoutAZone(string address)
    {
        Assert.Equal(IPAddress.Parse(address), Sockaddr.Decode(Sockaddr.Encode(IPAddress.Parse(address)), 0, Sockaddr.Length, "test"));
        Assert.Equal(IPAddress.Parse("fe80::1"), Sockaddr.Decode(Sockaddr.Encode(IPAddress.Parse("fe80::1%3")), 0, Sockaddr.Length, "test"));
    }

    [Fact]
    public void AnIPv4AddressNeedsOnlyItsOwnSixteenBytes()
    {
        var buffer = new byte[20];
        Sockaddr.Encode(IPAddress.Parse("198.51.100.1"))[..16].CopyTo(buffer, 4);
        Assert.Equal(IPAddress.Parse("198.51.100.1"), Sockaddr.Decode(buffer, 4, 16, "test"));
    }

    [Fact]
    public void ShortOrForeignAddressesAreMalformed()
    {
        var v6 = Sockaddr.Encode(IPAddress.IPv6Loopback);
        Assert.Contains("too short", Assert.Throws<IpHelperParseException>(() => Sockaddr.Decode(v6, 0, 16, "test")).Message);
        Assert.Contains("needs bytes", Assert.Throws<IpHelperParseException>(() => Sockaddr.Decode(v6[..20], 0, 28, "test")).Message);
        Assert.Contains("needs bytes", Assert.Throws<IpHelperParseException>(() => Sockaddr.Decode(v6, 27, 28, "test")).Message);
        Assert.Contains("address family 6", Assert.Throws<IpHelperParseException>(() => Sockaddr.Decode(new byte[] { 6, 0, 0, 0 }, 0, 28, "test")).Message);
    }
}

using System;
using System.Net;
using PSLoopback.Core.Tests.Support;
using PSLoopback.Platform.Linux.Netlink;

namespace PSLoopback.Core.Tests.Netlink;

public class AddressParsingTests
{
    [Fact]
    public void ReadsTheIfAddrMsgHeader()
    {
        var payload = NetlinkBuilder.IfAddr(Rt.AF_INET6, 64, index: 9, flags: 0x80, scope: Rt.RT_SCOPE_LINK).ToPayload();
        var address = RtnetlinkParser.ParseAddress(payload);
        Assert.Equal(Rt.AF_INET6, address.Family);
        Assert.Equal(64, address.PrefixLength);
        Assert.Equal(0x80u, address.Flags);
        Assert.Equal(Rt.RT_SCOPE_LINK, address.Scope);
        Assert.Equal(9, address.Index);
        Assert.Null(address.Address);
        Assert.Null(address.Local);
        Assert.Null(address.PreferredLifetime);
        Assert.Null(address.ValidLifetime);
    }

    [Theory]
    [InlineData(Rt.AF_INET, 33)]
    [InlineData(Rt.AF_INET6, 129)]
    public void APrefixLongerThanTheAddressIsMalformed(byte family, byte prefixLength)
    {
        var payload = NetlinkBuilder.IfAddr(family, prefixLength, index: 2).ToPayload();
        Assert.Throws<NetlinkParseException>(() => RtnetlinkParser.ParseAddress(payload));
    }

    [Fact]
    public void ReadsEveryAttributeItUses()
    {
        var payload = NetlinkBuilder.IfAddr(Rt.AF_INET, 24, index: 2)
            .Ip(Rt.IFA_ADDRESS, "198.51.100.7")
            .Ip(Rt.IFA_LOCAL, "198.51.100.7")
            .Ip(Rt.IFA_BROADCAST, "198.51.100.255")
            .String(Rt.IFA_LABEL, "eth0:web")
            .CacheInfo(preferred: 100, valid: 200)
            .ToPayload();

        var address = RtnetlinkParser.ParseAddress(payload);
        Assert.Equal(IPAddress.Parse("198.51.100.7").GetAddressBytes(), address.Address);
        Assert.Equal(IPAddress.Parse("198.51.100.7").GetAddressBytes(), address.Local);
        Assert.Equal(IPAddress.Parse("198.51.100.255").GetAddressBytes(), address.Broadcast);
        Assert.Equal("eth0:web", address.Label);
        Assert.Equal(100u, address.PreferredLifetime);
        Assert.Equal(200u, address.ValidLifetime);
    }

    [Fact]
    public void FlagsAttributeOverridesTheHeadersEightBits()
    {
        // IFA_F_MANAGETEMPADDR (0x100) and above only fit in the 32-bit attribute.
        var payload = NetlinkBuilder.IfAddr(Rt.AF_INET6, 64, index: 2, flags: 0x80)
            .Ip(Rt.IFA_ADDRESS, "2001:db8::5")
            .U32(Rt.IFA_FLAGS, 0x380)
            .ToPayload();
        Assert.Equal(0x380u, RtnetlinkParser.ParseAddress(payload).Flags);
    }

    [Fact]
    public void FlagsAttributeOverridesTheHeaderEvenWhenItClearsBits()
    {
        var payload = NetlinkBuilder.IfAddr(Rt.AF_INET6, 64, index: 2, flags: 0xFF)
            .Ip(Rt.IFA_ADDRESS, "2001:db8::5")
            .U32(Rt.IFA_FLAGS, 0)
            .ToPayload();
        Assert.Equal(0u, RtnetlinkParser.ParseAddress(payload).Flags);
    }

    [Fact]
    public void UnknownFamilyAcceptsAnyAddressLength()
    {
        var payload = NetlinkBuilder.IfAddr(44, 0, index: 2).Attribute(Rt.IFA_ADDRESS, new byte[] { 1, 2, 3 }).ToPayload();
        var address = RtnetlinkParser.ParseAddress(payload);
        Assert.Equal(44, address.Family);
        Assert.Equal(new byte[] { 1, 2, 3 }, address.Address);
    }

    [Fact]
    public void UnknownAttributesAreIgnored()
    {
        var payload = NetlinkBuilder.IfAddr(Rt.AF_INET, 8, index: 1)
            .U8(11, 1) // IFA_PROTO, newer than the parser
            .Attribute(0x7FF, new byte[] { 9, 9, 9, 9, 9 })
            .Ip(Rt.IFA_LOCAL, "127.0.0.1")
            .ToPayload();
        Assert.Equal(new byte[] { 127, 0, 0, 1 }, RtnetlinkParser.ParseAddress(payload).Local);
    }
}

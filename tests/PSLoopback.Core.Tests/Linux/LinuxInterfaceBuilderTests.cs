using System;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Core.Tests.Support;
using PSLoopback.Interfaces;
using PSLoopback.Platform.Linux;
using PSLoopback.Platform.Linux.Netlink;

namespace PSLoopback.Core.Tests.Linux;

public class LinuxInterfaceBuilderTests
{
    [Fact]
    public void PointToPointIpv4UsesLocalAsTheAddressAndAddressAsThePeer()
    {
        var address = SingleAddress(NetlinkBuilder.IfAddr(Rt.AF_INET, 32, index: 1)
            .Ip(Rt.IFA_ADDRESS, "10.0.0.2")
            .Ip(Rt.IFA_LOCAL, "10.0.0.1"));

        Assert.Equal(IPAddress.Parse("10.0.0.1"), address.IPAddress);
        Assert.Equal(IPAddress.Parse("10.0.0.2"), address.Peer);
        Assert.Equal(32, address.PrefixLength);
    }

    [Fact]
    public void EqualLocalAndAddressMeanNoPeer()
    {
        var address = SingleAddress(NetlinkBuilder.Address("192.0.2.9", 24, index: 1));
        Assert.Equal(IPAddress.Parse("192.0.2.9"), address.IPAddress);
        Assert.Null(address.Peer);
    }

    [Fact]
    public void Ipv6WithOnlyIfaAddress()
    {
        var address = SingleAddress(NetlinkBuilder.IfAddr(Rt.AF_INET6, 64, index: 1).Ip(Rt.IFA_ADDRESS, "2001:db8::7"));
        Assert.Equal(IPAddress.Parse("2001:db8::7"), address.IPAddress);
        Assert.Equal(IPAddressFamily.IPv6, address.AddressFamily);
        Assert.Null(address.Peer);
    }

    [Fact]
    public void AddressWithNeitherLocalNorAddressIsMalformed()
    {
        var link = RtnetlinkParser.ParseLink(NetlinkBuilder.Link(1, "eth0").ToPayload());
        var address = RtnetlinkParser.ParseAddress(NetlinkBuilder.IfAddr(Rt.AF_INET, 24, index: 1).String(Rt.IFA_LABEL, "eth0").ToPayload());
        Assert.Throws<NetlinkParseException>(() => LinuxInterfaceBuilder.Build(new[] { link }, new[] { address }));
    }

    [Fact]
    public void Ipv6TemporaryFlag()
    {
        var address = SingleAddress(NetlinkBuilder.Address("2001:db8::a:b", 64, index: 1).U32(Rt.IFA_FLAGS, 0x01));
        Assert.True(address.IsTemporary);
        Assert.False(address.IsSecondary);
        Assert.Equal(AddressFlags.Secondary, address.Flags);
    }

    [Fact]
    public void Ipv4SecondaryIsNotTemporary()
    {
        var address = SingleAddress(NetlinkBuilder.Address("192.0.2.2", 24, index: 1).U32(Rt.IFA_FLAGS, 0x01));
        Assert.True(address.IsSecondary);
        Assert.False(address.IsTemporary);
    }

    [Fact]
    public void DeprecatedAndTentativeFlags()
    {
        var deprecated = SingleAddress(NetlinkBuilder.Address("2001:db8::1", 64, index: 1).U32(Rt.IFA_FLAGS, 0x20));
        Assert.True(deprecated.IsDeprecated);
        Assert.False(deprecated.IsTentative);

        var tentative = SingleAddress(NetlinkBuilder.Address("2001:db8::2", 64, index: 1).U32(Rt.IFA_FLAGS, 0x40));
        Assert.True(tentative.IsTentative);
        Assert.False(tentative.IsDeprecated);

        var failed = SingleAddress(NetlinkBuilder.Address("2001:db8::3", 64, index: 1).U32(Rt.IFA_FLAGS, 0x08 | 0x40));
        Assert.True(failed.IsDadFailed);
        Assert.True(failed.IsTentative);
    }

    [Fact]
    public void HeaderFlagsApplyWithoutTheFlagsAttribute()
    {
        var address = SingleAddress(NetlinkBuilder.IfAddr(Rt.AF_INET6, 64, index: 1, flags: 0x20 | 0x02).Ip(Rt.IFA_ADDRESS, "2001:db8::1"));
        Assert.Equal(AddressFlags.Deprecated | AddressFlags.NoDad, address.Flags);
    }

    [Fact]
    public void FlagsAboveTheHeadersEightBitsReachTheModel()
    {
        var address = SingleAddress(NetlinkBuilder.Address("2001:db8::1", 64, index: 1).U32(Rt.IFA_FLAGS, 0x80 | 0x800));
        Assert.Equal(AddressFlags.Permanent | AddressFlags.StablePrivacy, address.Flags);
    }

    [Theory]
    [InlineData(uint.MaxValue, null)]
    [InlineData(0u, 0.0)]
    [InlineData(86400u, 86400.0)]
    [InlineData(uint.MaxValue - 1, 4294967294.0)]
    public void Lifetimes(uint seconds, double? expectedSeconds)
    {
        var address = SingleAddress(NetlinkBuilder.Address("2001:db8::1", 64, index: 1).CacheInfo(preferred: seconds, valid: seconds));
        var expected = expectedSeconds is double s ? TimeSpan.FromSeconds(s) : TimeSpan.MaxValue;
        Assert.Equal(expected, address.ValidLifetime);
        Assert.Equal(expected, address.PreferredLifetime);
    }

    [Fact]
    public void NoCacheInfoMeansUnknownLifetimes()
    {
        var address = SingleAddress(NetlinkBuilder.Address("192.0.2.1", 24, index: 1));
        Assert.Null(address.ValidLifetime);
        Assert.Null(address.PreferredLifetime);
    }

    [Fact]
    public void ScopesMapOneToOne()
    {
        var links = new[] { Link(NetlinkBuilder.Link(1, "lo")) };
        var addresses = new[] { Rt.RT_SCOPE_UNIVERSE, (byte)200, Rt.RT_SCOPE_LINK, Rt.RT_SCOPE_HOST, (byte)255 }
            .Select((scope, i) => Address(NetlinkBuilder.IfAddr(Rt.AF_INET6, 64, index: 1, scope: scope).Ip(Rt.IFA_ADDRESS, "2001:db8::" + (i + 1))))
            .ToArray();

        var scopes = Assert.Single(LinuxInterfaceBuilder.Build(links, addresses)).Addresses.Select(a => a.Scope);
        Assert.Equal(new AddressScope?[] { AddressScope.Global, AddressScope.Site, AddressScope.Link, AddressScope.Host, AddressScope.Nowhere }, scopes);
    }

    [Fact]
    public void AddressOfAnUnknownFamilyIsDropped()
    {
        var links = new[] { Link(NetlinkBuilder.Link(1, "eth0")) };
        var addresses = new[]
        {
            Address(NetlinkBuilder.IfAddr(44, 0, index: 1).Attribute(Rt.IFA_ADDRESS, new byte[] { 1, 2, 3, 4, 5 })),
            Address(NetlinkBuilder.Address("192.0.2.1", 24, index: 1)),
        };

        var single = Assert.Single(Assert.Single(LinuxInterfaceBuilder.Build(links, addresses)).Addresses);
        Assert.Equal("192.0.2.1/24", single.ToString());
    }

    [Fact]
    public void AddressOfAnIndexWithoutLinkIsDropped()
    {
        var links = new[] { Link(NetlinkBuilder.Link(1, "eth0")) };
        var addresses = new[]
        {
            Address(NetlinkBuilder.Address("192.0.2.1", 24, index: 1)),
            Address(NetlinkBuilder.Address("198.51.100.1", 24, index: 2)),
            Address(NetlinkBuilder.Address("2001:db8::1", 64, index: 77)),
        };

        var result = Assert.Single(LinuxInterfaceBuilder.Build(links, addresses));
        Assert.Equal(new[] { "192.0.2.1/24" }, result.Addresses.Select(a => a.ToString()));
    }

    [Fact]
    public void LinksComeOutInIndexOrderWithTheirOwnAddresses()
    {
        var links = new[] { Link(NetlinkBuilder.Link(3, "c")), Link(NetlinkBuilder.Link(1, "a")), Link(NetlinkBuilder.Link(2, "b")) };
        var addresses = new[]
        {
            Address(NetlinkBuilder.Address("192.0.2.3", 24, index: 3)),
            Address(NetlinkBuilder.Address("192.0.2.1", 24, index: 1)),
            Address(NetlinkBuilder.Address("2001:db8::3", 64, index: 3)),
        };

        var result = LinuxInterfaceBuilder.Build(links, addresses);
        Assert.Equal(new[] { "a", "b", "c" }, result.Select(i => i.Name));
        Assert.Equal(new[] { "192.0.2.1/24" }, result[0].Addresses.Select(a => a.ToString()));
        Assert.Empty(result[1].Addresses);
        Assert.Equal(new[] { "192.0.2.3/24", "2001:db8::3/64" }, result[2].Addresses.Select(a => a.ToString()));
        Assert.Equal(new[] { "192.0.2.3" }, result[2].IPv4Address.Select(a => a.ToString()));
        Assert.Equal(new[] { "2001:db8::3" }, result[2].IPv6Address.Select(a => a.ToString()));
        Assert.All(result[2].Addresses, a => Assert.Equal("c", a.InterfaceAlias));
    }

    [Fact]
    public void LinkFieldsReachTheModel()
    {
        var link = Link(NetlinkBuilder.Link(4, "eth0", Rt.ARPHRD_ETHER, Rt.IFF_UP | 0x1000)
            .U32(Rt.IFLA_MTU, 9000)
            .Attribute(Rt.IFLA_ADDRESS, new byte[] { 0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0x0A })
            .U8(Rt.IFLA_OPERSTATE, 5)
            .String(Rt.IFLA_IFALIAS, "uplink")
            .Stats64(scale: 3));

        var info = Assert.Single(LinuxInterfaceBuilder.Build(new[] { link }, Array.Empty<AddressMessage>(), _ => new SysfsFacts(25_000_000_000, false)));
        Assert.Equal(4, info.InterfaceIndex);
        Assert.Equal("de:ad:be:ef:00:0a", info.MacAddress);
        Assert.Equal(9000, info.Mtu);
        Assert.Equal(InterfaceStatus.Dormant, info.Status);
        Assert.Equal(AdminStatus.Up, info.AdminStatus);
        Assert.Equal(InterfaceFlags.Up | InterfaceFlags.Multicast, info.Flags);
        Assert.Equal("uplink", info.Description);
        Assert.Equal(InterfaceType.Ethernet, info.InterfaceType);
        Assert.Equal(25_000_000_000, info.Speed);
        Assert.Equal(3UL, info.ReceivedPackets);
        Assert.Equal(6UL, info.SentPackets);
        Assert.Equal(9UL, info.ReceivedBytes);
        Assert.Equal(12UL, info.SentBytes);
        Assert.Equal(15UL, info.ReceiveErrors);
        Assert.Equal(18UL, info.SendErrors);
        Assert.Equal(21UL, info.ReceiveDrops);
        Assert.Equal(24UL, info.SendDrops);
    }

    [Fact]
    public void MissingFactsStayNull()
    {
        var info = Assert.Single(LinuxInterfaceBuilder.Build(new[] { Link(NetlinkBuilder.Link(1, "x")) }, Array.Empty<AddressMessage>()));
        Assert.Null(info.MacAddress);
        Assert.Null(info.Mtu);
        Assert.Null(info.Speed);
        Assert.Null(info.ReceivedBytes);
        Assert.Null(info.Description);
        Assert.Equal(InterfaceStatus.Unknown, info.Status);
        Assert.Equal(AdminStatus.Down, info.AdminStatus);
    }

    [Fact]
    public void OperStateOutsideRfc2863IsUnknown()
    {
        var info = Assert.Single(LinuxInterfaceBuilder.Build(new[] { Link(NetlinkBuilder.Link(1, "x").U8(Rt.IFLA_OPERSTATE, 7)) }, Array.Empty<AddressMessage>()));
        Assert.Equal(InterfaceStatus.Unknown, info.Status);
    }

    [Fact]
    public void MtuAboveIntMaxIsClamped()
    {
        var info = Assert.Single(LinuxInterfaceBuilder.Build(new[] { Link(NetlinkBuilder.Link(1, "x").U32(Rt.IFLA_MTU, uint.MaxValue)) }, Array.Empty<AddressMessage>()));
        Assert.Equal(int.MaxValue, info.Mtu);
    }

    [Fact]
    public void EmptyLinkAddressMeansNoMac()
    {
        var info = Assert.Single(LinuxInterfaceBuilder.Build(new[] { Link(NetlinkBuilder.Link(1, "x").Attribute(Rt.IFLA_ADDRESS, Array.Empty<byte>())) }, Array.Empty<AddressMessage>()));
        Assert.Null(info.MacAddress);
    }

    private static NetInterfaceAddress SingleAddress(NetlinkBuilder address)
    {
        var link = Link(NetlinkBuilder.Link(1, "eth0"));
        var info = Assert.Single(LinuxInterfaceBuilder.Build(new[] { link }, new[] { Address(address) }));
        return Assert.Single(info.Addresses);
    }

    private static LinkMessage Link(NetlinkBuilder builder) => RtnetlinkParser.ParseLink(builder.ToPayload());

    private static AddressMessage Address(NetlinkBuilder builder) => RtnetlinkParser.ParseAddress(builder.ToPayload());
}

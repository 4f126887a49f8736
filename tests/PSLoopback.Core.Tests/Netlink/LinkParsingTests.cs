using System;
using System.Text;
using PSLoopback.Core.Tests.Support;
using PSLoopback.Platform.Linux.Netlink;

namespace PSLoopback.Core.Tests.Netlink;

public class LinkParsingTests
{
    [Fact]
    public void ReadsTheIfInfoMsgHeader()
    {
        var link = RtnetlinkParser.ParseLink(NetlinkBuilder.Link(7, "eth0", Rt.ARPHRD_LOOPBACK, 0x11043).ToPayload());
        Assert.Equal(7, link.Index);
        Assert.Equal(Rt.ARPHRD_LOOPBACK, link.DeviceType);
        Assert.Equal(0x11043u, link.Flags);
        Assert.Equal("eth0", link.Name);
    }

    [Fact]
    public void ReadsEveryAttributeItUses()
    {
        var payload = NetlinkBuilder.Link(2, "eth0")
            .U32(Rt.IFLA_MTU, 9000)
            .Attribute(Rt.IFLA_ADDRESS, new byte[] { 0x52, 0x54, 0x00, 0xAB, 0xCD, 0xEF })
            .U8(Rt.IFLA_OPERSTATE, Rt.IF_OPER_UP)
            .String(Rt.IFLA_IFALIAS, "to the router")
            .Nested(Rt.IFLA_LINKINFO, NetlinkBuilder.Attributes().String(Rt.IFLA_INFO_KIND, "vlan"))
            .ToPayload();

        var link = RtnetlinkParser.ParseLink(payload);

        Assert.Equal(9000u, link.Mtu);
        Assert.Equal(new byte[] { 0x52, 0x54, 0x00, 0xAB, 0xCD, 0xEF }, link.Address);
        Assert.Equal(Rt.IF_OPER_UP, link.OperState);
        Assert.Equal("to the router", link.Alias);
        Assert.Equal("vlan", link.Kind);
    }

    [Fact]
    public void AbsentAttributesStayNull()
    {
        var link = RtnetlinkParser.ParseLink(NetlinkBuilder.Link(2, "eth0").ToPayload());
        Assert.Null(link.Mtu);
        Assert.Null(link.Address);
        Assert.Null(link.OperState);
        Assert.Null(link.Alias);
        Assert.Null(link.Kind);
        Assert.Null(link.Statistics);
        Assert.Null(link.Group);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(5u)]
    [InlineData(0xFFFFFFFFu)]
    public void ReadsTheInterfaceGroup(uint group)
    {
        var link = RtnetlinkParser.ParseLink(NetlinkBuilder.Link(2, "eth0").U32(Rt.IFLA_GROUP, group).ToPayload());
        Assert.Equal(group, link.Group);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void InterfaceGroupTooShortIsMalformed(int size)
    {
        var payload = NetlinkBuilder.Link(2, "eth0").Attribute(Rt.IFLA_GROUP, new byte[size]).ToPayload();
        Assert.Throws<NetlinkParseException>(() => RtnetlinkParser.ParseLink(payload));
    }

    [Fact]
    public void NameWithoutNulTerminatorIsTakenWhole()
    {
        var payload = NetlinkBuilder.IfInfo(2).Attribute(Rt.IFLA_IFNAME, Encoding.UTF8.GetBytes("wlp3s0")).ToPayload();
        Assert.Equal("wlp3s0", RtnetlinkParser.ParseLink(payload).Name);
    }

    [Fact]
    public void NameEndsAtTheFirstNul()
    {
        var payload = NetlinkBuilder.IfInfo(2).Attribute(Rt.IFLA_IFNAME, Encoding.UTF8.GetBytes("eth0\0junk\0")).ToPayload();
        Assert.Equal("eth0", RtnetlinkParser.ParseLink(payload).Name);
    }

    [Fact]
    public void NulInTheBytesAfterTheNameAttributeDoesNotEndTheName()
    {
        // The NUL search must stay inside the attribute: the padding and next attribute follow in the same array.
        var payload = NetlinkBuilder.IfInfo(2)
            .Attribute(Rt.IFLA_IFNAME, Encoding.UTF8.GetBytes("abcde"))
            .U32(Rt.IFLA_MTU, 0)
            .ToPayload();
        Assert.Equal("abcde", RtnetlinkParser.ParseLink(payload).Name);
    }

    [Fact]
    public void MissingNameIsMalformed()
    {
        var payload = NetlinkBuilder.IfInfo(5).U32(Rt.IFLA_MTU, 1500).ToPayload();
        var error = Assert.Throws<NetlinkParseException>(() => RtnetlinkParser.ParseLink(payload));
        Assert.Contains("IFLA_IFNAME", error.Message);
    }

    [Fact]
    public void EmptyNameIsANameNotAMissingOne()
    {
        var payload = NetlinkBuilder.IfInfo(5).Attribute(Rt.IFLA_IFNAME, new byte[] { 0 }).ToPayload();
        Assert.Equal(string.Empty, RtnetlinkParser.ParseLink(payload).Name);
    }

    [Fact]
    public void Stats64()
    {
        var link = RtnetlinkParser.ParseLink(NetlinkBuilder.Link(2, "eth0").Stats64(scale: 1_000_000_000_000).ToPayload());
        var stats = Assert.IsType<LinkStatistics>(link.Statistics);

        // struct rtnl_link_stats64 begins rx_packets, tx_packets, rx_bytes, tx_bytes, rx_errors, tx_errors, rx_dropped, tx_dropped.
        Assert.Equal(1_000_000_000_000UL, stats.ReceivedPackets);
        Assert.Equal(2_000_000_000_000UL, stats.SentPackets);
        Assert.Equal(3_000_000_000_000UL, stats.ReceivedBytes);
        Assert.Equal(4_000_000_000_000UL, stats.SentBytes);
        Assert.Equal(5_000_000_000_000UL, stats.ReceiveErrors);
        Assert.Equal(6_000_000_000_000UL, stats.SendErrors);
        Assert.Equal(7_000_000_000_000UL, stats.ReceiveDrops);
        Assert.Equal(8_000_000_000_000UL, stats.SendDrops);
    }

    [Fact]
    public void Stats32IsTheFallbackWhenStats64IsAbsent()
    {
        var link = RtnetlinkParser.ParseLink(NetlinkBuilder.Link(2, "eth0").Stats32(scale: 10).ToPayload());
        var stats = Assert.IsType<LinkStatistics>(link.Statistics);
        Assert.Equal(10UL, stats.ReceivedPackets);
        Assert.Equal(20UL, stats.SentPackets);
        Assert.Equal(30UL, stats.ReceivedBytes);
        Assert.Equal(40UL, stats.SentBytes);
        Assert.Equal(50UL, stats.ReceiveErrors);
        Assert.Equal(60UL, stats.SendErrors);
        Assert.Equal(70UL, stats.ReceiveDrops);
        Assert.Equal(80UL, stats.SendDrops);
    }

    [Fact]
    public void Stats32AtItsMaximumIsNotSignExtended()
    {
        var counters = new byte[24 * 4];
        Array.Fill(counters, (byte)0xFF);
        var link = RtnetlinkParser.ParseLink(NetlinkBuilder.Link(2, "eth0").Attribute(Rt.IFLA_STATS, counters).ToPayload());
        Assert.Equal((ulong)uint.MaxValue, link.Statistics!.ReceivedBytes);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Stats64WinsOverStats32WhicheverComesFirst(bool stats64First)
    {
        var builder = NetlinkBuilder.Link(2, "eth0");
        builder = stats64First
            ? builder.Stats64(scale: 1000).Stats32(scale: 1)
            : builder.Stats32(scale: 1).Stats64(scale: 1000);

        var stats = RtnetlinkParser.ParseLink(builder.ToPayload()).Statistics!;
        Assert.Equal(1000UL, stats.ReceivedPackets);
        Assert.Equal(8000UL, stats.SendDrops);
    }

    [Fact]
    public void LinkInfoWithNestedFlagStillYieldsTheKind()
    {
        var payload = NetlinkBuilder.Link(2, "br0")
            .Nested(Rt.IFLA_LINKINFO | Rt.NLA_F_NESTED, NetlinkBuilder.Attributes()
                .String(Rt.IFLA_INFO_KIND, "bridge")
                .Nested(Rt.IFLA_INFO_DATA | Rt.NLA_F_NESTED, NetlinkBuilder.Attributes().U32(1, 1500)))
            .ToPayload();
        Assert.Equal("bridge", RtnetlinkParser.ParseLink(payload).Kind);
    }

    [Fact]
    public void KindIsFoundAfterOtherLinkInfoAttributes()
    {
        var payload = NetlinkBuilder.Link(2, "wg0")
            .Nested(Rt.IFLA_LINKINFO, NetlinkBuilder.Attributes()
                .Nested(Rt.IFLA_INFO_DATA, NetlinkBuilder.Attributes().U32(1, 1))
                .String(Rt.IFLA_INFO_KIND, "wireguard"))
            .ToPayload();
        Assert.Equal("wireguard", RtnetlinkParser.ParseLink(payload).Kind);
    }

    [Fact]
    public void LinkInfoWithoutKindLeavesKindNull()
    {
        var payload = NetlinkBuilder.Link(2, "eth0")
            .Nested(Rt.IFLA_LINKINFO, NetlinkBuilder.Attributes().Nested(Rt.IFLA_INFO_DATA, NetlinkBuilder.Attributes()))
            .ToPayload();
        Assert.Null(RtnetlinkParser.ParseLink(payload).Kind);
    }

    [Fact]
    public void ByteOrderFlagIsMaskedOffTheType()
    {
        var payload = NetlinkBuilder.Link(2, "eth0").U32(Rt.IFLA_MTU | Rt.NLA_F_NET_BYTEORDER, 1280).ToPayload();
        Assert.Equal(1280u, RtnetlinkParser.ParseLink(payload).Mtu);
    }

    [Fact]
    public void UnknownAttributesAreIgnored()
    {
        var payload = NetlinkBuilder.IfInfo(2)
            .Attribute(0x3FFF, new byte[] { 1, 2, 3 })
            .Attribute(62 | Rt.NLA_F_NESTED, NetlinkBuilder.Attributes().String(1, "altname0").ToPayload())
            .Attribute(999, Array.Empty<byte>())
            .String(Rt.IFLA_IFNAME, "eth0")
            .U32(1000, 12345)
            .U32(Rt.IFLA_MTU, 1500)
            .ToPayload();

        var link = RtnetlinkParser.ParseLink(payload);
        Assert.Equal("eth0", link.Name);
        Assert.Equal(1500u, link.Mtu);
    }

    [Fact]
    public void EmptyLinkAddressIsKeptAsEmpty()
    {
        var payload = NetlinkBuilder.Link(2, "eth0").Attribute(Rt.IFLA_ADDRESS, Array.Empty<byte>()).ToPayload();
        Assert.Equal(Array.Empty<byte>(), RtnetlinkParser.ParseLink(payload).Address);
    }

    [Fact]
    public void ParsedValuesDoNotAliasThePayload()
    {
        var payload = NetlinkBuilder.Link(2, "eth0").Attribute(Rt.IFLA_ADDRESS, new byte[] { 1, 2, 3, 4, 5, 6 }).ToPayload();
        var link = RtnetlinkParser.ParseLink(payload);
        Array.Clear(payload);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, link.Address);
    }
}

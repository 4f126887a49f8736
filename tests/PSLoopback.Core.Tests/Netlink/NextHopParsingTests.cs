using System;
using System.Linq;
using System.Net;
using PSLoopback.Core.Tests.Support;
using PSLoopback.Platform.Linux;
using PSLoopback.Platform.Linux.Netlink;
using Xunit;

namespace PSLoopback.Core.Tests.Netlink;

/// <summary>RTM_NEWNEXTHOP and RTM_NEWNEIGH: hand-built messages for every attribute read, and malformed ones.</summary>
public class NextHopParsingTests
{
    private const ushort NHA_ID = 1;
    private const ushort NHA_GROUP = 2;
    private const ushort NHA_GROUP_TYPE = 3;
    private const ushort NHA_BLACKHOLE = 4;
    private const ushort NHA_OIF = 5;
    private const ushort NHA_GATEWAY = 6;
    private const ushort NHA_ENCAP_TYPE = 7;
    private const ushort NHA_ENCAP = 8;
    private const ushort NHA_FDB = 11;
    private const ushort NHA_RES_GROUP = 12;
    private const ushort NDA_DST = 1;
    private const ushort NDA_LLADDR = 2;
    private const ushort RTM_NEWNEXTHOP = 104;
    private const ushort RTM_NEWNEIGH = 28;

    private static NetlinkBuilder NhMsg(byte family, byte scope = 0, byte protocol = 0, uint flags = 0) =>
        NetlinkBuilder.Attributes().Raw(new byte[] { family, scope, protocol, 0 }.Concat(BitConverter.GetBytes(flags)).ToArray());

    private static NetlinkBuilder NdMsg(byte family, int index, ushort state, byte flags = 0, byte type = 1) =>
        NetlinkBuilder.Attributes().Raw(new byte[] { family, 0, 0, 0 }
            .Concat(BitConverter.GetBytes(index)).Concat(BitConverter.GetBytes(state)).Concat(new[] { flags, type }).ToArray());

    /// <summary>struct nexthop_grp entries: id, then the weight less one as a low and a high byte.</summary>
    private static byte[] Group(params (uint Id, int Weight)[] members) =>
        members.SelectMany(m => BitConverter.GetBytes(m.Id).Concat(new[] { (byte)((m.Weight - 1) & 0xFF), (byte)((m.Weight - 1) >> 8), (byte)0, (byte)0 })).ToArray();

    [Fact]
    public void AGatewayNexthopIsRead()
    {
        var payload = NhMsg(Rt.AF_INET, scope: Rt.RT_SCOPE_LINK, protocol: 4, flags: 0x4)
            .U32(NHA_ID, 7).U32(NHA_OIF, 3).Ip(NHA_GATEWAY, "192.0.2.1").ToPayload();

        var nextHop = NextHopParser.ParseNextHop(payload);

        Assert.Equal(7u, nextHop.Id);
        Assert.Equal(Rt.AF_INET, nextHop.Family);
        Assert.Equal(Rt.RT_SCOPE_LINK, nextHop.Scope);
        Assert.Equal(4, nextHop.Protocol);
        Assert.Equal(0x4u, nextHop.Flags);
        Assert.Equal(3, nextHop.OutputInterface);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), new IPAddress(nextHop.Gateway!));
        Assert.Empty(nextHop.Group);
        Assert.False(nextHop.Blackhole);
    }

    [Fact]
    public void AGroupKeepsItsMembersWeightsAboveAByte()
    {
        var payload = NhMsg(0).U32(NHA_ID, 10).Attribute(NHA_GROUP, Group((1, 1), (2, 3), (3, 300))).ToPayload();

        var nextHop = NextHopParser.ParseNextHop(payload);

        Assert.Equal(new[] { (1u, 1), (2u, 3), (3u, 300) }, nextHop.Group.ToArray());
        Assert.Equal(0, nextHop.GroupType);
    }

    [Fact]
    public void AResilientGroupGivesItsTypeAndBuckets()
    {
        var resilient = NetlinkBuilder.Attributes().Attribute(1, BitConverter.GetBytes((ushort)8)).U32(2, 120);
        var payload = NhMsg(0).U32(NHA_ID, 30).Attribute(NHA_GROUP, Group((1, 1), (2, 1)))
            .Attribute(NHA_GROUP_TYPE, BitConverter.GetBytes((ushort)1)).Nested(NHA_RES_GROUP, resilient).ToPayload();

        var nextHop = NextHopParser.ParseNextHop(payload);

        Assert.Equal(1, nextHop.GroupType);
        Assert.Equal((ushort)8, nextHop.Buckets);
    }

    [Fact]
    public void BlackholeFdbAndEncapsulationAreRead()
    {
        var encap = NetlinkBuilder.Attributes().U32(1, 0x12345);
        var payload = NhMsg(Rt.AF_INET).U32(NHA_ID, 20).Attribute(NHA_BLACKHOLE, Array.Empty<byte>()).Attribute(NHA_FDB, Array.Empty<byte>())
            .Attribute(NHA_ENCAP_TYPE, BitConverter.GetBytes((ushort)1)).Nested(NHA_ENCAP, encap).ToPayload();

        var nextHop = NextHopParser.ParseNextHop(payload);

        Assert.True(nextHop.Blackhole);
        Assert.True(nextHop.Fdb);
        Assert.Equal((ushort)1, nextHop.EncapsulationType);
    }

    [Fact]
    public void AnIPv6GatewayIsSixteenBytes()
    {
        var nextHop = NextHopParser.ParseNextHop(NhMsg(Rt.AF_INET6).U32(NHA_ID, 41).U32(NHA_OIF, 2).Ip(NHA_GATEWAY, "fe80::1").ToPayload());

        Assert.Equal(IPAddress.Parse("fe80::1"), new IPAddress(nextHop.Gateway!));
    }

    public static TheoryData<string, byte[]> MalformedNextHops() => new()
    {
        { "no NHA_ID", NhMsg(Rt.AF_INET).U32(NHA_OIF, 2).ToPayload() },
        { "short nhmsg", new byte[] { 2, 0, 0, 0, 0 } },
        { "short NHA_ID", NhMsg(Rt.AF_INET).Attribute(NHA_ID, new byte[] { 1, 0 }).ToPayload() },
        { "group of 7 bytes", NhMsg(0).U32(NHA_ID, 1).Attribute(NHA_GROUP, new byte[7]).ToPayload() },
        { "empty group", NhMsg(0).U32(NHA_ID, 1).Attribute(NHA_GROUP, Array.Empty<byte>()).ToPayload() },
        { "IPv6 gateway in an IPv4 nexthop", NhMsg(Rt.AF_INET).U32(NHA_ID, 1).Ip(NHA_GATEWAY, "2001:db8::1").ToPayload() },
        { "gateway of an unknown family", NhMsg(7).U32(NHA_ID, 1).Ip(NHA_GATEWAY, "192.0.2.1").ToPayload() },
        { "short group type", NhMsg(0).U32(NHA_ID, 1).Attribute(NHA_GROUP_TYPE, new byte[] { 1 }).ToPayload() },
        { "short bucket count", NhMsg(0).U32(NHA_ID, 1).Nested(NHA_RES_GROUP, NetlinkBuilder.Attributes().Attribute(1, new byte[] { 8 })).ToPayload() },
        { "attribute longer than the payload", NhMsg(Rt.AF_INET).RawAttribute(NHA_ID, 40, BitConverter.GetBytes(1u)).ToPayload() },
    };

    [Theory]
    [MemberData(nameof(MalformedNextHops))]
    public void MalformedNextHopsAreRefused(string what, byte[] payload)
    {
        Assert.False(string.IsNullOrEmpty(what));
        Assert.Throws<NetlinkParseException>(() => NextHopParser.ParseNextHop(payload));
    }

    [Fact]
    public void EveryTruncationOfANextHopIsRefusedOrParsed()
    {
        var payload = NhMsg(Rt.AF_INET).U32(NHA_ID, 7).U32(NHA_OIF, 3).Ip(NHA_GATEWAY, "192.0.2.1").Attribute(NHA_GROUP, Group((1, 2))).ToPayload();
        for (var length = 0; length < payload.Length; length++)
        {
            var cut = payload.Take(length).ToArray();
            var error = Record.Exception(() => NextHopParser.ParseNextHop(cut));
            Assert.True(error is null or NetlinkParseException, $"{length} bytes: {error}");
        }
    }

    [Fact]
    public void ANeighbourEntryIsRead()
    {
        var payload = NdMsg(Rt.AF_INET, 3, 0x20, flags: 0x80).Ip(NDA_DST, "192.0.2.1").Attribute(NDA_LLADDR, new byte[] { 2, 0, 0, 0, 0, 1 }).ToPayload();

        var neighbor = NextHopParser.ParseNeighbor(payload);

        Assert.Equal(Rt.AF_INET, neighbor.Family);
        Assert.Equal(3, neighbor.InterfaceIndex);
        Assert.Equal(0x20, neighbor.State);
        Assert.Equal(0x80, neighbor.Flags);
        Assert.Equal(IPAddress.Parse("192.0.2.1"), new IPAddress(neighbor.Destination!));
        Assert.Equal(6, neighbor.LinkLayerAddress!.Length);
    }

    public static TheoryData<string, byte[]> MalformedNeighbors() => new()
    {
        { "short ndmsg", new byte[11] },
        { "IPv4 destination in an IPv6 entry", NdMsg(Rt.AF_INET6, 2, 2).Ip(NDA_DST, "192.0.2.1").ToPayload() },
        { "destination of an unknown family", NdMsg(7, 2, 2).Ip(NDA_DST, "192.0.2.1").ToPayload() },
        { "truncated attribute header", NdMsg(Rt.AF_INET, 2, 2).Raw(new byte[] { 8, 0 }).ToPayload() },
    };

    [Theory]
    [MemberData(nameof(MalformedNeighbors))]
    public void MalformedNeighboursAreRefused(string what, byte[] payload)
    {
        Assert.False(string.IsNullOrEmpty(what));
        Assert.Throws<NetlinkParseException>(() => NextHopParser.ParseNeighbor(payload));
    }

    [Fact]
    public void TheDumpKeepsOnlyIPNeighboursAndNexthopMessages()
    {
        var bridge = NetlinkBuilder.Message(RTM_NEWNEIGH, NdMsg(7, 2, 2).Attribute(NDA_DST, new byte[] { 1, 2 }).ToPayload());
        var ipv4 = NetlinkBuilder.Message(RTM_NEWNEIGH, NdMsg(Rt.AF_INET, 2, 2).Ip(NDA_DST, "192.0.2.1").ToPayload());
        var nextHop = NetlinkBuilder.Message(RTM_NEWNEXTHOP, NhMsg(0).U32(NHA_ID, 5).Attribute(NHA_GROUP, Group((1, 1))).ToPayload());
        var buffer = NetlinkBuilder.Concat(bridge, ipv4, nextHop);
        var messages = NetlinkReader.ReadMessages(buffer, buffer.Length);

        Assert.Single(LinuxNextHopDump.Neighbors(messages));
        Assert.Equal(5u, Assert.Single(LinuxNextHopDump.NextHops(messages)).Id);
    }
}

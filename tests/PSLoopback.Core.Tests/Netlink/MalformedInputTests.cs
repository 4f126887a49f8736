using System;
using System.Collections.Generic;
using System.Linq;
using PSLoopback.Core.Tests.Support;
using PSLoopback.Platform.Linux.Netlink;

namespace PSLoopback.Core.Tests.Netlink;

public class MalformedInputTests
{
    public static TheoryData<string> RecordedDatagrams() => new(RecordedDumps.AllDatagrams().Select(d => d.Name));

    [Theory]
    [MemberData(nameof(RecordedDatagrams))]
    public void EveryPrefixOfARecordedDatagramParsesOnlyAtMessageBoundaries(string name)
    {
        var datagram = RecordedDumps.AllDatagrams().Single(d => d.Name == name).Bytes;
        var boundaries = MessageBoundaries(datagram);

        for (var n = 0; n <= datagram.Length; n++)
        {
            // Once with the whole array and a shorter length, once with an array that really ends at n.
            foreach (var (buffer, length) in new[] { (datagram, n), (datagram[..n], n) })
            {
                if (boundaries.TryGetValue(n, out var count))
                {
                    Assert.Equal(count, NetlinkReader.ReadMessages(buffer, length).Count);
                }
                else
                {
                    Assert.Throws<NetlinkParseException>(() => NetlinkReader.ReadMessages(buffer, length));
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(RecordedDatagrams))]
    public void EveryPrefixOfARecordedPayloadParsesOrIsMalformed(string name)
    {
        var datagram = RecordedDumps.AllDatagrams().Single(d => d.Name == name).Bytes;
        foreach (var message in NetlinkReader.ReadMessages(datagram, datagram.Length))
        {
            Func<byte[], object>? parse = message.Type switch
            {
                Rt.RTM_NEWLINK => p => RtnetlinkParser.ParseLink(p),
                Rt.RTM_NEWADDR => p => RtnetlinkParser.ParseAddress(p),
                _ => null,
            };
            if (parse is null)
            {
                continue;
            }

            for (var n = 0; n <= message.Payload.Length; n++)
            {
                var prefix = message.Payload[..n];
                try
                {
                    parse(prefix);
                }
                catch (NetlinkParseException)
                {
                }
            }
        }
    }

    [Fact]
    public void EmptyBufferHoldsNoMessages()
    {
        Assert.Empty(NetlinkReader.ReadMessages(Array.Empty<byte>(), 0));
        Assert.Empty(NetlinkReader.ReadMessages(new byte[64], 0));
    }

    [Fact]
    public void HeaderLengthZeroIsMalformedRatherThanAnEndlessLoop()
    {
        Assert.Throws<NetlinkParseException>(() => NetlinkReader.ReadMessages(NetlinkBuilder.Header(0), 16));
    }

    [Theory]
    [InlineData(1u)]
    [InlineData(4u)]
    [InlineData(15u)]
    public void HeaderLengthBelowTheHeadersOwnSizeIsMalformed(uint length)
    {
        var buffer = NetlinkBuilder.Concat(NetlinkBuilder.Header(length), new byte[32]);
        Assert.Throws<NetlinkParseException>(() => NetlinkReader.ReadMessages(buffer, buffer.Length));
    }

    [Theory]
    [InlineData(17u)]
    [InlineData(4096u)]
    [InlineData(0x7FFFFFFFu)]
    [InlineData(0xFFFFFFFFu)]
    public void HeaderLengthBeyondTheBufferIsMalformed(uint length)
    {
        Assert.Throws<NetlinkParseException>(() => NetlinkReader.ReadMessages(NetlinkBuilder.Header(length), 16));
    }

    [Fact]
    public void BadSecondMessageFailsTheWholeDatagram()
    {
        var buffer = NetlinkBuilder.Concat(NetlinkBuilder.Message(Rt.NLMSG_NOOP, Array.Empty<byte>()), NetlinkBuilder.Header(200));
        Assert.Throws<NetlinkParseException>(() => NetlinkReader.ReadMessages(buffer, buffer.Length));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(15)]
    public void TrailingBytesTooFewForAHeaderAreMalformed(int trailing)
    {
        var buffer = NetlinkBuilder.Concat(NetlinkBuilder.Message(Rt.NLMSG_NOOP, Array.Empty<byte>()), new byte[trailing]);
        Assert.Throws<NetlinkParseException>(() => NetlinkReader.ReadMessages(buffer, buffer.Length));
    }

    [Fact]
    public void LastMessageMayOmitItsPadding()
    {
        var buffer = NetlinkBuilder.Message(Rt.NLMSG_NOOP, new byte[] { 1, 2, 3, 4, 5 });
        var message = Assert.Single(NetlinkReader.ReadMessages(buffer, 21));
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5 }, message.Payload);
    }

    [Fact]
    public void LengthArgumentBeyondTheBufferIsAnArgumentError()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NetlinkReader.ReadMessages(new byte[16], 17));
        Assert.Throws<ArgumentOutOfRangeException>(() => NetlinkReader.ReadMessages(new byte[16], -1));
        Assert.Throws<ArgumentNullException>(() => NetlinkReader.ReadMessages(null!, 0));
    }

    [Fact]
    public void ReadsHeaderFieldsAndCopiesThePayload()
    {
        var buffer = NetlinkBuilder.Concat(
            NetlinkBuilder.Message(Rt.RTM_NEWLINK, new byte[] { 9, 8, 7 }, sequence: 0xDEADBEEF, flags: 0x0102, portId: 77),
            NetlinkBuilder.Message(Rt.NLMSG_DONE, new byte[4], sequence: 2, flags: 0, portId: 0));

        var messages = NetlinkReader.ReadMessages(buffer, buffer.Length);

        Assert.Equal(2, messages.Count);
        Assert.Equal(Rt.RTM_NEWLINK, messages[0].Type);
        Assert.Equal(0x0102, messages[0].Flags);
        Assert.Equal(0xDEADBEEFu, messages[0].Sequence);
        Assert.Equal(77u, messages[0].PortId);
        Assert.Equal(new byte[] { 9, 8, 7 }, messages[0].Payload);
        Assert.Equal(Rt.NLMSG_DONE, messages[1].Type);

        buffer[16] = 0;
        Assert.Equal(9, messages[0].Payload[0]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void AttributeLengthBelowItsHeaderIsMalformed(ushort length)
    {
        var payload = NetlinkBuilder.Link(1, "eth0").RawAttribute(Rt.IFLA_MTU, length, new byte[4]).ToPayload();
        Assert.Throws<NetlinkParseException>(() => RtnetlinkParser.ParseLink(payload));
        Assert.Throws<NetlinkParseException>(() => NetlinkReader.ReadAttributes(payload, 16, payload.Length));
    }

    [Fact]
    public void AttributeLengthBeyondThePayloadIsMalformed()
    {
        var payload = NetlinkBuilder.Link(1, "eth0").RawAttribute(Rt.IFLA_MTU, 9, new byte[4]).ToPayload();
        Assert.Throws<NetlinkParseException>(() => RtnetlinkParser.ParseLink(payload));

        var maximal = NetlinkBuilder.Link(1, "eth0").RawAttribute(Rt.IFLA_MTU, ushort.MaxValue, new byte[4]).ToPayload();
        Assert.Throws<NetlinkParseException>(() => RtnetlinkParser.ParseLink(maximal));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void TrailingBytesTooFewForAnAttributeHeaderAreMalformed(int trailing)
    {
        var payload = NetlinkBuilder.Link(1, "eth0").Raw(new byte[trailing]).ToPayload();
        Assert.Throws<NetlinkParseException>(() => RtnetlinkParser.ParseLink(payload));
    }

    [Fact]
    public void AttributesReadOnlyBetweenStartAndEnd()
    {
        var data = NetlinkBuilder.Attributes().U32(1, 10).U32(2, 20).U32(3, 30).ToPayload();
        var middle = NetlinkReader.ReadAttributes(data, 8, 16);
        var attribute = Assert.Single(middle);
        Assert.Equal(2, attribute.Key);
        Assert.Equal(20u, BitConverter.ToUInt32(attribute.Value.Array!, attribute.Value.Offset));
        Assert.Equal(4, attribute.Value.Count);
    }

    [Fact]
    public void AttributeRangeOutsideTheDataIsACallersMistake()
    {
        // The range comes from the caller, not the kernel: a wrong one is an argument error, not bad bytes.
        var data = NetlinkBuilder.Attributes().U32(1, 10).ToPayload();
        Assert.Throws<ArgumentOutOfRangeException>(() => NetlinkReader.ReadAttributes(data, 0, data.Length + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => NetlinkReader.ReadAttributes(data, 6, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => NetlinkReader.ReadAttributes(data, -4, 4));
        Assert.Throws<ArgumentNullException>(() => NetlinkReader.ReadAttributes(null!, 0, 0));
    }

    [Fact]
    public void IfInfoMsgShorterThanSixteenBytesIsMalformed()
    {
        for (var length = 0; length < 16; length++)
        {
            Assert.Throws<NetlinkParseException>(() => RtnetlinkParser.ParseLink(new byte[length]));
        }
    }

    [Fact]
    public void IfAddrMsgShorterThanEightBytesIsMalformed()
    {
        for (var length = 0; length < 8; length++)
        {
            Assert.Throws<NetlinkParseException>(() => RtnetlinkParser.ParseAddress(new byte[length]));
        }
    }

    [Fact]
    public void IfAddrMsgAloneIsAnAddressWithoutAttributes()
    {
        var address = RtnetlinkParser.ParseAddress(new byte[8]);
        Assert.Null(address.Address);
    }

    [Theory]
    [InlineData(Rt.AF_INET, 5, Rt.IFA_ADDRESS)]
    [InlineData(Rt.AF_INET, 3, Rt.IFA_LOCAL)]
    [InlineData(Rt.AF_INET, 16, Rt.IFA_BROADCAST)]
    [InlineData(Rt.AF_INET6, 4, Rt.IFA_ADDRESS)]
    [InlineData(Rt.AF_INET6, 15, Rt.IFA_LOCAL)]
    [InlineData(Rt.AF_INET6, 0, Rt.IFA_ADDRESS)]
    public void AddressOfTheWrongSizeForItsFamilyIsMalformed(byte family, int size, ushort attribute)
    {
        var payload = NetlinkBuilder.IfAddr(family, 24, index: 1).Attribute(attribute, new byte[size]).ToPayload();
        Assert.Throws<NetlinkParseException>(() => RtnetlinkParser.ParseAddress(payload));
    }

    [Theory]
    [InlineData(Rt.IFLA_MTU, 2)]
    [InlineData(Rt.IFLA_MTU, 0)]
    [InlineData(Rt.IFLA_OPERSTATE, 0)]
    [InlineData(Rt.IFLA_STATS64, 63)]
    [InlineData(Rt.IFLA_STATS64, 32)]
    [InlineData(Rt.IFLA_STATS, 31)]
    public void LinkAttributeTooShortIsMalformed(ushort attribute, int size)
    {
        var payload = NetlinkBuilder.Link(1, "eth0").Attribute(attribute, new byte[size]).ToPayload();
        Assert.Throws<NetlinkParseException>(() => RtnetlinkParser.ParseLink(payload));
    }

    [Theory]
    [InlineData(Rt.IFA_FLAGS, 3)]
    [InlineData(Rt.IFA_CACHEINFO, 7)]
    public void AddressAttributeTooShortIsMalformed(ushort attribute, int size)
    {
        var payload = NetlinkBuilder.Address("192.0.2.1", 24, index: 1).Attribute(attribute, new byte[size]).ToPayload();
        Assert.Throws<NetlinkParseException>(() => RtnetlinkParser.ParseAddress(payload));
    }

    [Fact]
    public void MalformedNestedLinkInfoIsMalformed()
    {
        var payload = NetlinkBuilder.Link(1, "eth0")
            .Attribute(Rt.IFLA_LINKINFO, NetlinkBuilder.Attributes().RawAttribute(Rt.IFLA_INFO_KIND, 40, new byte[4]).ToPayload())
            .ToPayload();
        Assert.Throws<NetlinkParseException>(() => RtnetlinkParser.ParseLink(payload));
    }

    [Fact]
    public void LongerThanNeededValuesAreAccepted()
    {
        // The kernel grows structs at the end; a newer rtnl_link_stats64 or a padded u32 must still parse.
        var payload = NetlinkBuilder.Link(1, "eth0")
            .Attribute(Rt.IFLA_MTU, new byte[] { 0xDC, 0x05, 0, 0, 0, 0, 0, 0 })
            .Stats64(scale: 1, fields: 40)
            .ToPayload();
        var link = RtnetlinkParser.ParseLink(payload);
        Assert.Equal(BitConverter.ToUInt32(new byte[] { 0xDC, 0x05, 0, 0 }), link.Mtu);
        Assert.Equal(1UL, link.Statistics!.ReceivedPackets);
    }

    /// <summary>Prefix length -> number of whole messages in it, for every length at which a message ends.</summary>
    private static Dictionary<int, int> MessageBoundaries(byte[] datagram)
    {
        var boundaries = new Dictionary<int, int> { [0] = 0 };
        var offset = 0;
        var count = 0;
        while (offset < datagram.Length)
        {
            var length = (int)BitConverter.ToUInt32(datagram, offset);
            count++;
            boundaries[offset + length] = count;
            offset += (length + 3) & ~3;
            boundaries[Math.Min(offset, datagram.Length)] = count;
        }

        return boundaries;
    }
}

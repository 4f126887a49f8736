using System;
using System.Linq;
using PSLoopback.Platform.Linux.Netlink;
using static PSLoopback.Core.Tests.Support.InetDiagBuilder;

namespace PSLoopback.Core.Tests.Netlink;

public class InetDiagMalformedTests
{
    private const int Seed = 20261201;

    private static readonly byte[] Datagram = Concat(
        Wrap(SOCK_DIAG_BY_FAMILY, Message(10, "0.0.0.0", 80, inode: 7)),
        Wrap(SOCK_DIAG_BY_FAMILY, Message(1, "::1", 8080, "::1", 40000, v6Only: false)),
        Wrap(SOCK_DIAG_BY_FAMILY, Message(6, "127.0.0.1", 40000, "127.0.0.1", 80)),
        Done());

    [Fact]
    public void EveryPrefixOfADatagramParsesOrIsMalformed()
    {
        for (var n = 0; n <= Datagram.Length; n++)
        {
            foreach (var buffer in new[] { Datagram, Datagram[..n] })
            {
                try
                {
                    InetDiagParser.ReadDatagram(buffer, n, Sequence, PortId, _ => { });
                }
                catch (NetlinkParseException)
                {
                }
            }
        }
    }

    [Fact]
    public void ACutMessageIsMalformed()
    {
        // Cut inside the second message: the header promises more than the datagram holds.
        Assert.Throws<NetlinkParseException>(() => InetDiagParser.ReadDatagram(Datagram, 100, Sequence, PortId, _ => { }));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    [InlineData(71)]
    public void APayloadShorterThanInetDiagMsgIsMalformed(int length)
    {
        var payload = Message(10, "0.0.0.0", 80)[..length];
        Assert.Throws<NetlinkParseException>(() => InetDiagParser.ParseMessage(payload, 0, payload.Length));
        var datagram = Wrap(SOCK_DIAG_BY_FAMILY, payload);
        Assert.Throws<NetlinkParseException>(() => InetDiagParser.ReadDatagram(datagram, datagram.Length, Sequence, PortId, _ => { }));
    }

    [Fact]
    public void AnUnknownFamilyIsMalformed()
    {
        var payload = Message(10, "0.0.0.0", 80, family: 7);
        Assert.Throws<NetlinkParseException>(() => InetDiagParser.ParseMessage(payload, 0, payload.Length));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(200)]
    public void AnAttributeWithAnImpossibleLengthIsMalformed(ushort length)
    {
        var payload = Concat(Message(6, "127.0.0.1", 80), BitConverter.GetBytes(length), BitConverter.GetBytes((ushort)11), new byte[4]);
        Assert.Throws<NetlinkParseException>(() => InetDiagParser.ParseMessage(payload, 0, payload.Length));
    }

    [Fact]
    public void AnEmptyV6OnlyAttributeIsMalformed()
    {
        var payload = Concat(Message(6, "::1", 80), Attribute(11, Array.Empty<byte>()));
        Assert.Throws<NetlinkParseException>(() => InetDiagParser.ParseMessage(payload, 0, payload.Length));
    }

    [Fact]
    public void AHeaderLengthOfZeroIsMalformedRatherThanAnEndlessLoop()
    {
        var datagram = new byte[32];
        Assert.Throws<NetlinkParseException>(() => InetDiagParser.ReadDatagram(datagram, datagram.Length, Sequence, PortId, _ => { }));
    }

    [Fact]
    public void ARangeOutsideTheBufferIsAnArgumentErrorNotAnIndexError()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => InetDiagParser.ReadDatagram(Datagram, Datagram.Length + 1, Sequence, PortId, _ => { }));
        Assert.Throws<ArgumentOutOfRangeException>(() => InetDiagParser.ParseMessage(Datagram, Datagram.Length - 10, 72));
    }

    [Fact]
    public void RandomlyCorruptedDatagramsParseOrAreMalformed()
    {
        var random = new Random(Seed);
        var parsed = 0;
        var rejected = 0;
        for (var iteration = 0; iteration < 20_000; iteration++)
        {
            var corrupt = (byte[])Datagram.Clone();
            for (var flips = 1 + random.Next(4); flips > 0; flips--)
            {
                corrupt[random.Next(corrupt.Length)] = (byte)random.Next(256);
            }

            var length = random.Next(4) == 0 ? random.Next(corrupt.Length + 1) : corrupt.Length;
            try
            {
                InetDiagParser.ReadDatagram(corrupt, length, Sequence, PortId, _ => { });
                parsed++;
            }
            catch (Exception e) when (e is NetlinkParseException || e is NetlinkException)
            {
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"iteration {iteration} (seed {Seed}, length {length}): {e}\nbytes: {Convert.ToHexString(corrupt, 0, length)}");
            }
        }

        // Both outcomes must have been exercised, or the corruption is not reaching the parser.
        Assert.True(parsed > 1000, $"{parsed} parsed");
        Assert.True(rejected > 1000, $"{rejected} rejected");
    }
}

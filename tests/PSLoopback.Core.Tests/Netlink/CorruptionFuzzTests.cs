using System;
using System.Linq;
using PSLoopback.Core.Tests.Support;
using PSLoopback.Platform.Linux.Netlink;

namespace PSLoopback.Core.Tests.Netlink;

public class CorruptionFuzzTests
{
    private const int Seed = 20240601;
    private const int Iterations = 20_000;

    [Fact]
    public void RandomlyCorruptedDatagramsParseOrAreMalformed()
    {
        var datagrams = RecordedDumps.AllDatagrams();
        var random = new Random(Seed);
        var parsed = 0;
        var rejected = 0;

        for (var iteration = 0; iteration < Iterations; iteration++)
        {
            var (name, original) = datagrams[random.Next(datagrams.Count)];
            var corrupt = (byte[])original.Clone();
            var flips = 1 + random.Next(4);
            for (var i = 0; i < flips; i++)
            {
                corrupt[random.Next(corrupt.Length)] = (byte)random.Next(256);
            }

            // Sometimes also cut the datagram short, so that corrupt lengths meet a real end of buffer.
            var length = random.Next(4) == 0 ? random.Next(corrupt.Length + 1) : corrupt.Length;

            try
            {
                RecordedDumps.ParseAll(corrupt, length);
                parsed++;
            }
            catch (NetlinkParseException)
            {
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"iteration {iteration} (seed {Seed}, {name}, length {length}): {e}\nbytes: {Convert.ToHexString(corrupt, 0, length)}");
            }
        }

        // Both outcomes must have been exercised, or the corruption is not reaching the parsers.
        Assert.True(parsed > Iterations / 20, $"{parsed} parsed");
        Assert.True(rejected > Iterations / 20, $"{rejected} rejected");
    }

    [Fact]
    public void RandomBytesParseOrAreMalformed()
    {
        var random = new Random(Seed);
        for (var iteration = 0; iteration < 5_000; iteration++)
        {
            var buffer = new byte[random.Next(200)];
            random.NextBytes(buffer);
            if (buffer.Length >= 16 && random.Next(2) == 0)
            {
                // A plausible nlmsghdr length, so that the attribute parsers get random payloads too.
                BitConverter.GetBytes((uint)buffer.Length).CopyTo(buffer, 0);
                BitConverter.GetBytes(random.Next(2) == 0 ? Rt.RTM_NEWLINK : Rt.RTM_NEWADDR).CopyTo(buffer, 4);
            }

            try
            {
                RecordedDumps.ParseAll(buffer, buffer.Length);
            }
            catch (NetlinkParseException)
            {
            }
            catch (Exception e)
            {
                Assert.Fail($"iteration {iteration} (seed {Seed}): {e}\nbytes: {Convert.ToHexString(buffer)}");
            }
        }
    }

    [Fact]
    public void OneMebibyteOfSmallMessagesParses()
    {
        // 16-byte header + 8-byte ifaddrmsg + 8-byte IFA_LOCAL = 32 bytes per message.
        const int Size = 1 << 20;
        var buffer = new byte[Size];
        var count = 0;
        for (var offset = 0; offset < Size; offset += 32, count++)
        {
            var host = BitConverter.GetBytes(count);
            var payload = NetlinkBuilder.IfAddr(Rt.AF_INET, 32, index: 1).Attribute(Rt.IFA_LOCAL, new byte[] { 10, host[2], host[1], host[0] }).ToPayload();
            NetlinkBuilder.Message(Rt.RTM_NEWADDR, payload, sequence: (uint)count).CopyTo(buffer, offset);
        }

        var messages = NetlinkReader.ReadMessages(buffer, buffer.Length);

        Assert.Equal(Size / 32, messages.Count);
        Assert.Equal(Enumerable.Range(0, count).Select(i => (uint)i), messages.Select(m => m.Sequence));
        var last = RtnetlinkParser.ParseAddress(messages[^1].Payload);
        Assert.Equal(new byte[] { 10, 0, 0x7F, 0xFF }, last.Local);
        Assert.Equal(messages.Count, RecordedDumps.ParseAll(buffer, buffer.Length).Single().Addresses.Count);
    }
}

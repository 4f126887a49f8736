using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Routing;

namespace PSLoopback.Core.Tests.Routing;

public class PrefixTableBatchTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(5_000)]
    [InlineData(300_000)]
    public void Ipv4BatchesAnswerAsOneAtATime(int size)
    {
        // Every index shape: the tables that answer nothing, the small one's chunks, the direct array and nodes, and
        // past 262,144 the /24 level, BGP-shaped with /25-/32s that send their /24s on to the block's node.
        var random = new Random(size);
        var stored = new HashSet<(uint Network, int Length)>();
        while (stored.Count < size)
        {
            var pick = random.Next(100);
            var length = pick < 85 ? 19 + random.Next(6) : pick < 95 ? random.Next(19) : 25 + random.Next(8);
            stored.Add((Network(0x20000000u | (uint)random.Next(1 << 29), length), length));
        }

        var table = PrefixTable<string>.Build(IPAddressFamily.IPv4, stored.Select(p => Entry((ulong)p.Network << 32, 0, p.Length, 4)).ToList());
        var addresses = stored.SelectMany(p => new[] { p.Network, p.Network - 1, p.Network + (uint.MaxValue >> p.Length), p.Network + (uint.MaxValue >> p.Length) + 1 })
            .Concat(Enumerable.Range(0, 20_000).Select(i => i % 2 == 0 ? (uint)random.NextInt64(1L << 32) : 0x20000000u | (uint)random.Next(1 << 29)))
            .OrderBy(_ => random.Next())
            .ToArray();

        var high = addresses.Select(a => (ulong)a << 32).ToArray();
        BatchLookups.AgreeWithOneAtATime(addresses.Length, i => table.FindNode(high[i], 0), (start, count, nodes) => table.FindNodes(high, new ulong[high.Length], start, count, nodes));
    }

    [Fact]
    public void Ipv6BatchesAnswerAsOneAtATime()
    {
        var random = new Random(6);
        var stored = new HashSet<(ulong High, int Length)>();
        var lengths = new[] { 48, 48, 48, 32, 44, 40, 29, 36, 56, 64 };
        while (stored.Count < 20_000)
        {
            var length = lengths[random.Next(lengths.Length)];
            stored.Add(((0x2000UL << 48 | (ulong)random.NextInt64() >> 3) & ~(ulong.MaxValue >> length), length));
        }

        var table = PrefixTable<string>.Build(IPAddressFamily.IPv6, stored.Select(p => Entry(p.High, 0, p.Length, 16)).ToList());
        var high = stored.SelectMany(p => new[] { p.High, p.High - 1, p.High | (ulong.MaxValue >> p.Length) })
            .Concat(Enumerable.Range(0, 20_000).Select(_ => (ulong)random.NextInt64() << 1))
            .OrderBy(_ => random.Next())
            .ToArray();
        var low = high.Select(_ => (ulong)random.NextInt64()).ToArray();

        BatchLookups.AgreeWithOneAtATime(high.Length, i => table.FindNode(high[i], low[i]), (start, count, nodes) => table.FindNodes(high, low, start, count, nodes));
    }

    private static uint Network(uint address, int length) => length == 0 ? 0 : address & (uint.MaxValue << (32 - length));

    private static KeyValuePair<IPPrefix, string> Entry(ulong high, ulong low, int length, int bytes)
    {
        var address = new byte[bytes];
        for (var i = 0; i < bytes; i++)
        {
            address[i] = (byte)(i < 8 ? high >> (56 - (8 * i)) : low >> (56 - (8 * (i - 8))));
        }

        var prefix = new IPPrefix(new IPAddress(address), length);
        return new KeyValuePair<IPPrefix, string>(prefix, prefix.ToString());
    }
}

using System;
using System.Collections.Generic;
using System.Linq;

namespace PSLoopback.Core.Tests.Routing;

public partial class Ipv6IndexTests
{
    [Fact]
    public void ABatchTakingEveryDetourAnswersAsOneAtATime()
    {
        // One table with each way a lookup leaves its first window, each in its own /16 chunk: a chain of windows (5
        // and 7 side-by-side /48s, the 7 at a chunk's end), the halving of a longer run (40), /48s with a /56 inside
        // (fine lists), long prefixes under a /64 (a low list) and a chunk too wide for 16-bit offsets; beside them a
        // BGP-shaped 3000::/4, and leaf chunks inside the /12 and outside it all. The addresses, shuffled so that each
        // group mixes them, are every prefix's edges and random ones in each part.
        var random = new Random(1616);
        var prefixes = new HashSet<Prefix> { Prefix.Of(0x2000UL << 48, 0, 12), Prefix.Of(0x2001UL << 48, 0, 17), Prefix.Of((0x2001UL << 48) | (5UL << 16) | 0x100, 0, 56) };
        for (var i = 1UL; i <= 65_533; i++)
        {
            prefixes.Add(Prefix.Of((0x2001UL << 48) | (i << 16), 0, 48));
        }

        for (var i = 0UL; i < 5; i++)
        {
            prefixes.Add(Prefix.Of((0x2003_0db8UL << 32) | ((i + 3) << 16), 0, 48));
        }

        for (var i = 0UL; i < 7; i++)
        {
            prefixes.Add(Prefix.Of(0x2003_ffff_ffff_0000UL - (i << 16), 0, 48));
        }

        for (var i = 0UL; i < 40; i++)
        {
            prefixes.Add(Prefix.Of((0x2004_0db8UL << 32) | ((i + 3) << 16), 0, 48));
        }

        for (var i = 0UL; i < 1_000; i++)
        {
            prefixes.Add(Prefix.Of((0x2005_0db8UL << 32) | (i << 16), 0, 48));
            prefixes.Add(Prefix.Of((0x2005_0db8UL << 32) | (i << 16) | 0x0100, 0, 56));
        }

        var slash64 = 0x2006_0db8_0000_0001UL;
        prefixes.Add(Prefix.Of(slash64, 0, 64));
        while (prefixes.Count < 70_000)
        {
            var host = (ulong)random.Next(1 << 16) << random.Next(4);
            prefixes.Add(Prefix.Of(slash64, host, random.Next(4) == 0 ? 96 + random.Next(32) : 128));
        }

        var lengths = new[] { 48, 48, 48, 48, 32, 44, 40, 29, 36, 46, 47, 56, 64, 65, 96, 127, 128 };
        while (prefixes.Count < 90_000)
        {
            prefixes.Add(Prefix.Of((Next64(random) >> 4) | (0x3UL << 60), Next64(random), lengths[random.Next(lengths.Length)]));
        }

        var table = new Table(prefixes.ToArray());
        var addresses = new List<(ulong High, ulong Low)>();
        foreach (var prefix in table.Prefixes)
        {
            var (lastHigh, lastLow) = prefix.Last;
            addresses.Add((prefix.High, prefix.Low));
            addresses.Add((lastHigh, lastLow));
            addresses.Add(prefix.Low == 0 ? (prefix.High - 1, AllOnes) : (prefix.High, prefix.Low - 1));
            addresses.Add(lastLow == AllOnes ? (lastHigh + 1, 0UL) : (lastHigh, lastLow + 1));
        }

        foreach (var chunk in new ulong[] { 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x200f, 0x3000, 0x3fff, 0x4000, 0xffff })
        {
            for (var i = 0; i < 2_000; i++)
            {
                addresses.Add(((chunk << 48) | (Next64(random) >> 16), Next64(random)));
                addresses.Add(((chunk << 48) | (Next64(random) & 0xFFFF_FFFF_0000UL), Next64(random)));
            }
        }

        var shuffled = addresses.OrderBy(_ => random.Next()).ToArray();
        var high = shuffled.Select(a => a.High).ToArray();
        var low = shuffled.Select(a => a.Low).ToArray();

        Assert.Equal(1, table.Index.WideChunks);
        BatchLookups.AgreeWithOneAtATime(shuffled.Length, i => table.Index.Find(high[i], low[i]), (start, count, nodes) => table.Index.Find(high, low, start, count, nodes));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void BatchesOverRandomTablesAnswerAsOneAtATime(int seed)
    {
        // Nested random tables of lengths 0-128, as the brute-force test builds them, small ones that go one at a time
        // and larger ones that go by stages, and addresses near their anchors.
        var random = new Random(seed);
        var table = new Table(ClusteredPrefixes(random, new[] { 0, 1, 100, 5_000, 9_000, 20_000, 40_000 }[seed % 7], out var anchors));
        var high = new ulong[3_000];
        var low = new ulong[high.Length];
        for (var i = 0; i < high.Length; i++)
        {
            var anchor = anchors[random.Next(anchors.Length)];
            var spread = random.Next(129);
            (high[i], low[i]) = (anchor.High ^ Spread(random, spread, true), anchor.Low ^ Spread(random, spread, false));
        }

        BatchLookups.AgreeWithOneAtATime(high.Length, i => table.Index.Find(high[i], low[i]), (start, count, nodes) => table.Index.Find(high, low, start, count, nodes));
    }
}

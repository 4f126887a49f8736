using System;
using System.Collections.Generic;
using System.Linq;
using PSLoopback.Routing;

namespace PSLoopback.Core.Tests.Routing;

public partial class Ipv6IndexTests
{
    private const ulong AllOnes = ulong.MaxValue;

    public static IEnumerable<object[]> Seeds => Enumerable.Range(1, 12).Select(seed => new object[] { seed });

    [Fact]
    public void AnEmptyIndexMatchesNothing()
    {
        var table = new Table(Array.Empty<Prefix>());

        foreach (var (high, low) in new[] { (0UL, 0UL), (AllOnes, AllOnes), (0x2001_0db8_0000_0000UL, 1UL) })
        {
            Assert.Equal(0, table.Index.Find(high, low));
        }
    }

    [Fact]
    public void TheDefaultRouteAloneMatchesEveryAddress()
    {
        var table = new Table(new[] { new Prefix(0, 0, 0) });

        foreach (var (high, low) in new[] { (0UL, 0UL), (AllOnes, AllOnes), (0x2001_0db8_0000_0000UL, 1UL), (1UL << 63, 0UL), (0UL, AllOnes) })
        {
            Assert.Equal(1, table.Index.Find(high, low));
        }
    }

    [Fact]
    public void PrefixesOfEveryLengthOnOneAddressNestInOrder()
    {
        var address = (High: 0x2001_0db8_85a3_08d3UL, Low: 0x1319_8a2e_0370_7344UL);
        var prefixes = Enumerable.Range(0, 129).Select(length => Prefix.Of(address.High, address.Low, length)).ToArray();
        var table = new Table(prefixes);

        // Preorder puts the shorter first, so node i + 1 is the /i; each address that leaves the /i at bit i (so
        // matches the /0../i and nothing longer) finds it.
        Assert.Equal(129, table.Index.Find(address.High, address.Low));
        for (var length = 0; length < 128; length++)
        {
            var (high, low) = FlipBit(address.High, address.Low, length);
            Assert.Equal(length + 1, table.Index.Find(high, low));
        }

        table.CheckAround(prefixes);
    }

    [Fact]
    public void BothSidesOfTheSixtyFourthBitMatchTheRightPrefix()
    {
        var block = 0x2001_0db8_0001_0000UL;
        var table = new Table(new[]
        {
            Prefix.Of(block, 0, 48),
            Prefix.Of(block, 0, 63),
            Prefix.Of(block, 0, 64),
            Prefix.Of(block, 1UL << 63, 65),
            Prefix.Of(block + 1, 0, 64),
            Prefix.Of(block + 1, 0, 65),
            Prefix.Of(block + 2, 0, 65),
        });

        Assert.Equal(table.NodeOf(block, 0, 64), table.Index.Find(block, 0));
        Assert.Equal(table.NodeOf(block, 0, 64), table.Index.Find(block, (1UL << 63) - 1));
        Assert.Equal(table.NodeOf(block, 1UL << 63, 65), table.Index.Find(block, 1UL << 63));
        Assert.Equal(table.NodeOf(block, 1UL << 63, 65), table.Index.Find(block, AllOnes));
        Assert.Equal(table.NodeOf(block + 1, 0, 65), table.Index.Find(block + 1, 0));
        Assert.Equal(table.NodeOf(block + 1, 0, 64), table.Index.Find(block + 1, 1UL << 63));

        // A /65 with no /64 over it falls back to the /48 on its other half, not to "none".
        Assert.Equal(table.NodeOf(block + 2, 0, 65), table.Index.Find(block + 2, 5));
        Assert.Equal(table.NodeOf(block, 0, 48), table.Index.Find(block + 2, 1UL << 63));
        Assert.Equal(table.NodeOf(block, 0, 48), table.Index.Find(block + 3, 0));
        table.CheckAround(table.Prefixes);
    }

    [Fact]
    public void NeighbouringHostRoutesAndTheirSlash127sStayApart()
    {
        var block = 0x2001_0db8_0000_0000UL;
        var table = new Table(new[]
        {
            Prefix.Of(block, 0, 64),
            Prefix.Of(block, 6, 127),
            Prefix.Of(block, 6, 128),
            Prefix.Of(block, 7, 128),
            Prefix.Of(block, 8, 128),
            Prefix.Of(block, 10, 127),
        });

        Assert.Equal(table.NodeOf(block, 0, 64), table.Index.Find(block, 5));
        Assert.Equal(table.NodeOf(block, 6, 128), table.Index.Find(block, 6));
        Assert.Equal(table.NodeOf(block, 7, 128), table.Index.Find(block, 7));
        Assert.Equal(table.NodeOf(block, 8, 128), table.Index.Find(block, 8));
        Assert.Equal(table.NodeOf(block, 0, 64), table.Index.Find(block, 9));
        Assert.Equal(table.NodeOf(block, 10, 127), table.Index.Find(block, 10));
        Assert.Equal(table.NodeOf(block, 10, 127), table.Index.Find(block, 11));
        Assert.Equal(table.NodeOf(block, 0, 64), table.Index.Find(block, 12));
        table.CheckAround(table.Prefixes);
    }

    [Fact]
    public void TheEndsOfTheAddressSpaceMatch()
    {
        var table = new Table(new[]
        {
            Prefix.Of(0, 0, 128),
            Prefix.Of(0, 0, 1),
            Prefix.Of(AllOnes, AllOnes, 128),
            Prefix.Of(AllOnes, 0, 64),
            Prefix.Of(AllOnes, AllOnes - 1, 127),
            Prefix.Of(1UL << 63, 0, 1),
        });

        Assert.Equal(table.NodeOf(0, 0, 128), table.Index.Find(0, 0));
        Assert.Equal(table.NodeOf(0, 0, 1), table.Index.Find(0, 1));
        Assert.Equal(table.NodeOf(AllOnes, AllOnes, 128), table.Index.Find(AllOnes, AllOnes));
        Assert.Equal(table.NodeOf(AllOnes, AllOnes - 1, 127), table.Index.Find(AllOnes, AllOnes - 1));
        Assert.Equal(table.NodeOf(AllOnes, 0, 64), table.Index.Find(AllOnes, AllOnes - 2));
        Assert.Equal(table.NodeOf(1UL << 63, 0, 1), table.Index.Find(AllOnes - 1, AllOnes));
        table.CheckAround(table.Prefixes);
    }

    [Fact]
    public void AdjacentPrefixesOfOneLengthLeaveNoGap()
    {
        // 64 /54s side by side fill a /48 under a /32; the /48 beside it has nothing under it but the /32.
        var prefixes = new List<Prefix> { Prefix.Of(0x2001_0db8_0000_0000UL, 0, 32) };
        for (var i = 0UL; i < 64; i++)
        {
            prefixes.Add(Prefix.Of(0x2001_0db8_0005_0000UL | (i << 10), 0, 54));
        }

        var table = new Table(prefixes);

        Assert.Equal(table.NodeOf(0x2001_0db8_0000_0000UL, 0, 32), table.Index.Find(0x2001_0db8_0004_ffffUL, AllOnes));
        Assert.Equal(table.NodeOf(0x2001_0db8_0005_0000UL, 0, 54), table.Index.Find(0x2001_0db8_0005_0000UL, 0));
        Assert.Equal(table.NodeOf(0x2001_0db8_0005_fc00UL, 0, 54), table.Index.Find(0x2001_0db8_0005_ffffUL, AllOnes));
        Assert.Equal(table.NodeOf(0x2001_0db8_0000_0000UL, 0, 32), table.Index.Find(0x2001_0db8_0006_0000UL, 0));
        table.CheckAround(prefixes);
    }

    [Fact]
    public void ManyLongPrefixesUnderOneSlash64AreSearchedInFull()
    {
        // Thousands of host routes and /96-/127s in one /64: that /64's list over the low bits is long.
        var random = new Random(64);
        var block = 0x2001_0db8_0000_0001UL;
        var prefixes = new HashSet<Prefix> { Prefix.Of(block, 0, 64), Prefix.Of(block, 0, 48) };
        while (prefixes.Count < 5_000)
        {
            var low = (ulong)random.Next(1 << 16) << random.Next(4);
            prefixes.Add(Prefix.Of(block, low, random.Next(4) == 0 ? 96 + random.Next(32) : 128));
        }

        var table = new Table(prefixes.ToArray());

        table.CheckAround(table.Prefixes);
        table.CheckRandom(random, 2_000, block, 0xFFFF);
    }

    [Fact]
    public void EdgesOfTheDirectPointingChunksAndBucketsMatch()
    {
        // Prefixes that end right at, or straddle, the edges of 2^k-aligned blocks at every k, in a table big enough
        // to have chunks of many buckets; every aligned address and its neighbours is checked below.
        var random = new Random(16);
        var prefixes = new HashSet<Prefix> { new(0, 0, 0) };
        while (prefixes.Count < 40_000)
        {
            var length = random.Next(12, 65);
            var high = (0x2000UL << 48) | (Next64(random) >> 8);
            prefixes.Add(Prefix.Of(high, 0, length));
        }

        var table = new Table(prefixes.ToArray());
        for (var bit = 0; bit < 64; bit++)
        {
            for (var i = 0; i < 50; i++)
            {
                var aligned = (Next64(random) >> 2 | (1UL << 61)) & ~((1UL << bit) - 1);
                table.CheckAt(aligned, 0);
                table.CheckAt(aligned - 1, AllOnes);
                table.CheckAt(aligned + 1, 0);
            }
        }

        table.CheckAround(table.Prefixes);
    }

    [Fact]
    public void CrowdedSlash48sBeyondOneWindowAreSearchedInFull()
    {
        // 1,000 /48s side by side in one /16 chunk, every other one with a /56 inside: far more starts in one spot
        // than a window holds at any resolution the chunk may take, and /48s that need their own fine list.
        var prefixes = new List<Prefix> { Prefix.Of(0x2001_0000_0000_0000UL, 0, 16) };
        for (var i = 0UL; i < 1_000; i++)
        {
            prefixes.Add(Prefix.Of(0x2001_0db8_0000_0000UL | (i << 16), 0, 48));
            if (i % 2 == 0)
            {
                prefixes.Add(Prefix.Of(0x2001_0db8_0000_0000UL | (i << 16) | 0x0100, 0, 56));
            }
        }

        var table = new Table(prefixes);

        Assert.Equal(table.NodeOf(0x2001_0db8_0002_0100UL, 0, 56), table.Index.Find(0x2001_0db8_0002_01ffUL, AllOnes));
        Assert.Equal(table.NodeOf(0x2001_0db8_0002_0000UL, 0, 48), table.Index.Find(0x2001_0db8_0002_0200UL, 0));
        Assert.Equal(table.NodeOf(0x2001_0000_0000_0000UL, 0, 16), table.Index.Find(0x2001_0db8_03e8_0000UL, 0));
        table.CheckAround(prefixes);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(40)]
    public void SideBySideSlash48sThatJustFitOrJustOverflowAWindowMatch(int count)
    {
        // Alone in their /16 chunk, side-by-side /48s and the start after them (count + 1 starts) stay in one bucket
        // at every resolution the chunk may try. A window holds 3 of a bucket's starts, a chain of two windows 6 and of
        // three 9 (2, 5 and 8 /48s just fill them; 3, 6 and 9 just overflow); past 9 the bucket's first window leads
        // to the halving of the rest (9 and 40 /48s).
        var prefixes = new List<Prefix> { Prefix.Of(0x2001_0000_0000_0000UL, 0, 16) };
        for (var i = 0UL; i < (ulong)count; i++)
        {
            prefixes.Add(Prefix.Of(0x2001_0db8_0000_0000UL | ((i + 3) << 16), 0, 48));
        }

        var table = new Table(prefixes);

        table.CheckAround(prefixes);
        table.CheckRandom(new Random(count), 2_000, 0x2001_0db8_0000_0000UL, 0xFF_FFFF);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(9)]
    [InlineData(10)]
    public void SideBySideSlash48sAtTheEndOfAChunkMatch(int count)
    {
        // The run ends on the chunk's last /48 (key 0xFFFFFFFF, as large as the padding after the chunk), whose /56
        // leads to a fine list; what follows it is the next chunk, so the bucket has count starts: 3, 6 and 9 fill one,
        // two and three windows, 4 and 7 just overflow them, and 10 goes on to the halving, each up to the chunk's end.
        var prefixes = new List<Prefix> { Prefix.Of(0x2001_0000_0000_0000UL, 0, 16), Prefix.Of(0x2001_ffff_ffff_ff00UL, 0, 56) };
        for (var i = 0UL; i < (ulong)count; i++)
        {
            prefixes.Add(Prefix.Of(0x2001_ffff_ffff_0000UL - (i << 16), 0, 48));
        }

        var table = new Table(prefixes);

        Assert.Equal(table.NodeOf(0x2001_ffff_ffff_ff00UL, 0, 56), table.Index.Find(0x2001_ffff_ffff_ffffUL, AllOnes));
        Assert.Equal(table.NodeOf(0x2001_ffff_ffff_0000UL, 0, 48), table.Index.Find(0x2001_ffff_ffff_feffUL, AllOnes));
        table.CheckAround(prefixes);
        table.CheckRandom(new Random(count), 2_000, 0x2001_ffff_ff00_0000UL, 0xFF_FFFF);
    }

    [Fact]
    public void TheLastSlash48OfAChunkAndTheChunkAfterItMatch()
    {
        // The last /48 of a /16 has the largest key a chunk's starts can have, and the chunk after begins again at 0.
        var table = new Table(new[]
        {
            Prefix.Of(0x2001_0000_0000_0000UL, 0, 16),
            Prefix.Of(0x2001_0000_0001_0000UL, 0, 48),
            Prefix.Of(0x2001_ffff_ffff_0000UL, 0, 48),
            Prefix.Of(0x2002_0000_0000_0000UL, 0, 48),
            Prefix.Of(0x2003_ffff_ffff_ff00UL, 0, 56),
            Prefix.Of(0xffff_ffff_ffff_0000UL, 0, 48),
        });

        Assert.Equal(table.NodeOf(0x2001_ffff_ffff_0000UL, 0, 48), table.Index.Find(0x2001_ffff_ffff_ffffUL, AllOnes));
        Assert.Equal(table.NodeOf(0x2001_0000_0000_0000UL, 0, 16), table.Index.Find(0x2001_ffff_fffe_ffffUL, 0));
        Assert.Equal(table.NodeOf(0x2002_0000_0000_0000UL, 0, 48), table.Index.Find(0x2002_0000_0000_0000UL, 0));
        Assert.Equal(0, table.Index.Find(0x2002_0000_0001_0000UL, 0));
        Assert.Equal(table.NodeOf(0x2003_ffff_ffff_ff00UL, 0, 56), table.Index.Find(0x2003_ffff_ffff_ffffUL, AllOnes));
        Assert.Equal(0, table.Index.Find(0x2003_ffff_ffff_feffUL, AllOnes));
        Assert.Equal(table.NodeOf(0xffff_ffff_ffff_0000UL, 0, 48), table.Index.Find(AllOnes, AllOnes));
        table.CheckAround(table.Prefixes);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void RandomTablesOfEveryLengthAgreeWithBruteForce(int seed)
    {
        var random = new Random(seed);
        var table = new Table(ClusteredPrefixes(random, new[] { 1, 2, 3, 10, 100, 1_000, 5_000 }[seed % 7], out var anchors));

        table.CheckAround(table.Prefixes);
        for (var i = 0; i < 2_000; i++)
        {
            var anchor = anchors[random.Next(anchors.Length)];
            var spread = random.Next(129);
            table.CheckAt(anchor.High ^ Spread(random, spread, true), anchor.Low ^ Spread(random, spread, false));
        }
    }

    [Theory]
    [InlineData(1_000, 1)]
    [InlineData(50_000, 2)]
    [InlineData(200_000, 3)]
    public void BgpShapedTablesAgreeWithBruteForce(int size, int seed)
    {
        var random = new Random(seed);
        var prefixes = new HashSet<Prefix> { new(0, 0, 0) };
        var lengths = new[] { 48, 48, 48, 48, 32, 44, 40, 29, 36, 46, 47, 56, 64, 65, 96, 127, 128 };
        while (prefixes.Count < size)
        {
            var length = lengths[random.Next(lengths.Length)];
            var high = (Next64(random) >> 3) | (1UL << 61);
            prefixes.Add(Prefix.Of(high, Next64(random), length));
        }

        var table = new Table(prefixes.ToArray());

        // Every prefix's ends and their neighbours for a sample of the prefixes, then random addresses.
        var sample = table.Prefixes.Where((_, i) => i % Math.Max(1, size / 5_000) == 0).ToArray();
        table.CheckAround(sample);
        table.CheckRandom(random, 20_000, 0x2000_0000_0000_0000UL, 0x1FFF_FFFF_FFFF_FFFFUL);
    }

    // A chunk's bucket offsets are 16 bits. 65,532 side-by-side /48s in 2001::/17 (from its second /48), the run's end,
    // the /17's end and the lead from the bucket's first window to the halving of the rest lay the chunk out to offset
    // 65,535, the last a ushort holds; one /48 more and the chunk goes to a fine list of its own. Around it: the /17,
    // whose label begins the chunk, a /12 over both chunks, whose label ends 2001::/16 and follows it into 2002::/16
    // up to a /48 there, and a /56 in the fifth /48, whose /48 leads on from the chunk's fine list to its own.
    [Theory]
    [InlineData(65_532, 0)]
    [InlineData(65_533, 1)]
    public void AChunkPastSixteenBitOffsetsGoesToAFineListAndAnswersTheSame(int run, int wide)
    {
        var prefixes = new List<Prefix> { Prefix.Of(0x2000UL << 48, 0, 12), Prefix.Of(0x2001UL << 48, 0, 17), Prefix.Of((0x2001UL << 48) | (5UL << 16) | 0x100, 0, 56), Prefix.Of((0x2002UL << 48) | (7UL << 16), 0, 48) };
        for (var i = 1; i <= run; i++)
        {
            prefixes.Add(Prefix.Of((0x2001UL << 48) | ((ulong)i << 16), 0, 48));
        }

        var table = new Table(prefixes);

        Assert.Equal(wide, table.Index.WideChunks);
        table.CheckAround(table.Prefixes.Where((prefix, i) => prefix.Length != 48 || i % 101 == 0 || i < 8 || i > table.Prefixes.Length - 8));
        foreach (var high in new[] { 0x2001UL << 48, 0x2002UL << 48, (0x2002UL << 48) | (6UL << 16), ((0x2001UL << 48) | (5UL << 16)) + 0xFF, (0x2001UL << 48) | ((ulong)(run + 1) << 16), (0x2002UL << 48) - 1 })
        {
            table.CheckAt(high, 0);
            table.CheckAt(high, AllOnes);
        }

        table.CheckRandom(new Random(run), 5_000, 0x2001UL << 48, 0x1_FFFFUL << 16);
    }

    private static (ulong High, ulong Low) FlipBit(ulong high, ulong low, int bit) =>
        bit < 64 ? (high ^ (1UL << (63 - bit)), low) : (high, low ^ (1UL << (127 - bit)));

    // Up to `size` prefixes clustered under a few random anchors, so that they nest deep; lengths 0..128 evenly.
    private static Prefix[] ClusteredPrefixes(Random random, int size, out (ulong High, ulong Low)[] anchors)
    {
        anchors = Enumerable.Range(0, 1 + random.Next(8)).Select(_ => (High: Next64(random), Low: Next64(random))).ToArray();
        var prefixes = new HashSet<Prefix>();
        for (var attempt = 0; attempt < 20 * size && prefixes.Count < size; attempt++)
        {
            var anchor = anchors[random.Next(anchors.Length)];
            var length = random.Next(129);
            var spread = random.Next(129);
            prefixes.Add(Prefix.Of(anchor.High ^ Spread(random, spread, true), anchor.Low ^ Spread(random, spread, false), length));
        }

        return prefixes.ToArray();
    }

    // Random bits below the top `keep` bits of the 128, in the requested half.
    private static ulong Spread(Random random, int keep, bool high)
    {
        var value = Next64(random);
        if (high)
        {
            return keep >= 64 ? 0 : value >> keep;
        }

        return keep <= 64 ? value : keep >= 128 ? 0 : value >> (keep - 64);
    }

    private static ulong Next64(Random random) => ((ulong)(uint)random.Next() << 33) ^ ((ulong)(uint)random.Next() << 11) ^ (uint)random.Next();

    private readonly record struct Prefix(ulong High, ulong Low, int Length)
    {
        public static Prefix Of(ulong high, ulong low, int length) =>
            new(high & Bits128.MaskHigh(length), low & Bits128.MaskLow(length), length);

        public bool Contains(ulong high, ulong low) =>
            ((high ^ High) & Bits128.MaskHigh(Length)) == 0 && ((low ^ Low) & Bits128.MaskLow(Length)) == 0;

        public (ulong High, ulong Low) Last => (High | ~Bits128.MaskHigh(Length), Low | ~Bits128.MaskLow(Length));
    }

    // The index over prefixes in preorder, beside the brute force it is checked against: every length from the
    // longest down, looked up in a dictionary of the stored prefixes.
    private sealed class Table
    {
        private readonly Dictionary<Prefix, int> nodes;

        public Table(IReadOnlyCollection<Prefix> prefixes)
        {
            Prefixes = prefixes.OrderBy(p => p.High).ThenBy(p => p.Low).ThenBy(p => p.Length).ToArray();
            var high = new ulong[Prefixes.Length + 1];
            var low = new ulong[Prefixes.Length + 1];
            var lengths = new byte[Prefixes.Length + 1];
            nodes = new Dictionary<Prefix, int>();
            for (var i = 0; i < Prefixes.Length; i++)
            {
                (high[i + 1], low[i + 1], lengths[i + 1]) = (Prefixes[i].High, Prefixes[i].Low, (byte)Prefixes[i].Length);
                nodes.Add(Prefixes[i], i + 1);
            }

            Index = new Ipv6Index(high, low, lengths, Prefixes.Length);
        }

        public Prefix[] Prefixes { get; }

        public Ipv6Index Index { get; }

        public int NodeOf(ulong high, ulong low, int length) => nodes[Prefix.Of(high, low, length)];

        public int BruteForce(ulong high, ulong low)
        {
            for (var length = 128; length >= 0; length--)
            {
                if (nodes.TryGetValue(Prefix.Of(high, low, length), out var node))
                {
                    return node;
                }
            }

            return 0;
        }

        public void CheckAt(ulong high, ulong low)
        {
            var expected = BruteForce(high, low);
            var found = Index.Find(high, low);
            if (found != expected)
            {
                Assert.Fail($"{high:x16}:{low:x16}: found node {found} {Describe(found)}, expected {expected} {Describe(expected)}");
            }
        }

        // A prefix's first and last address and the addresses on either side: where intervals begin and end.
        public void CheckAround(IEnumerable<Prefix> prefixes)
        {
            foreach (var prefix in prefixes)
            {
                var (lastHigh, lastLow) = prefix.Last;
                CheckAt(prefix.High, prefix.Low);
                CheckAt(lastHigh, lastLow);
                var (beforeHigh, beforeLow) = prefix.Low == 0 ? (prefix.High - 1, AllOnes) : (prefix.High, prefix.Low - 1);
                CheckAt(beforeHigh, beforeLow);
                var (afterHigh, afterLow) = lastLow == AllOnes ? (lastHigh + 1, 0UL) : (lastHigh, lastLow + 1);
                CheckAt(afterHigh, afterLow);
            }
        }

        public void CheckRandom(Random random, int count, ulong highBase, ulong highSpread)
        {
            for (var i = 0; i < count; i++)
            {
                var prefix = Prefixes[random.Next(Prefixes.Length)];
                var (high, low) = (highBase | (Next64(random) & highSpread), Next64(random));
                CheckAt(high, low);
                var (hostHigh, hostLow) = (~Bits128.MaskHigh(prefix.Length), ~Bits128.MaskLow(prefix.Length));
                CheckAt(prefix.High | (Next64(random) & hostHigh), prefix.Low | (Next64(random) & hostLow));
            }
        }

        private string Describe(int node) => node == 0 ? "(none)" : Prefixes[node - 1].ToString();
    }
}

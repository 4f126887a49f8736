using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PSLoopback.Routing;

/// <summary>
/// The IPv6 longest-match index of a <see cref="PrefixTable{T}"/>: from an address to the node (preorder rank,
/// 1..count, 0 for none) of the longest stored prefix containing it.
/// </summary>
/// <remarks>
/// Nested prefixes cut the address space into disjoint intervals, each labelled with its longest match (at most
/// 2n+1 of them), so a lookup is "the last interval start at or below the address". Three lists of starts, each
/// only where it is needed:
/// - the coarse list, over bits 16-47 (a 32-bit key, 8 bytes a start with its label), holds every start on a /48
///   boundary, which is nearly all of them in a real table;
/// - a /48 with a start inside it (a prefix longer than /48 that does not fill it) is one coarse interval whose
///   label leads to that /48's fine list, over the whole top 64 bits;
/// - a /64 with longer prefixes under it is one fine interval whose label leads to its list over the low 64 bits.
/// The coarse list is reached by direct pointing in two steps: the top 16 bits pick a chunk, and each chunk that has
/// starts inside gets its own table on the next bits, as many as it takes to fit each bucket's starts in a fixed
/// window of <see cref="Window"/>. Only crowded chunks pay for resolution, so a table concentrated in a small part of
/// the space (today's 2000::/3) costs no more than a spread one. A bucket names where its window begins in the one
/// sorted array: the start just before its own, which carries the label at the bucket's beginning, so no bucket
/// stores a copy of it. A bucket with more starts than its window holds has its starts in a chain of windows: at each window's
/// last place an extra entry with the key of the start that belongs there and a label that leads to the next window,
/// which begins at that start. So a lookup is three array reads and a fixed run of independent comparisons with no
/// data-dependent branch, against the trie's log2(n) dependent cache misses. The next windows of a crowded bucket,
/// in the same or the next cache line, are a detour for the addresses past its first window; a bucket too crowded
/// for a short chain (a run of /48s side by side, which no resolution splits) is searched by halving past its first
/// window, as are the finer lists for an address in a /48 that holds longer prefixes.
/// </remarks>
internal sealed partial class Ipv6Index
{
    // The starts a lookup compares in one bucket, the one before the bucket's included: 32 bytes, most often within
    // one cache line, where 8 always took two and was slower (bench/README.md has the figures). A crowded bucket (a
    // spot the chunk's resolution could not split) goes on window by window. InWindow is written out for exactly
    // this size.
    private const int Window = 4;

    // The starts of a bucket that a chain of three windows holds. A chain takes a window for every three starts, halving
    // a step for every doubling, so a longer run is halved: its cost stays log2 of the run.
    private const int MaxChained = 3 * (Window - 1);

    // Does not compile unless Window is 4 (a constant byte cannot be negative), so a new size cannot answer wrongly.
    private const byte InWindowComparesFour = (byte)(4 - Window) + (byte)(Window - 4);

    private const int TopBits = 16;

    private const int CoarseShift = 16;

    // Keeps a crowded chunk's table (2^bits ints) within what its starts already cost.
    private const int MaxBucketBits = 24;

    // Room for a right shift of a ulong, 0-63.
    private const int StrideBits = 6;

    // Bucket positions fit beside the stride in a chunk's int; past it a chunk falls back to two buckets, slower only.
    private const int MaxBuckets = 1 << (31 - StrideBits);

    // Labels above count lead to a finer list: count + 1 + d for the low list of block d, count + 1 + deep + f for
    // the fine list f (of a /48, or of a chunk too wide for 16-bit bucket offsets, one at most a chunk), halved + 1 + b
    // for the rest of bucket b, and chained + p for a crowded bucket's window from coarse[p].
    private readonly int count;
    private readonly int deep;
    private readonly int halved;
    private readonly int chained;

    // Per chunk, read at once: its entry and the place in coarse its buckets count from.
    private readonly Chunk[] chunks;

    // For each bucket, where its window begins in coarse, counted from its chunk's base: the last start at or before
    // the bucket's beginning, its own starts after it; one entry more per chunk closes its last bucket. 16 bits halve
    // what 32 took (5.5 MB at 1,000,000 prefixes), which keeps more of the index in the caches.
    private readonly ushort[] buckets;

    // Each chunk's starts are followed by Window - 1 copies of its last one at the chunk's end, so a window never
    // runs into the next chunk, whose keys start again from 0. A crowded bucket's extra entries come each just before
    // the start whose key it copies.
    private readonly Coarse[] coarse;

    // Fine list f's starts over the top 64 bits are fineStarts[fines[f]..fines[f + 1]), the first at the beginning of
    // its /48 or chunk.
    private readonly int[] fines;
    private readonly Boundary[] fineStarts;

    // Block d's starts over the low 64 bits are lowStarts[blocks[d]..blocks[d + 1]), the first at 0.
    private readonly int[] blocks;
    private readonly Boundary[] lowStarts;

    /// <summary>How many chunks went to a fine list of their own, past what 16-bit bucket offsets reach.</summary>
    public int WideChunks { get; private set; }

    /// <param name="high">Node i's network, bytes 0-7, nodes 1..count in preorder.</param>
    /// <param name="low">Node i's network, bytes 8-15.</param>
    /// <param name="lengths">Node i's prefix length.</param>
    public Ipv6Index(ulong[] high, ulong[] low, byte[] lengths, int count)
    {
        this.count = count;
        var starts = new StartList(Math.Max(16, 2 * count + 1));
        var lowList = new StartList(16);
        var blockList = new List<int>();
        BuildStarts(high, low, lengths, count, starts, lowList, blockList);
        deep = blockList.Count;
        blockList.Add(lowList.Count);
        blocks = blockList.ToArray();
        lowStarts = lowList.ToArray();

        var coarseList = new StartList(starts.Count + 16);
        var fineList = new StartList(16);
        var fineBlocks = new List<int>();
        SplitFine(starts, coarseList, fineList, fineBlocks);

        // Room for one more fine list a chunk, as the labels past the fine lists are written before the wide chunks
        // are known.
        halved = checked(count + deep + fineBlocks.Count + (1 << TopBits));
        chained = checked(halved + MaxBuckets);

        chunks = new Chunk[1 << TopBits];
        var bucketList = new List<int>();
        coarse = BuildBuckets(coarseList, bucketList, fineList, fineBlocks);
        buckets = new ushort[bucketList.Count];
        for (var bucket = 0; bucket < buckets.Length; bucket++)
        {
            buckets[bucket] = checked((ushort)bucketList[bucket]);
        }

        fineBlocks.Add(fineList.Count);
        fines = fineBlocks.ToArray();
        fineStarts = fineList.ToArray();
    }

    // Inlined into the table's lookups: fewer instructions a lookup lets the CPU overlap more lookups' cache misses.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(ulong high, ulong low)
    {
        var chunk = chunks[(int)(high >> (64 - TopBits))];
        var entry = chunk.Entry;
        int node;
        if (entry < 0)
        {
            node = ~entry;
        }
        else
        {
            // The next bits of the address pick the bucket: a ulong shift takes only the low 6 bits of its count, which
            // hold the chunk's, so the entry's bucket bits need no mask.
            var bucket = (entry >> StrideBits) + (int)((high << TopBits) >> entry);
            node = InWindow(coarse, chunk.Base + buckets[bucket], (uint)(high >> CoarseShift));
        }

        return node > count ? InFinerList(node, high, low) : node;
    }

    // The label of the last start at or below key among the Window starts from `from`, given that the first is at or
    // below it and the bucket's starts up to the key all lie in the window (in a crowded bucket the last place leads on).
    // Starts past the bucket lie past the key, so counting the ones at or below it finds the place: a fixed number of
    // independent comparisons, no loop, no branch.
    private static int InWindow(Coarse[] starts, int from, uint key)
    {
        var place = (starts[from + 1].Key <= key ? 1 : 0)
            + (starts[from + 2].Key <= key ? 1 : 0)
            + (starts[from + 3].Key <= key ? 1 : 0);
        return starts[from + place].Node;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int InFinerList(int node, ulong high, ulong low)
    {
        // A crowded bucket's next windows; what the last one answers can still lead to a finer list.
        while (node > chained)
        {
            node = InWindow(coarse, node - chained, (uint)(high >> CoarseShift));
        }

        // A bucket too crowded for a chain: the rest of it, from the start after its first window.
        if (node > halved)
        {
            var bucket = node - halved - 1;
            var from = chunks[(int)(high >> (64 - TopBits))].Base;
            node = Last(coarse, from + buckets[bucket] + Window, from + buckets[bucket + 1] + 1, (uint)(high >> CoarseShift));
        }

        if (node <= count)
        {
            return node;
        }

        // A wide chunk's fine list can lead on to a /48's.
        while (node > count + deep)
        {
            var fine = node - count - deep - 1;
            node = Last(fineStarts, fines[fine], fines[fine + 1], high);
        }

        if (node <= count)
        {
            return node;
        }

        var block = node - count - 1;
        return Last(lowStarts, blocks[block], blocks[block + 1], low);
    }

    // The same as Last below, over the 32-bit keys.
    private static int Last(Coarse[] starts, int from, int to, uint key)
    {
        var size = to - from;
        while (size > 1)
        {
            var half = size >> 1;
            from = starts[from + half].Key <= key ? from + half : from;
            size -= half;
        }

        return starts[from].Node;
    }

    // The label of the last start at or below key in starts[from..to), given that starts[from] is at or below it.
    // Halving with a conditional move rather than a branch: which half wins is a coin toss the CPU cannot predict.
    private static int Last(Boundary[] starts, int from, int to, ulong key)
    {
        var size = to - from;
        while (size > 1)
        {
            var half = size >> 1;
            from = starts[from + half].Start <= key ? from + half : from;
            size -= half;
        }

        return starts[from].Node;
    }

    // A chunk's entry: a leaf as ~node when no start lies inside the chunk (or its fine list's label); else its first
    // bucket << StrideBits | (64 - bits) for its 2^bits buckets, bits at least 1, the shift that leaves the address's
    // next bits. Beside it the place in coarse its buckets' offsets count from, in the same read.
    private readonly struct Chunk
    {
        public Chunk(int entry, int @base)
        {
            Entry = entry;
            Base = @base;
        }

        public int Entry { get; }

        public int Base { get; }
    }

    // A coarse start, bits 16-47 of it, and the node matched from there to the next start.
    private readonly struct Coarse
    {
        public Coarse(uint key, int node)
        {
            Key = key;
            Node = node;
        }

        public uint Key { get; }

        public int Node { get; }
    }

    // An interval start and the node matched from there to the next start (0 for none, above count a block).
    // Packed to 12 bytes: the search reads the start and then the label beside it, in the same cache line.
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private readonly struct Boundary
    {
        public Boundary(ulong start, int node)
        {
            Start = start;
            Node = node;
        }

        public ulong Start { get; }

        public int Node { get; }
    }
}

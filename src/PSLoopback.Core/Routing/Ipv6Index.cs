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
/// 2n+1 of them), so a lookup is "the last interval start at or below the address". The top 64 bits hold every
/// prefix up to /64; a /64 that has longer prefixes under it is one interval of its own whose label leads to a
/// second, equally built list over the low 64 bits of that /64 only.
/// The high list is reached by direct pointing in two steps: the top bits (up to 16, fewer for a small table) pick
/// a chunk, and each chunk that has interval starts inside gets its own table on the next bits, as many as it takes
/// to fit each bucket's starts in a fixed window of <see cref="Window"/>. Only crowded chunks pay for resolution, so
/// a table concentrated in a small part of the space (today's 2000::/3) costs no more than a spread one. A bucket
/// names its first start by position in the one sorted array, and the start just before it carries the label at the
/// bucket's beginning, so no bucket stores a copy of it. A lookup is three array reads and a fixed run of independent
/// comparisons with no data-dependent branch, against the trie's log2(n) dependent cache misses.
/// </remarks>
internal sealed class Ipv6Index
{
    // The starts a lookup compares in one bucket, the one before the bucket's included: 96 bytes, two or three cache
    // lines read at once. A bucket with more (a crowded spot the chunk's resolution could not split) is searched by
    // halving.
    private const int Window = 8;

    private const int MaxTopBits = 16;

    // Keeps a crowded chunk's table (2^bits ints) within what its starts already cost.
    private const int MaxBucketBits = 24;

    private const int StrideBits = 6;

    // Labels above it name a /64 with longer prefixes under it: block (label - count - 1).
    private readonly int count;

    private readonly int topBits;
    private readonly int chunkShift;

    // Per chunk: a leaf as ~node when no interval starts inside the chunk; else its first bucket << StrideBits | bits.
    private readonly long[] chunks;

    // For each bucket, the position in highStarts of the first start after the bucket's beginning; one entry more
    // per chunk closes its last bucket.
    private readonly int[] buckets;

    private readonly Boundary[] highStarts;

    // Block d's starts over the low 64 bits are lowStarts[blocks[d]..blocks[d + 1]), the first at 0.
    private readonly int[] blocks;
    private readonly Boundary[] lowStarts;

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
        blockList.Add(lowList.Count);

        topBits = Math.Min(MaxTopBits, Math.Max(1, BitLength(count)));
        chunkShift = 64 - topBits;
        chunks = new long[1 << topBits];
        var bucketList = new List<int>();
        BuildBuckets(starts, bucketList);
        buckets = bucketList.ToArray();
        highStarts = starts.ToArray(Window);
        blocks = blockList.ToArray();
        lowStarts = lowList.ToArray();
    }

    // Inlined into the table's lookups: fewer instructions a lookup lets the CPU overlap more lookups' cache misses.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(ulong high, ulong low)
    {
        var entry = chunks[(int)(high >> chunkShift)];
        int node;
        if (entry < 0)
        {
            node = (int)~entry;
        }
        else
        {
            // The next bits of the address pick the bucket; the double shift also handles a chunk of one bucket.
            var bits = (int)(entry & ((1 << StrideBits) - 1));
            var bucket = (int)(entry >> StrideBits) + (int)(((high << topBits) >> 1) >> (63 - bits));
            var first = buckets[bucket];
            if (first >= 0)
            {
                node = InWindow(highStarts, first - 1, high);
            }
            else
            {
                node = InLongBucket(bucket, high);
            }
        }

        return node > count ? InBlock(node - count - 1, low) : node;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int InLongBucket(int bucket, ulong high)
    {
        var end = buckets[bucket + 1];
        return Last(highStarts, ~buckets[bucket] - 1, end < 0 ? ~end : end, high);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int InBlock(int block, ulong low) => Last(lowStarts, blocks[block], blocks[block + 1], low);

    // The label of the last start at or below key among the Window starts from `from`, given that the first is at or
    // below it and the bucket's starts all lie in the window. Starts past the bucket lie past the key, so counting the
    // ones at or below it finds the place: a fixed number of independent comparisons, no loop, no branch.
    private static int InWindow(Boundary[] starts, int from, ulong key)
    {
        var place = (starts[from + 1].Start <= key ? 1 : 0)
            + (starts[from + 2].Start <= key ? 1 : 0)
            + (starts[from + 3].Start <= key ? 1 : 0)
            + (starts[from + 4].Start <= key ? 1 : 0)
            + (starts[from + 5].Start <= key ? 1 : 0)
            + (starts[from + 6].Start <= key ? 1 : 0)
            + (starts[from + 7].Start <= key ? 1 : 0);
        return starts[from + place].Node;
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

    // One preorder pass with a stack of the open prefixes gives the interval starts in address order: a prefix opens
    // its interval at its network and, when the pass leaves it, hands the rest back to the prefix around it.
    private static void BuildStarts(ulong[] high, ulong[] low, byte[] lengths, int count, StartList starts, StartList lowStarts, List<int> blocks)
    {
        var open = new Open[66];
        var depth = 0;
        starts.Add(0, 0);
        for (var node = 1; node <= count;)
        {
            var network = high[node];
            var deep = lengths[node] > 64;
            var last = deep ? network : network | ~Bits128.MaskHigh(lengths[node]);
            while (depth > 0 && open[depth - 1].Last < network)
            {
                Close(open, ref depth, 0, starts);
            }

            if (!deep)
            {
                open[depth++] = new Open(last, node);
                starts.Add(network, node);
                node++;
                continue;
            }

            // The nodes longer than /64 under one /64 follow each other in preorder, after any up to /64 on it.
            var first = node;
            while (node <= count && high[node] == network)
            {
                node++;
            }

            var label = count + 1 + blocks.Count;
            blocks.Add(lowStarts.Count);
            BuildLowStarts(low, lengths, first, node, depth > 0 ? open[depth - 1].Node : 0, lowStarts);
            open[depth++] = new Open(last, label);
            starts.Add(network, label);
        }

        while (depth > 0)
        {
            Close(open, ref depth, 0, starts);
        }
    }

    // The same pass over the low 64 bits of one /64's longer prefixes; where none matches, the /64's own match does.
    private static void BuildLowStarts(ulong[] low, byte[] lengths, int from, int to, int outer, StartList starts)
    {
        var open = new Open[65];
        var depth = 0;
        starts.BeginRun();
        starts.Add(0, outer);
        for (var node = from; node < to; node++)
        {
            var network = low[node];
            while (depth > 0 && open[depth - 1].Last < network)
            {
                Close(open, ref depth, outer, starts);
            }

            open[depth++] = new Open(network | ~Bits128.MaskLow(lengths[node]), node);
            starts.Add(network, node);
        }

        while (depth > 0)
        {
            Close(open, ref depth, outer, starts);
        }
    }

    // Closes the innermost open prefix; past it the next one out matches, or outside when none is open.
    private static void Close(Open[] open, ref int depth, int outside, StartList starts)
    {
        var closed = open[--depth];
        if (closed.Last != ulong.MaxValue)
        {
            starts.Add(closed.Last + 1, depth > 0 ? open[depth - 1].Node : outside);
        }
    }

    // Each chunk with starts inside gets 2^bits buckets: the fewest that fit every bucket's starts in the window, but
    // no more buckets than starts, which bounds the memory where starts crowd together.
    private void BuildBuckets(StartList starts, List<int> bucketList)
    {
        var next = 0;
        for (var chunk = 0; chunk < chunks.Length; chunk++)
        {
            var chunkStart = (ulong)chunk << chunkShift;
            var isLastChunk = chunk == chunks.Length - 1;

            // next: the first start after the chunk's beginning; inside: how many starts lie within the chunk.
            while (next < starts.Count && starts.StartAt(next) <= chunkStart)
            {
                next++;
            }

            var end = next;
            while (end < starts.Count && (isLastChunk || starts.StartAt(end) < chunkStart + (1UL << chunkShift)))
            {
                end++;
            }

            var inside = end - next;
            if (inside == 0)
            {
                chunks[chunk] = ~(long)starts.NodeAt(next - 1);
                continue;
            }

            var bits = 0;
            while (bits < Math.Min(MaxBucketBits, chunkShift) && (2 << bits) <= inside && LongestRun(starts, next, chunkStart, isLastChunk, bits) > Window)
            {
                bits++;
            }

            chunks[chunk] = ((long)bucketList.Count << StrideBits) | (long)bits;
            var firsts = BucketFirsts(starts, next, chunkStart, isLastChunk, bits);
            for (var bucket = 0; bucket < firsts.Length - 1; bucket++)
            {
                // The window holds the start before the bucket and the bucket's own.
                var fits = firsts[bucket + 1] - firsts[bucket] + 1 <= Window;
                bucketList.Add(fits ? firsts[bucket] : ~firsts[bucket]);
            }

            bucketList.Add(firsts[firsts.Length - 1]);
        }
    }

    private int LongestRun(StartList starts, int next, ulong chunkStart, bool isLastChunk, int bits)
    {
        var firsts = BucketFirsts(starts, next, chunkStart, isLastChunk, bits);
        var longest = 0;
        for (var bucket = 0; bucket < firsts.Length - 1; bucket++)
        {
            longest = Math.Max(longest, firsts[bucket + 1] - firsts[bucket] + 1);
        }

        return longest;
    }

    // For each of the chunk's 2^bits buckets and the chunk's end, the position of the first start after it.
    private int[] BucketFirsts(StartList starts, int next, ulong chunkStart, bool isLastChunk, int bits)
    {
        var firsts = new int[(1 << bits) + 1];
        var bucketShift = chunkShift - bits;
        var position = next;
        for (var bucket = 0; bucket < firsts.Length; bucket++)
        {
            var isEnd = bucket == firsts.Length - 1;
            var bucketStart = chunkStart + ((ulong)bucket << bucketShift);
            while (position < starts.Count && ((isEnd && isLastChunk) || starts.StartAt(position) <= bucketStart))
            {
                position++;
            }

            firsts[bucket] = position;
        }

        return firsts;
    }

    private static int BitLength(int value)
    {
        var length = 0;
        while (value >> length != 0)
        {
            length++;
        }

        return length;
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

    private readonly struct Open
    {
        public Open(ulong last, int node)
        {
            Last = last;
            Node = node;
        }

        // The prefix's last address in this half.
        public ulong Last { get; }

        public int Node { get; }
    }

    // Starts in address order, merged as they come: a start at the same place as the one before replaces it, and one
    // that repeats the label before it adds nothing. A run (one /64's low list) never merges into the one before.
    private sealed class StartList
    {
        private Boundary[] items;
        private int runStart;

        public StartList(int capacity)
        {
            items = new Boundary[capacity];
        }

        public int Count { get; private set; }

        public ulong StartAt(int index) => items[index].Start;

        public int NodeAt(int index) => items[index].Node;

        public void BeginRun() => runStart = Count;

        public void Add(ulong start, int node)
        {
            if (Count > runStart && items[Count - 1].Start == start)
            {
                Count--;
            }

            if (Count > runStart && items[Count - 1].Node == node)
            {
                return;
            }

            if (Count == items.Length)
            {
                Array.Resize(ref items, 2 * items.Length);
            }

            items[Count++] = new Boundary(start, node);
        }

        // With `padding` copies of the last start moved to the end of the space, so a window that runs past the last
        // start stays inside the array and still finds the last start's label.
        public Boundary[] ToArray(int padding = 0)
        {
            var result = new Boundary[Count + padding];
            Array.Copy(items, result, Count);
            for (var i = Count; i < result.Length; i++)
            {
                result[i] = new Boundary(ulong.MaxValue, items[Count - 1].Node);
            }

            return result;
        }
    }
}

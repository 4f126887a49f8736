using System;
using System.Collections.Generic;

namespace PSLoopback.Routing;

// The index's build: the interval starts of the nested prefixes, their split into the coarse, fine and low lists,
// and the coarse list laid out in chunks and buckets for the lookup in Ipv6Index.cs.
internal sealed partial class Ipv6Index
{
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
            var longer = lengths[node] > 64;
            var last = longer ? network : network | ~Bits128.MaskHigh(lengths[node]);
            while (depth > 0 && open[depth - 1].Last < network)
            {
                Close(open, ref depth, 0, starts);
            }

            if (!longer)
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

    // Moves each /48 with a start inside it to a fine list of its own, leaving in the coarse list one interval that
    // leads there; what follows the /48 starts again at its end.
    private void SplitFine(StartList starts, StartList coarseList, StartList fineList, List<int> fineBlocks)
    {
        for (var first = 0; first < starts.Count;)
        {
            var slash48 = starts.StartAt(first) >> CoarseShift;
            var end = first;
            var inside = false;
            while (end < starts.Count && starts.StartAt(end) >> CoarseShift == slash48)
            {
                inside |= (starts.StartAt(end) & ((1UL << CoarseShift) - 1)) != 0;
                end++;
            }

            var beginning = slash48 << CoarseShift;
            if (!inside)
            {
                // Merged as they came, so this is the one start on the /48's boundary.
                coarseList.Add(beginning, starts.NodeAt(first));
            }
            else
            {
                fineBlocks.Add(fineList.Count);
                fineList.BeginRun();
                fineList.Add(beginning, first > 0 ? starts.NodeAt(first - 1) : 0);
                for (var i = first; i < end; i++)
                {
                    fineList.Add(starts.StartAt(i), starts.NodeAt(i));
                }

                coarseList.Add(beginning, count + deep + fineBlocks.Count);
                if (slash48 != ulong.MaxValue >> CoarseShift)
                {
                    coarseList.Add(beginning + (1UL << CoarseShift), starts.NodeAt(end - 1));
                }
            }

            first = end;
        }
    }

    // Lays the coarse starts out chunk by chunk, with their 32-bit keys, and gives each chunk with starts inside
    // 2^bits buckets: the fewest that fit every bucket's starts in the window, but no more buckets than starts, which
    // bounds the memory where starts crowd together; the buckets still crowded get their chain. A chunk laid out past
    // what a 16-bit offset reaches (some 49,000 starts in one /16, far past any real table) is taken back and its
    // starts go to a fine list of their own, searched by halving.
    private Coarse[] BuildBuckets(StartList starts, List<int> bucketList, StartList fineList, List<int> fineBlocks)
    {
        const int chunkShift = 64 - TopBits;
        var laidOut = new List<Coarse>(starts.Count + 1024);
        var next = 0;
        for (var chunk = 0; chunk < chunks.Length; chunk++)
        {
            var chunkStart = (ulong)chunk << chunkShift;
            var isLastChunk = chunk == chunks.Length - 1;
            var first = next;
            while (next < starts.Count && (isLastChunk || starts.StartAt(next) < chunkStart + (1UL << chunkShift)))
            {
                next++;
            }

            // The chunk's starts are [first, next); the ones inside it are those after its beginning.
            var atBeginning = first < next && starts.StartAt(first) == chunkStart;
            if (atBeginning)
            {
                laidOut.Add(CoarseAt(starts, first));
            }

            var inside = next - first - (atBeginning ? 1 : 0);
            if (inside == 0)
            {
                chunks[chunk] = new Chunk(~laidOut[laidOut.Count - 1].Node, 0);
                continue;
            }

            var bits = 1;
            while (bits < MaxBucketBits && (2 << bits) <= inside && LongestRun(BucketFirsts(starts, first, next, chunkStart, bits)) > Window)
            {
                bits++;
            }

            if (bucketList.Count + (1 << bits) + 1 > MaxBuckets)
            {
                // Past the limit a chunk's bucket number would reach the leaf bit and answer wrongly: refuse instead.
                bits = 1;
                if (bucketList.Count + 3 > MaxBuckets)
                {
                    throw new ArgumentException($"The table has more prefix boundaries than the IPv6 index can hold ({MaxBuckets:N0} buckets).");
                }
            }

            // The first bucket's window begins at the start laid out last, the one at or before the chunk's beginning.
            var firstBucket = bucketList.Count;
            var chunkBase = laidOut.Count - 1;
            var firsts = BucketFirsts(starts, first, next, chunkStart, bits);
            for (var bucket = 0; bucket < firsts.Length - 1; bucket++)
            {
                LayOutBucket(starts, firsts[bucket], firsts[bucket + 1], chunkBase, bucketList, laidOut);
            }

            bucketList.Add(laidOut.Count - 1 - chunkBase);
            if (bucketList[bucketList.Count - 1] <= ushort.MaxValue)
            {
                chunks[chunk] = new Chunk((firstBucket << StrideBits) | (64 - bits), chunkBase);
            }
            else
            {
                bucketList.RemoveRange(firstBucket, bucketList.Count - firstBucket);
                laidOut.RemoveRange(chunkBase + 1, laidOut.Count - chunkBase - 1);
                fineBlocks.Add(fineList.Count);
                fineList.BeginRun();
                fineList.Add(chunkStart, laidOut[chunkBase].Node);
                for (var i = next - inside; i < next; i++)
                {
                    fineList.Add(starts.StartAt(i), starts.NodeAt(i));
                }

                chunks[chunk] = new Chunk(~(count + deep + fineBlocks.Count), 0);
                WideChunks++;
            }

            // The node at the chunk's end, which the next chunk's first window begins with when it has no start at its
            // own beginning.
            var last = starts.NodeAt(next - 1);
            for (var i = 1; i < Window; i++)
            {
                laidOut.Add(new Coarse(uint.MaxValue, last));
            }
        }

        return laidOut.ToArray();
    }

    // A bucket's starts after the one laid out before them, the first window's known start: while more remain than
    // a window's other places hold, its last place leads to a window that begins at the start that belongs there;
    // past MaxChained starts it leads instead to the halving of the rest of the bucket.
    private void LayOutBucket(StartList starts, int from, int to, int chunkBase, List<int> bucketList, List<Coarse> laidOut)
    {
        bucketList.Add(laidOut.Count - 1 - chunkBase);
        var next = from;
        var halving = to - from > MaxChained;
        while (to - next > Window - 1)
        {
            for (var place = 1; place < Window - 1; place++)
            {
                laidOut.Add(CoarseAt(starts, next++));
            }

            var onward = halving ? halved + bucketList.Count : checked(chained + laidOut.Count + 1);
            laidOut.Add(new Coarse(CoarseAt(starts, next).Key, onward));
            if (halving)
            {
                break;
            }

            laidOut.Add(CoarseAt(starts, next++));
        }

        while (next < to)
        {
            laidOut.Add(CoarseAt(starts, next++));
        }
    }

    private static Coarse CoarseAt(StartList starts, int index) => new Coarse((uint)(starts.StartAt(index) >> CoarseShift), starts.NodeAt(index));

    // The most starts a window has to hold: a bucket's own and the one before.
    private static int LongestRun(int[] firsts)
    {
        var longest = 0;
        for (var bucket = 0; bucket < firsts.Length - 1; bucket++)
        {
            longest = Math.Max(longest, firsts[bucket + 1] - firsts[bucket] + 1);
        }

        return longest;
    }

    // For each of the chunk's 2^bits buckets, the position of the first start after the bucket's beginning; then the
    // chunk's end.
    private static int[] BucketFirsts(StartList starts, int first, int next, ulong chunkStart, int bits)
    {
        var firsts = new int[(1 << bits) + 1];
        var bucketShift = 64 - TopBits - bits;
        var position = first;
        for (var bucket = 0; bucket < firsts.Length - 1; bucket++)
        {
            var bucketStart = chunkStart + ((ulong)bucket << bucketShift);
            while (position < next && starts.StartAt(position) <= bucketStart)
            {
                position++;
            }

            firsts[bucket] = position;
        }

        firsts[firsts.Length - 1] = next;
        return firsts;
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

        public Boundary[] ToArray()
        {
            var result = new Boundary[Count];
            Array.Copy(items, result, Count);
            return result;
        }
    }
}

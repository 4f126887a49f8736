using System;

namespace PSLoopback.Routing;

/// <summary>Many lookups at once, for a caller with a block of addresses.</summary>
/// <remarks>
/// At 100,000 prefixes and more a lookup waits on a cache miss at each of its dependent reads, and one at a time a
/// mispredicted branch (a leaf chunk, a detour) throws away the reads of the lookups behind it. Here a group of
/// addresses goes stage by stage: all its chunk reads, then all its bucket reads, then all its windows, then the
/// detours. A stage's reads do not wait on one another, so their misses overlap, and the group is small enough that
/// what one stage read is still in the L1 cache for the next. The answers are exactly <see cref="Find(ulong, ulong)"/>'s.
/// A small table's lookups go one at a time.
/// </remarks>
internal sealed partial class Ipv6Index
{
    // Addresses a group: enough misses in flight to cover the latency, few enough to keep the group's lines cached.
    private const int Group = 16;

    // A smaller table's index stays in the caches, where the stages' extra work outweighs the misses they overlap: one
    // at a time was 1.06-1.10 times the plain loop's time at 1,000-3,000 prefixes, the stages 1.15-1.32; they were even
    // around 6,000-10,000 and the stages faster from there on.
    private const int SmallTable = 1 << 13;

    /// <summary>nodes[i] = Find(high[i], low[i]) for i in start..start + size.</summary>
    public void Find(ulong[] high, ulong[] low, int start, int size, int[] nodes)
    {
        var end = start + size;
        if (count < SmallTable)
        {
            for (var i = start; i < end; i++)
            {
                nodes[i] = Find(high[i], low[i]);
            }

            return;
        }

        for (var from = start; from < end; from += Group)
        {
            FindGroup(high, low, from, Math.Min(from + Group, end), nodes);
        }
    }

    // The stages keep what they pass on in nodes: the chunk's entry, then the window's place (or ~node for a leaf
    // chunk), then the window's label.
    private void FindGroup(ulong[] high, ulong[] low, int from, int to, int[] nodes)
    {
        var chunkArray = chunks;
        for (var i = from; i < to; i++)
        {
            nodes[i] = chunkArray[(int)(high[i] >> (64 - TopBits))].Entry;
        }

        var bucketArray = buckets;
        for (var i = from; i < to; i++)
        {
            var entry = nodes[i];
            if (entry >= 0)
            {
                // The chunk again, for its base: an L1 hit now, where carrying it over would take another array.
                var address = high[i];
                var bucket = (entry >> StrideBits) + (int)((address << TopBits) >> entry);
                nodes[i] = chunkArray[(int)(address >> (64 - TopBits))].Base + bucketArray[bucket];
            }
        }

        var coarseArray = coarse;
        for (var i = from; i < to; i++)
        {
            var place = nodes[i];
            nodes[i] = place < 0 ? ~place : InWindow(coarseArray, place, (uint)(high[i] >> CoarseShift));
        }

        for (var i = from; i < to; i++)
        {
            if (nodes[i] > count)
            {
                nodes[i] = InFinerList(nodes[i], high[i], low[i]);
            }
        }
    }
}

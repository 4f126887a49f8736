using System.Collections.Generic;

namespace PSLoopback.Routing;

/// <summary>
/// The IPv4 longest-match index of a <see cref="PrefixTable{T}"/>: from an address to the node (preorder rank,
/// 1..count, 0 for none) of the longest stored prefix containing it.
/// </summary>
/// <remarks>
/// A poptrie (after Asai and Ohara, SIGCOMM 2015). The top 18 bits index a direct array (1 MB) whose entry is either
/// the answer or an internal node; an internal node splits the next 6 bits into 64 slots with two bit vectors, one
/// marking the slots that go on to a child node, one marking where a new run of equal answers starts among the others,
/// so a slot's answer or child is found by counting the set bits below it instead of storing 64 entries, most of
/// them repeats. 18 bits, not 16, because a /24, the commonest length, then ends on the first node's slots, and the
/// longest path is the array, three nodes (bits 18-23, 24-29, 30-31) and an answer.
/// Unlike the paper's fixed-size nodes with their answers and children in other arrays, a node's answers and child
/// links follow its two vectors in one array: a lookup that ends at the first node, nearly all of them in a BGP-shaped
/// table, reads one place in memory after the direct array instead of two (a cache miss each in a large table).
/// </remarks>
internal sealed class Ipv4Poptrie
{
    private const int DirectBits = 18;
    private const int Stride = 6;

    // The slot of an address in the first node is (address << 32) >> FirstShift, low 6 bits; each level down 6 less.
    private const int FirstShift = 64 - DirectBits - Stride;

    // A link to a node at offset o is o * 2 + 1 when the node has children, o * 2 when not. A node with children holds
    // its child vector in o, o+1 (low, high half), its run-start vector in o+2, o+3, then one answer per run, then the
    // links to its children in slot order. A node without, nearly every one in a BGP-shaped table, holds only its
    // run-start vector in o, o+1 and its answers: fewer bytes and fewer steps on the commonest path.

    // An entry >= 0 is the node (rank) of the longest prefix covering those 2^14 addresses; < 0 is ~(link to a node).
    private readonly int[] direct;
    private readonly int[] trie;

    /// <param name="networks">Node i's network, nodes 1..count in preorder.</param>
    /// <param name="lengths">Node i's prefix length.</param>
    public Ipv4Poptrie(uint[] networks, byte[] lengths, int count)
    {
        direct = new int[1 << DirectBits];
        var builder = new Builder(networks, lengths);

        // In preorder a prefix's longer prefixes come after it, so filling in that order leaves each entry with its
        // longest cover; the prefixes longer than 18 bits inside one entry's block follow one another, after every
        // prefix that covers the block.
        var node = 1;
        while (node <= count)
        {
            int length = lengths[node];
            var block = (int)(networks[node] >> (32 - DirectBits));
            if (length <= DirectBits)
            {
                Fill(direct, block, 1 << (DirectBits - length), node);
                node++;
                continue;
            }

            var end = node + 1;
            while (end <= count && networks[end] >> (32 - DirectBits) == block)
            {
                end++;
            }

            direct[block] = ~builder.Build(node, end, FirstShift, direct[block], 0);
            node = end;
        }

        trie = builder.Trie.ToArray();
    }

    public int Find(uint address)
    {
        var entry = direct[address >> (32 - DirectBits)];
        if (entry >= 0)
        {
            return entry;
        }

        var nodes = trie;
        var key = (ulong)address << 32;
        var link = ~entry;
        for (var shift = FirstShift; ; shift -= Stride)
        {
            var node = link >> 1;
            var bit = 1UL << (int)((key >> shift) & 63);

            // The slot's run is the last one started at or before it; (bit << 1) - 1 is every slot up to this one (all
            // 64 for the last), so the count is the run's number from 1.
            if ((link & 1) == 0)
            {
                return nodes[node + 1 + Bits128.PopCount(Vector(nodes, node) & ((bit << 1) - 1))];
            }

            var children = Vector(nodes, node);
            var runStarts = Vector(nodes, node + 2);
            if ((children & bit) == 0)
            {
                return nodes[node + 3 + Bits128.PopCount(runStarts & ((bit << 1) - 1))];
            }

            link = nodes[node + 4 + Bits128.PopCount(runStarts) + Bits128.PopCount(children & (bit - 1))];
        }
    }

    private static ulong Vector(int[] nodes, int at) => ((ulong)(uint)nodes[at + 1] << 32) | (uint)nodes[at];

    private static void Fill(int[] array, int start, int count, int value)
    {
        for (var i = start; i < start + count; i++)
        {
            array[i] = value;
        }
    }

    private sealed class Builder
    {
        private readonly uint[] networks;
        private readonly byte[] lengths;

        // Per level, the slots' answers and where each child's prefixes start and end; reused, a level at a time.
        private readonly int[][] answers = { new int[64], new int[64], new int[64] };
        private readonly int[][] starts = { new int[64], new int[64], new int[64] };
        private readonly int[][] ends = { new int[64], new int[64], new int[64] };

        public Builder(uint[] networks, byte[] lengths)
        {
            this.networks = networks;
            this.lengths = lengths;
        }

        public List<int> Trie { get; } = new();

        // Appends the node for the prefixes [from, to), all inside its region and longer than its first bit, under
        // the answer that covers the whole region, then its children; returns the link to it.
        public int Build(int from, int to, int shift, int cover, int level)
        {
            // A prefix ending within this node's 6 bits fills its slots (later, longer ones overwrite); a longer one
            // belongs to its slot's child, where it and the rest of that slot's prefixes follow one another.
            var slotAnswers = answers[level];
            var childStarts = starts[level];
            var childEnds = ends[level];
            var lastBit = 64 - shift;
            for (var slot = 0; slot < 64; slot++)
            {
                slotAnswers[slot] = cover;
            }

            ulong children = 0;
            for (var node = from; node < to; node++)
            {
                var slot = (int)((((ulong)networks[node] << 32) >> shift) & 63);
                int length = lengths[node];
                if (length <= lastBit)
                {
                    Fill(slotAnswers, slot, 1 << (lastBit - length), node);
                    continue;
                }

                var bit = 1UL << slot;
                if ((children & bit) == 0)
                {
                    children |= bit;
                    childStarts[slot] = node;
                }

                childEnds[slot] = node + 1;
            }

            var offset = Trie.Count;
            if (children != 0)
            {
                Trie.Add((int)children);
                Trie.Add((int)(children >> 32));
            }

            var runsAt = Trie.Count;
            Trie.Add(0);
            Trie.Add(0);
            ulong runStarts = 0;
            var previous = -1;
            for (var slot = 0; slot < 64; slot++)
            {
                if ((children & (1UL << slot)) == 0 && slotAnswers[slot] != previous)
                {
                    runStarts |= 1UL << slot;
                    previous = slotAnswers[slot];
                    Trie.Add(previous);
                }
            }

            Trie[runsAt] = (int)runStarts;
            Trie[runsAt + 1] = (int)(runStarts >> 32);

            // The links take their places first, then each child is appended with its slot's answer as cover.
            var link = Trie.Count;
            for (var slot = 0; slot < 64; slot++)
            {
                if ((children & (1UL << slot)) != 0)
                {
                    Trie.Add(0);
                }
            }

            for (var slot = 0; slot < 64; slot++)
            {
                if ((children & (1UL << slot)) != 0)
                {
                    Trie[link++] = Build(childStarts[slot], childEnds[slot], shift - Stride, slotAnswers[slot], level + 1);
                }
            }

            return checked((offset * 2) + (children != 0 ? 1 : 0));
        }
    }
}

using System.Collections.Generic;

namespace PSLoopback.Routing;

/// <summary>
/// The IPv4 longest-match index of a <see cref="PrefixTable{T}"/>: from an address to the node (preorder rank,
/// 1..count, 0 for none) of the longest stored prefix containing it.
/// </summary>
/// <remarks>
/// A poptrie (after Asai and Ohara, SIGCOMM 2015). The top 18 bits index a direct array (1 MB) whose entry is either
/// the answer or an internal node; an internal node splits the next 6 bits into 64 slots with two bit vectors, one
/// marking the slots that go on to a child node, one marking where a new run of equal answers starts among the others.
/// A node's children, and its answers, sit side by side in their arrays, so a slot's child or answer is found by
/// counting the set bits below it: no 64-entry arrays, where most slots would repeat their neighbour. 18 bits, not 16,
/// because then a /24, the commonest length, ends on the first node's slots, and a lookup over a BGP table mostly
/// reads one node; the longest path is the array, three nodes (bits 18-23, 24-29, 30-31) and an answer.
/// </remarks>
internal sealed class Ipv4Poptrie
{
    private const int DirectBits = 18;
    private const int Stride = 6;

    // The slot of an address in the first node is (address << 32) >> FirstShift, low 6 bits; each level down 6 less.
    private const int FirstShift = 64 - DirectBits - Stride;

    // An entry >= 0 is the node (rank) of the longest prefix covering those 2^14 addresses; < 0 is ~(internal node).
    private readonly int[] direct;
    private readonly TrieNode[] nodes;
    private readonly int[] leaves;

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

            direct[block] = ~builder.Root(node, end, FirstShift, direct[block]);
            node = end;
        }

        nodes = builder.Nodes.ToArray();
        leaves = builder.Leaves.ToArray();
    }

    public int Find(uint address)
    {
        var entry = direct[address >> (32 - DirectBits)];
        if (entry >= 0)
        {
            return entry;
        }

        var key = (ulong)address << 32;
        var index = ~entry;
        for (var shift = FirstShift; ; shift -= Stride)
        {
            ref readonly var node = ref nodes[index];
            var bit = 1UL << (int)((key >> shift) & 63);
            if ((node.Children & bit) == 0)
            {
                // The run this slot belongs to is the last one started at or before it; (bit << 1) - 1 is every slot up
                // to this one, all 64 for the last.
                return leaves[node.LeafBase + Bits128.PopCount(node.RunStarts & ((bit << 1) - 1)) - 1];
            }

            index = node.ChildBase + Bits128.PopCount(node.Children & (bit - 1));
        }
    }

    private static void Fill(int[] array, int start, int count, int value)
    {
        for (var i = start; i < start + count; i++)
        {
            array[i] = value;
        }
    }

    private readonly struct TrieNode
    {
        public TrieNode(ulong children, ulong runStarts, int leafBase, int childBase)
        {
            Children = children;
            RunStarts = runStarts;
            LeafBase = leafBase;
            ChildBase = childBase;
        }

        // Bit s set: slot s goes on to a child node.
        public ulong Children { get; }

        // Bit s set: slot s is an answer slot whose answer differs from the previous answer slot's (or is the first).
        public ulong RunStarts { get; }

        public int LeafBase { get; }

        public int ChildBase { get; }
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

        public List<TrieNode> Nodes { get; } = new();

        public List<int> Leaves { get; } = new();

        // A node for the prefixes [from, to), all inside its region and longer than its first bit, under the
        // answer that covers the whole region.
        public int Root(int from, int to, int shift, int cover)
        {
            var index = Nodes.Count;
            Nodes.Add(default);
            Build(index, from, to, shift, cover, 0);
            return index;
        }

        private void Build(int index, int from, int to, int shift, int cover, int level)
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

            ulong runStarts = 0;
            var leafBase = Leaves.Count;
            var previous = -1;
            for (var slot = 0; slot < 64; slot++)
            {
                if ((children & (1UL << slot)) == 0 && slotAnswers[slot] != previous)
                {
                    runStarts |= 1UL << slot;
                    previous = slotAnswers[slot];
                    Leaves.Add(previous);
                }
            }

            // The children first take their places side by side, then each is built with its slot's answer as cover.
            var childBase = Nodes.Count;
            for (var slot = 0; slot < 64; slot++)
            {
                if ((children & (1UL << slot)) != 0)
                {
                    Nodes.Add(default);
                }
            }

            Nodes[index] = new TrieNode(children, runStarts, leafBase, childBase);
            var child = childBase;
            for (var slot = 0; slot < 64; slot++)
            {
                if ((children & (1UL << slot)) != 0)
                {
                    Build(child++, childStarts[slot], childEnds[slot], shift - Stride, slotAnswers[slot], level + 1);
                }
            }
        }
    }
}

using System.Collections.Generic;
using System.Runtime.CompilerServices;

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
/// them repeats. 18 bits, not 16, because a /24, the commonest length, then ends on the first node's slots (the
/// longest path is the array, three nodes over bits 18-23, 24-29, 30-31, and an answer); at 1,000,000 BGP-shaped
/// prefixes 16 bits made the nodes 17.7 MB instead of 11.7 and the lookups slower. A table of up to 4,096 prefixes
/// indexes 16 bits (256 KB) and then, for a block holding longer prefixes, a plain 256-entry chunk over bits 16-23
/// (the previous structure's 16-8 levels), nodes over bits 24-29, 30-31 after it: a /24 is then two plain reads,
/// where 6-bit nodes over bits 16-21, 22-27 took two nodes and three software popcounts (4.5 times slower at 1,000
/// prefixes); a small table stays small (a chunk a 16-bit block, at most 4 MB), its arrays stay in the cache, and the
/// resolver's tiny per-call tables do not allocate 1 MB each.
/// Unlike the paper's fixed-size nodes with their answers and children in other arrays, a node's answers and child
/// links follow its vectors in one array, so a lookup that ends at the first node, nearly all of them, reads one
/// place in memory after the direct array instead of two (a cache miss each in a large table). A node without
/// children keeps its run starts with a running count every 8 slots, so that lookup counts 8 bits from a small table
/// instead of 64 with the software popcount (netstandard2.0 has no popcount instruction).
/// Past 262,144 prefixes (about one a block) a lookup starts at a /24 level of 4-bit codes (8 MB) and a base per
/// 18-bit block (2 MB), both found from the address alone: the code is the answer's offset from the block's first
/// prefix, or the block's cover. At a million BGP-shaped prefixes a lookup then waits on two cache misses in a row (the
/// code, the value) instead of three (the direct array, the node, the value), and few operations wait on them, so the
/// processor overlaps more lookups. Only a /24 holding a longer prefix, or any /24 of a block whose answers lie more
/// than 13 past its first, goes on through the direct array to the block's node as before.
/// </remarks>
internal sealed class Ipv4Poptrie
{
    private const int Stride = 6;

    // Tables up to this many prefixes index 16 bits directly, then 8 through chunks; the rest 18. Bounds the chunks
    // (1 KB each, at most one a prefix) to 4 MB.
    private const int SmallTable = 1 << 12;

    private const int ChunkBits = 8;

    // Tables over this many prefixes, about one for each 18-bit block, keep a /24 level (10 MB). Below it the direct
    // array and the nodes are smaller than that and stay in the caches, and faster.
    private const int LargeTable = 1 << 18;

    // A /24's code in the level: below CoverCode, the offset of its answer from its block's first prefix inside;
    // CoverCode, the block's cover; NodeCode, a /24 with longer prefixes inside, or in a block whose answers lie too
    // far from its first, answered by the block's node.
    private const int CoverCode = 14;
    private const int NodeCode = 15;

    // A link to a node at offset o is o * 4 + 1 when the node has children, o * 4 when not; a direct entry's link to
    // chunk c is c * 4 + 2, so a large table's commonest case, a childless node, is tested first. A node with children holds
    // its child vector in o, o+1 (low, high half), its run-start vector in o+2, o+3, then one answer per run, then the
    // links to its children in slot order. A node without, nearly every one in a BGP-shaped table, holds its run
    // starts as 8 groups of 8 slots, 16 bits a group and two groups an int (the runs started in the groups before,
    // then the group's own run-start bits), then its answers.
    private const int FlatHeader = 4;

    // Entry (bits << 3) | j: how many of the 8 bits are set up to and including bit j.
    private static readonly byte[] RunsUpTo = CountsUpTo();

    // An entry >= 0 is the node (rank) of the longest prefix covering its block of addresses; < 0 is ~(link to a node).
    private readonly int[] direct;
    private readonly int[] trie;

    // Large tables only (else null), a /24 level: 4 bits for each /24 (16 to a number, so address >> 12 picks the
    // number and bits 8-11 the code), and for each 18-bit block its first prefix inside (low half) and the step from
    // first + CoverCode to its cover (high half). Both reads are found from the address alone and made at once, and
    // the answer follows in a few operations; a NodeCode (under 1 % of lookups at a million BGP-shaped prefixes) goes
    // on to the block's node, linked from the direct array.
    private readonly ulong[]? codes;
    private readonly ulong[]? bases;

    // Small tables only (else null): chunk c's entry for bits 16-23 at (c << 8) | those bits, an answer or a link as in
    // the direct array.
    private readonly int[]? chunks;

    // An address's direct entry is address >> directShift; its slot in the first node is (address << 32) >> firstShift,
    // low 6 bits, and each level down 6 less; address >> firstSlotShift is the same first slot.
    private readonly int directShift;
    private readonly int firstShift;
    private readonly int firstSlotShift;

    /// <param name="networks">Node i's network, nodes 1..count in preorder.</param>
    /// <param name="lengths">Node i's prefix length.</param>
    public Ipv4Poptrie(uint[] networks, byte[] lengths, int count)
    {
        var small = count <= SmallTable;
        var directBits = small ? 16 : 18;
        var firstBit = small ? directBits + ChunkBits : directBits;
        directShift = 32 - directBits;
        firstShift = 64 - firstBit - Stride;
        firstSlotShift = 32 - firstBit - Stride;
        direct = new int[1 << directBits];
        var builder = new Builder(networks, lengths);
        var chunkList = small ? new List<int>() : null;
        codes = count > LargeTable ? new ulong[1 << (directBits + Stride - 4)] : null;
        bases = codes is not null ? new ulong[1 << directBits] : null;
        var inLevel = codes is not null ? new bool[1 << directBits] : null;
        var blockCodes = new ulong[4];

        // In preorder a prefix's longer prefixes come after it, so filling in that order leaves each entry with its
        // longest cover; the prefixes longer than the direct bits inside one entry's block follow one another, after every
        // prefix that covers the block.
        var node = 1;
        while (node <= count)
        {
            int length = lengths[node];
            var block = (int)(networks[node] >> directShift);
            if (length <= directBits)
            {
                Fill(direct, block, 1 << (directBits - length), node);
                node++;
                continue;
            }

            var end = node + 1;
            while (end <= count && networks[end] >> directShift == block)
            {
                end++;
            }

            var needsNode = true;
            if (codes is not null)
            {
                needsNode = Level(builder, blockCodes, block, node, end, direct[block]);
                inLevel![block] = true;
            }

            if (needsNode)
            {
                direct[block] = ~(chunkList is null ? builder.Build(node, end, firstShift, direct[block], 0) : Chunk(chunkList, builder, node, end, direct[block]));
            }

            node = end;
        }

        trie = builder.Trie.ToArray();
        chunks = chunkList?.ToArray();
        if (codes is not null)
        {
            // The other blocks: every /24 the block's answer, as its cover.
            for (var block = 0; block < direct.Length; block++)
            {
                if (!inLevel![block])
                {
                    bases![block] = Base(0, direct[block]);
                    for (var word = 4 * block; word < 4 * (block + 1); word++)
                    {
                        codes[word] = 0x1111111111111111UL * CoverCode;
                    }
                }
            }
        }
    }

    // Small enough to inline into the caller's loop: a large table's level; else the array, a small table's chunk,
    // then a childless node, nearly every lookup in a BGP-shaped table; a node with children goes on in Descend.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(uint address)
    {
        var level = codes;
        if (level is not null)
        {
            return FromLevel(level, address);
        }

        var entry = direct[address >> directShift];
        if (entry >= 0)
        {
            return entry;
        }

        var link = ~entry;
        if ((link & 3) == 0)
        {
            return Flat(trie, link >> 2, (int)(address >> firstSlotShift) & 63);
        }

        if ((link & 2) != 0)
        {
            entry = chunks![((link >> 2) << ChunkBits) | (int)((address >> (32 - 16 - ChunkBits)) & 0xFF)];
            if (entry >= 0)
            {
                return entry;
            }

            link = ~entry;
            if ((link & 1) == 0)
            {
                return Flat(trie, link >> 2, (int)(address >> firstSlotShift) & 63);
            }
        }

        return Descend(address, link);
    }

    // At a million prefixes both reads miss the cache, and so does the value after them: what bounds the rate is how
    // many lookups' misses the processor keeps in flight, and that shrinks with every operation waiting on a read. So
    // the code is two shifts from its read, the node's branch is taken by under 1 % of lookups, and the cover is
    // chosen without a branch: a mispredicted one, about every other lookup, would also discard the reads of the
    // lookups after it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int FromLevel(ulong[] level, uint address)
    {
        var code = (int)(level[address >> 12] >> (int)((address >> 6) & 60)) & NodeCode;
        if (code == NodeCode)
        {
            return Descend(address, ~direct[address >> directShift]);
        }

        // The JIT makes a branch of a conditional here, not a conditional move.
        var both = bases![address >> 14];
        var isCover = -((code + 2) >> 4);
        return (int)(uint)both + code + ((int)(both >> 32) & isCover);
    }

    // A block's first prefix inside, and what turns first + CoverCode into its cover.
    private static ulong Base(int first, int cover) => (uint)first | ((ulong)(uint)(cover - first - CoverCode) << 32);

    // Writes the level's codes and base for a block with prefixes [from, to) longer than 18 bits, under the block's
    // cover; true when some /24 needs the block's node (it has longer prefixes inside, or the block's answers lie
    // more than 13 past its first, and then every /24 goes to the node).
    private bool Level(Builder builder, ulong[] blockCodes, int block, int from, int to, int cover)
    {
        var children = builder.Plan(from, to, firstShift, cover, 0);
        var slotAnswers = builder.Answers(0);
        var tooFar = false;
        System.Array.Clear(blockCodes, 0, blockCodes.Length);
        for (var slot = 0; slot < 64 && !tooFar; slot++)
        {
            // Every prefix inside the block comes after its cover in preorder, so the two never meet.
            var answer = slotAnswers[slot];
            var child = ((children >> slot) & 1) != 0;
            var code = child ? NodeCode : answer == cover ? CoverCode : answer - from;
            tooFar = !child && answer != cover && code >= CoverCode;
            blockCodes[slot >> 4] |= (ulong)code << ((slot & 15) * 4);
        }

        for (var word = 0; word < blockCodes.Length; word++)
        {
            codes![(4 * block) + word] = tooFar ? ulong.MaxValue : blockCodes[word];
        }

        bases![block] = Base(from, cover);
        return tooFar || children != 0;
    }

    // Slot s's group (s / 8) gives the runs started before it and its own 8 run-start bits; a table counts those up
    // to the slot. Cheaper than a 64-bit count, which would be most of a lookup's work.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Flat(int[] nodes, int node, int slot)
    {
        var group = (uint)nodes[node + (slot >> 4)] >> ((slot & 8) << 1);
        return nodes[node + FlatHeader - 1 + (int)((group >> 8) & 0xFF) + RunsUpTo[(int)((group & 0xFF) << 3) | (slot & 7)]];
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int Descend(uint address, int link)
    {
        var nodes = trie;
        var key = (ulong)address << 32;
        for (var shift = firstShift; ; shift -= Stride)
        {
            var node = link >> 2;
            var slot = (int)(key >> shift) & 63;
            if ((link & 1) == 0)
            {
                return Flat(nodes, node, slot);
            }

            // Shifted left by this, a vector keeps the slots up to this one, in its top bits: the run starts among them
            // count the slot's run from 1.
            var upTo = slot ^ 63;
            var children = Vector(nodes, node);
            var runStarts = Vector(nodes, node + 2);
            if (((children >> slot) & 1) == 0)
            {
                return nodes[node + 3 + Bits128.PopCount(runStarts << upTo)];
            }

            link = nodes[node + 4 + Bits128.PopCount(runStarts) + Bits128.PopCount((children << upTo) << 1)];
        }
    }

    // Appends the chunk of one 16-bit block for the prefixes [from, to), all longer than 16 bits, under the block's
    // cover, and the nodes under it; returns the link to it. Same preorder filling as the direct array, 8 bits further.
    private int Chunk(List<int> chunkList, Builder builder, int from, int to, int cover)
    {
        var chunk = chunkList.Count >> ChunkBits;
        var start = chunkList.Count;
        for (var slot = 0; slot < 1 << ChunkBits; slot++)
        {
            chunkList.Add(cover);
        }

        const int lastBit = 16 + ChunkBits;
        var node = from;
        while (node < to)
        {
            int length = builder.Lengths[node];
            var slot = (int)(builder.Networks[node] >> (32 - lastBit)) & 0xFF;
            if (length <= lastBit)
            {
                for (var i = slot; i < slot + (1 << (lastBit - length)); i++)
                {
                    chunkList[start + i] = node;
                }

                node++;
                continue;
            }

            var end = node + 1;
            while (end < to && builder.Networks[end] >> (32 - lastBit) == builder.Networks[node] >> (32 - lastBit))
            {
                end++;
            }

            chunkList[start + slot] = ~builder.Build(node, end, firstShift, chunkList[start + slot], 0);
            node = end;
        }

        return (chunk * 4) + 2;
    }

    private static byte[] CountsUpTo()
    {
        var counts = new byte[256 * 8];
        for (var bits = 0; bits < 256; bits++)
        {
            for (var j = 0; j < 8; j++)
            {
                counts[(bits << 3) | j] = (byte)Bits128.PopCount((ulong)bits & ((2UL << j) - 1));
            }
        }

        return counts;
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

        // The answers of the node being written, one per run; written out before any child is built.
        private readonly int[] runs = new int[64];

        public Builder(uint[] networks, byte[] lengths)
        {
            this.networks = networks;
            this.lengths = lengths;
        }

        public uint[] Networks => networks;

        public byte[] Lengths => lengths;

        public List<int> Trie { get; } = new();

        // Appends the node for the prefixes [from, to), all inside its region and longer than its first bit, under
        // the answer that covers the whole region, then its children; returns the link to it.
        public int Build(int from, int to, int shift, int cover, int level)
        {
            var slotAnswers = answers[level];
            var childStarts = starts[level];
            var childEnds = ends[level];
            var children = Plan(from, to, shift, cover, level);
            ulong runStarts = 0;
            var runCount = 0;
            var previous = -1;
            for (var slot = 0; slot < 64; slot++)
            {
                if ((children & (1UL << slot)) == 0 && slotAnswers[slot] != previous)
                {
                    runStarts |= 1UL << slot;
                    previous = slotAnswers[slot];
                    runs[runCount++] = previous;
                }
            }

            var offset = Trie.Count;
            if (children != 0)
            {
                Trie.Add((int)children);
                Trie.Add((int)(children >> 32));
                Trie.Add((int)runStarts);
                Trie.Add((int)(runStarts >> 32));
            }
            else
            {
                var before = 0;
                for (var pair = 0; pair < FlatHeader; pair++)
                {
                    var word = 0;
                    for (var half = 0; half < 2; half++)
                    {
                        var bits = (int)((runStarts >> (((2 * pair) + half) * 8)) & 0xFF);
                        word |= ((before << 8) | bits) << (16 * half);
                        before += Bits128.PopCount((ulong)bits);
                    }

                    Trie.Add(word);
                }
            }

            for (var run = 0; run < runCount; run++)
            {
                Trie.Add(runs[run]);
            }

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

            return checked((offset * 4) + (children != 0 ? 1 : 0));
        }

        // The answers of the 64 slots of the node for the prefixes [from, to) under cover, in Answers(level), and
        // where each child's prefixes start and end; returns the slots that go on to a child.
        public ulong Plan(int from, int to, int shift, int cover, int level)
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

            return children;
        }

        public int[] Answers(int level) => answers[level];
    }
}

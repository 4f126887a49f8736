namespace PSLoopback.Routing;

/// <summary>
/// The IPv4 longest-match index of a <see cref="PrefixTable{T}"/>: from an address to the node (preorder rank,
/// 1..count, 0 for none) of the longest stored prefix containing it.
/// </summary>
/// <remarks>
/// A 16-8-8 multibit trie with leaf pushing: a 2^16-entry first level (256 KB, stays in cache) and 256-entry chunks
/// only under the /16s and /24s that hold longer prefixes, so a lookup is at most three array reads and a small table
/// stays small, where a DIR-24-8 first level alone costs 64 MB.
/// </remarks>
internal sealed class Ipv4Index
{
    private const int ChunkBits = 8;
    private const int ChunkSize = 1 << ChunkBits;

    // An entry >= 0 is the node of the longest prefix covering that slot; < 0 is ~(chunk number) in the next level.
    private readonly int[] level16;
    private readonly int[] level24;
    private readonly int[] level32;

    /// <param name="networks">Node i's network in the top 32 bits of entry i, nodes 1..count in preorder.</param>
    /// <param name="lengths">Node i's prefix length.</param>
    public Ipv4Index(ulong[] networks, byte[] lengths, int count)
    {
        // Filling in preorder leaves each slot with its longest covering prefix: a prefix's longer prefixes come after
        // it, and a prefix of 16 bits or fewer never lands on a chunk, since only the prefixes it contains come between.
        int chunks24 = 0, chunks32 = 0;
        long last16 = -1, last24 = -1;
        for (var node = 1; node <= count; node++)
        {
            var network = (uint)(networks[node] >> 32);
            if (lengths[node] > 16 && network >> 16 != last16)
            {
                chunks24++;
                last16 = network >> 16;
            }

            if (lengths[node] > 24 && network >> 8 != last24)
            {
                chunks32++;
                last24 = network >> 8;
            }
        }

        level16 = new int[1 << 16];
        level24 = new int[checked(chunks24 * ChunkSize)];
        level32 = new int[checked(chunks32 * ChunkSize)];
        int used24 = 0, used32 = 0;
        for (var node = 1; node <= count; node++)
        {
            var network = (uint)(networks[node] >> 32);
            int length = lengths[node];
            if (length <= 16)
            {
                Fill(level16, (int)(network >> 16), 1 << (16 - length), node);
                continue;
            }

            var slot = (Descend(level16, (int)(network >> 16), level24, ref used24) << ChunkBits) | (int)((network >> 8) & 0xFF);
            if (length <= 24)
            {
                Fill(level24, slot, 1 << (24 - length), node);
                continue;
            }

            slot = (Descend(level24, slot, level32, ref used32) << ChunkBits) | (int)(network & 0xFF);
            Fill(level32, slot, 1 << (32 - length), node);
        }
    }

    public int Find(uint address)
    {
        var entry = level16[address >> 16];
        if (entry < 0)
        {
            entry = level24[(~entry << ChunkBits) | (int)((address >> 8) & 0xFF)];
            if (entry < 0)
            {
                entry = level32[(~entry << ChunkBits) | (int)(address & 0xFF)];
            }
        }

        return entry;
    }

    private static void Fill(int[] array, int start, int count, int value)
    {
        for (var i = start; i < start + count; i++)
        {
            array[i] = value;
        }
    }

    // The chunk below a slot, made on first use and filled with the slot's prefix, which covers all of it.
    private static int Descend(int[] level, int slot, int[] next, ref int used)
    {
        var entry = level[slot];
        if (entry < 0)
        {
            return ~entry;
        }

        var chunk = used++;
        Fill(next, chunk << ChunkBits, ChunkSize, entry);
        level[slot] = ~chunk;
        return chunk;
    }
}

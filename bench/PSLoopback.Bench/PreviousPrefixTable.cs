using System;
using System.Collections.Generic;
using System.Net;
using PSLoopback.Addressing;

namespace PSLoopback.Bench;

/// <summary>
/// The longest-prefix-match structure PrefixTable used before issue 11 (a 16-8-8 multibit trie for IPv4, a binary
/// Patricia trie for IPv6), kept here as the same-run baseline for the lookup, memory and build benchmarks. Only what
/// they measure is kept: building and the two fast lookups.
/// </summary>
public sealed class PreviousPrefixTable<T>
    where T : class
{
    // Design. The prefixes are kept sorted in preorder (network ascending, shorter first), where one stack pass gives
    // each its nearest covering prefix; Matches() and Get() walk those links from the longest match.
    // IPv4 looks up in a 16-8-8 multibit trie with leaf pushing: a 2^16-entry first level (256 KB, stays in cache)
    // and 256-entry chunks only under the /16s and /24s that hold longer prefixes, so a lookup is at most three array
    // reads and a small table stays small, where a DIR-24-8 first level alone costs 64 MB.
    // IPv6 uses a path-compressed binary (Patricia) trie built from the same order: one node per prefix plus one per
    // branching, about log2(n) nodes visited, each checked against the address so no backtracking is needed. It is
    // several times slower than IPv4's levels, but 256-entry chunks along 128-bit, mostly unique paths would cost
    // gigabytes at a million prefixes.
    // No unsafe code: bounds checks are cheap next to the cache misses that dominate a lookup.

    private const int ChunkBits = 8;
    private const int ChunkSize = 1 << ChunkBits;
    private const int NoChild = -1;

    // Node 0 stands for "no prefix" (its value is null, its length 0), so a miss needs no branch; nodes 1..Count are
    // the stored prefixes in preorder.
    private readonly T?[] values;

    // IPv4 networks sit in the top 32 bits of networkHigh, so both families sort and compare alike.
    private readonly ulong[] networkHigh;
    private readonly ulong[] networkLow;
    private readonly byte[] lengths;

    // The nearest stored prefix that contains the node's, 0 where none does.
    private readonly int[] covering;

    // IPv4 levels: an entry >= 0 is the node of the longest prefix covering that slot; < 0 is ~(chunk number) in the
    // next level. Empty in an IPv6 table.
    private readonly int[] level16;
    private readonly int[] level24;
    private readonly int[] level32;

    // IPv6 trie, root at 0; empty in an IPv4 table and in an empty table.
    private readonly TrieNode[] trie;

    private PreviousPrefixTable(IPAddressFamily family, List<Entry> sorted, List<T> given)
    {
        Family = family;
        Count = sorted.Count;
        values = new T?[Count + 1];
        networkHigh = new ulong[Count + 1];
        networkLow = new ulong[Count + 1];
        lengths = new byte[Count + 1];
        covering = new int[Count + 1];

        var chain = new int[129];
        var depth = 0;
        for (var node = 1; node <= Count; node++)
        {
            var entry = sorted[node - 1];
            values[node] = given[entry.Source];
            networkHigh[node] = entry.High;
            networkLow[node] = entry.Low;
            lengths[node] = (byte)entry.Length;

            // The chain holds the previous node and the stored prefixes that contain it, shortest first; in preorder
            // every prefix containing this node is among them.
            while (depth > 0 && !Contains(chain[depth - 1], node))
            {
                depth--;
            }

            covering[node] = depth > 0 ? chain[depth - 1] : 0;
            chain[depth++] = node;
        }

        if (family == IPAddressFamily.IPv4)
        {
            BuildLevels(out level16, out level24, out level32);
            trie = Array.Empty<TrieNode>();
        }
        else
        {
            level16 = level24 = level32 = Array.Empty<int>();
            var nodes = new TrieNode[Math.Max(0, (2 * Count) - 1)];
            var used = 0;
            if (Count > 0)
            {
                BuildTrie(nodes, ref used, 1, Count + 1);
            }

            Array.Resize(ref nodes, used);
            trie = nodes;
        }
    }

    public IPAddressFamily Family { get; }

    public int Count { get; }

    /// <summary>Builds a table. Throws <see cref="ArgumentException"/> on a prefix given twice, a prefix of the
    /// other family or a null value.</summary>
    public static PreviousPrefixTable<T> Build(IPAddressFamily family, IEnumerable<KeyValuePair<IPPrefix, T>> entries)
    {
        if (entries is null)
        {
            throw new ArgumentNullException(nameof(entries));
        }

        if (family != IPAddressFamily.IPv4 && family != IPAddressFamily.IPv6)
        {
            throw new ArgumentOutOfRangeException(nameof(family), family, "The family is IPv4 or IPv6.");
        }

        var capacity = entries is ICollection<KeyValuePair<IPPrefix, T>> collection ? collection.Count : 0;
        var sorted = new List<Entry>(capacity);
        var given = new List<T>(capacity);
        foreach (var entry in entries)
        {
            var prefix = entry.Key;
            if (prefix.AddressFamily != family)
            {
                throw new ArgumentException($"{prefix} is an {prefix.AddressFamily} prefix; this table holds {family} prefixes.", nameof(entries));
            }

            if (entry.Value is null)
            {
                throw new ArgumentException($"The value for {prefix} is null.", nameof(entries));
            }

            ToNumbers(prefix.Network, out var high, out var low);
            sorted.Add(new Entry(high, low, prefix.Length, given.Count));
            given.Add(entry.Value);
        }

        sorted.Sort(PreorderComparer.Instance);
        for (var i = 1; i < sorted.Count; i++)
        {
            if (PreorderComparer.Instance.Compare(sorted[i - 1], sorted[i]) == 0)
            {
                var duplicate = ToPrefix(family, sorted[i].High, sorted[i].Low, sorted[i].Length);
                throw new ArgumentException($"The prefix {duplicate} appears more than once.", nameof(entries));
            }
        }

        return new PreviousPrefixTable<T>(family, sorted, given);
    }

    /// <summary>The value of the longest prefix containing an IPv4 address given as a number, first octet most
    /// significant; null when none does or the table is IPv6.</summary>
    public T? LongestMatch(uint ipv4) => Family == IPAddressFamily.IPv4 ? values[Node4(ipv4)] : null;

    /// <summary>The value of the longest prefix containing an IPv6 address given as two numbers, bytes 0-7 in
    /// <paramref name="high"/> and 8-15 in <paramref name="low"/>, most significant first; null when none does or the
    /// table is IPv4.</summary>
    public T? LongestMatch(ulong high, ulong low) => Family == IPAddressFamily.IPv6 ? values[Node6(high, low)] : null;

    private static void ToNumbers(IPAddress address, out ulong high, out ulong low)
    {
        var bytes = address.GetAddressBytes();
        high = ReadBigEndian(bytes, 0, Math.Min(bytes.Length, 8)) << (bytes.Length == 4 ? 32 : 0);
        low = bytes.Length == 16 ? ReadBigEndian(bytes, 8, 8) : 0;
    }

    private static ulong ReadBigEndian(byte[] bytes, int offset, int count)
    {
        ulong result = 0;
        for (var i = 0; i < count; i++)
        {
            result = (result << 8) | bytes[offset + i];
        }

        return result;
    }

    private static IPPrefix ToPrefix(IPAddressFamily family, ulong high, ulong low, int length)
    {
        var bytes = new byte[family == IPAddressFamily.IPv4 ? 4 : 16];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(i < 8 ? high >> (56 - (8 * i)) : low >> (56 - (8 * (i - 8))));
        }

        return new IPPrefix(new IPAddress(bytes), length);
    }

    private static ulong MaskHigh(int length) => length >= 64 ? ulong.MaxValue : ~(ulong.MaxValue >> length);

    private static ulong MaskLow(int length) => length >= 128 ? ulong.MaxValue : length <= 64 ? 0 : ~(ulong.MaxValue >> (length - 64));

    private static int Bit(ulong high, ulong low, int index) =>
        (int)(index < 64 ? (high >> (63 - index)) & 1 : (low >> (127 - index)) & 1);

    private static int CommonLength(ulong aHigh, ulong aLow, ulong bHigh, ulong bLow)
    {
        var difference = aHigh ^ bHigh;
        if (difference != 0)
        {
            return LeadingZeros(difference);
        }

        difference = aLow ^ bLow;
        return difference == 0 ? 128 : 64 + LeadingZeros(difference);
    }

    // netstandard2.0 has no BitOperations; only construction counts bits.
    private static int LeadingZeros(ulong value)
    {
        var count = 0;
        for (var shift = 32; shift > 0; shift >>= 1)
        {
            if (value >> (64 - shift) == 0)
            {
                count += shift;
                value <<= shift;
            }
        }

        return count;
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

    private int Node4(uint address)
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

    private int Node6(ulong high, ulong low)
    {
        var nodes = trie;
        var best = 0;
        var index = nodes.Length == 0 ? NoChild : 0;
        while (index != NoChild)
        {
            ref readonly var node = ref nodes[index];

            // A node's key is a prefix of every key below it, so once the address leaves it nothing below matches.
            if (((high ^ node.High) & MaskHigh(node.Length)) != 0 || ((low ^ node.Low) & MaskLow(node.Length)) != 0)
            {
                break;
            }

            if (node.Prefix != 0)
            {
                best = node.Prefix;
            }

            if (node.Length == 128)
            {
                break;
            }

            index = Bit(high, low, node.Length) == 0 ? node.Zero : node.One;
        }

        return best;
    }

    private bool Contains(int outer, int inner)
    {
        int length = lengths[outer];
        return length < lengths[inner]
            && ((networkHigh[outer] ^ networkHigh[inner]) & MaskHigh(length)) == 0
            && ((networkLow[outer] ^ networkLow[inner]) & MaskLow(length)) == 0;
    }

    // Filling in preorder leaves each slot with its longest covering prefix: a prefix's longer prefixes come after it,
    // and a prefix of 16 bits or fewer never lands on a chunk, since only the prefixes it contains come between.
    private void BuildLevels(out int[] first, out int[] second, out int[] third)
    {
        int chunks24 = 0, chunks32 = 0;
        long last16 = -1, last24 = -1;
        for (var node = 1; node <= Count; node++)
        {
            var network = (uint)(networkHigh[node] >> 32);
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

        first = new int[1 << 16];
        second = new int[checked(chunks24 * ChunkSize)];
        third = new int[checked(chunks32 * ChunkSize)];
        int used24 = 0, used32 = 0;
        for (var node = 1; node <= Count; node++)
        {
            var network = (uint)(networkHigh[node] >> 32);
            int length = lengths[node];
            if (length <= 16)
            {
                Fill(first, (int)(network >> 16), 1 << (16 - length), node);
                continue;
            }

            var slot = (Descend(first, (int)(network >> 16), second, ref used24) << ChunkBits) | (int)((network >> 8) & 0xFF);
            if (length <= 24)
            {
                Fill(second, slot, 1 << (24 - length), node);
                continue;
            }

            slot = (Descend(second, slot, third, ref used32) << ChunkBits) | (int)(network & 0xFF);
            Fill(third, slot, 1 << (32 - length), node);
        }
    }

    // Builds the subtree for nodes [from, to), which share their leading bits, and returns its root. The node's
    // length is where the first and last network part or the shortest prefix ends; the shortest sorts first.
    private int BuildTrie(TrieNode[] nodes, ref int used, int from, int to)
    {
        var first = from;
        var length = Math.Min(CommonLength(networkHigh[first], networkLow[first], networkHigh[to - 1], networkLow[to - 1]), lengths[first]);
        var index = used++;
        var prefix = 0;
        if (lengths[from] == length)
        {
            prefix = from++;
        }

        int zero = NoChild, one = NoChild;
        if (from < to)
        {
            // Below the shared bits the zero side sorts before the one side; a length of 128 cannot get here, as a
            // second node would be a duplicate.
            int low = from, high = to;
            while (low < high)
            {
                var middle = low + ((high - low) / 2);
                if (Bit(networkHigh[middle], networkLow[middle], length) == 0)
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle;
                }
            }

            if (low > from)
            {
                zero = BuildTrie(nodes, ref used, from, low);
            }

            if (low < to)
            {
                one = BuildTrie(nodes, ref used, low, to);
            }
        }

        nodes[index] = new TrieNode(networkHigh[first] & MaskHigh(length), networkLow[first] & MaskLow(length), length, prefix, zero, one);
        return index;
    }

    private readonly struct Entry
    {
        public Entry(ulong high, ulong low, int length, int source)
        {
            High = high;
            Low = low;
            Length = length;
            Source = source;
        }

        public ulong High { get; }

        public ulong Low { get; }

        public int Length { get; }

        // Where the value sits in the order the caller gave.
        public int Source { get; }
    }

    private readonly struct TrieNode
    {
        public TrieNode(ulong high, ulong low, int length, int prefix, int zero, int one)
        {
            High = high;
            Low = low;
            Length = length;
            Prefix = prefix;
            Zero = zero;
            One = one;
        }

        // The bits every address below this node shares, up to Length; the rest zero.
        public ulong High { get; }

        public ulong Low { get; }

        public int Length { get; }

        // The stored prefix that ends here, 0 for a node that only branches.
        public int Prefix { get; }

        public int Zero { get; }

        public int One { get; }
    }

    private sealed class PreorderComparer : IComparer<Entry>
    {
        public static readonly PreorderComparer Instance = new();

        public int Compare(Entry x, Entry y)
        {
            var order = x.High.CompareTo(y.High);
            if (order == 0)
            {
                order = x.Low.CompareTo(y.Low);
            }

            return order != 0 ? order : x.Length.CompareTo(y.Length);
        }
    }
}

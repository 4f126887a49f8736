using System;

namespace PSLoopback.Routing;

/// <summary>
/// The IPv6 longest-match index of a <see cref="PrefixTable{T}"/>: from an address to the node (preorder rank,
/// 1..count, 0 for none) of the longest stored prefix containing it.
/// </summary>
/// <remarks>
/// A path-compressed binary (Patricia) trie built from the preorder: one node per prefix plus one per branching,
/// about log2(n) nodes visited, each checked against the address so no backtracking is needed.
/// </remarks>
internal sealed class Ipv6Index
{
    private const int NoChild = -1;

    // Root at 0; empty in an empty table.
    private readonly TrieNode[] trie;

    /// <param name="high">Node i's network, bytes 0-7, nodes 1..count in preorder.</param>
    /// <param name="low">Node i's network, bytes 8-15.</param>
    /// <param name="lengths">Node i's prefix length.</param>
    public Ipv6Index(ulong[] high, ulong[] low, byte[] lengths, int count)
    {
        var nodes = new TrieNode[Math.Max(0, (2 * count) - 1)];
        var used = 0;
        if (count > 0)
        {
            Build(high, low, lengths, nodes, ref used, 1, count + 1);
        }

        Array.Resize(ref nodes, used);
        trie = nodes;
    }

    public int Find(ulong high, ulong low)
    {
        var nodes = trie;
        var best = 0;
        var index = nodes.Length == 0 ? NoChild : 0;
        while (index != NoChild)
        {
            ref readonly var node = ref nodes[index];

            // A node's key is a prefix of every key below it, so once the address leaves it nothing below matches.
            if (((high ^ node.High) & Bits128.MaskHigh(node.Length)) != 0 || ((low ^ node.Low) & Bits128.MaskLow(node.Length)) != 0)
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

            index = Bits128.Bit(high, low, node.Length) == 0 ? node.Zero : node.One;
        }

        return best;
    }

    // Builds the subtree for nodes [from, to), which share their leading bits, and returns its root. The node's
    // length is where the first and last network part or the shortest prefix ends; the shortest sorts first.
    private static int Build(ulong[] high, ulong[] low, byte[] lengths, TrieNode[] nodes, ref int used, int from, int to)
    {
        var first = from;
        var length = Math.Min(Bits128.CommonLength(high[first], low[first], high[to - 1], low[to - 1]), lengths[first]);
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
            int lower = from, upper = to;
            while (lower < upper)
            {
                var middle = lower + ((upper - lower) / 2);
                if (Bits128.Bit(high[middle], low[middle], length) == 0)
                {
                    lower = middle + 1;
                }
                else
                {
                    upper = middle;
                }
            }

            if (lower > from)
            {
                zero = Build(high, low, lengths, nodes, ref used, from, lower);
            }

            if (lower < to)
            {
                one = Build(high, low, lengths, nodes, ref used, lower, to);
            }
        }

        nodes[index] = new TrieNode(high[first] & Bits128.MaskHigh(length), low[first] & Bits128.MaskLow(length), length, prefix, zero, one);
        return index;
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
}

using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using PSLoopback.Addressing;

namespace PSLoopback.Routing;

/// <summary>
/// An immutable longest-prefix-match table: one value per prefix, all prefixes of one address family. It answers
/// "which stored prefix is the most specific one containing this address", and lists the less specific ones for a
/// caller that has to fall back to them. Safe to read from many threads at once.
/// </summary>
/// <remarks>An address of the other family matches nothing, as <see cref="IPPrefix.Contains(IPAddress)"/> says.</remarks>
public sealed class PrefixTable<T>
    where T : class
{
    // Design. The prefixes are kept sorted in preorder (network ascending, shorter first), where one stack pass gives
    // each its nearest covering prefix; Matches() and Get() walk those links from the longest match. Each family has
    // its own index from an address to the node of its longest match (Ipv4Poptrie, Ipv6Index), built from that order.
    // Per node an IPv4 table keeps 17 bytes (value, network, length, cover), an IPv6 one 29.

    // Node 0 stands for "no prefix" (its value is null, its length 0), so a miss needs no branch; nodes 1..Count are
    // the stored prefixes in preorder.
    private readonly T?[] values;

    // The networks of the table's family, the other's null: IPv4 as one number, IPv6 as two (bytes 0-7, 8-15).
    private readonly uint[]? ipv4Networks;
    private readonly ulong[]? networkHigh;
    private readonly ulong[]? networkLow;
    private readonly byte[] lengths;

    // The nearest stored prefix that contains the node's, 0 where none does.
    private readonly int[] covering;

    // One of the two, for the table's family.
    private readonly Ipv4Poptrie? ipv4Index;
    private readonly Ipv6Index? ipv6Index;

    private PrefixTable(IPAddressFamily family, T?[] values, uint[]? ipv4Networks, ulong[]? networkHigh, ulong[]? networkLow, byte[] lengths)
    {
        Family = family;
        Count = values.Length - 1;
        this.values = values;
        this.ipv4Networks = ipv4Networks;
        this.networkHigh = networkHigh;
        this.networkLow = networkLow;
        this.lengths = lengths;
        covering = new int[Count + 1];

        var chain = new int[129];
        var depth = 0;
        for (var node = 1; node <= Count; node++)
        {
            // The chain holds the previous node and the stored prefixes that contain it, shortest first; in preorder
            // every prefix containing this node is among them.
            while (depth > 0 && !Contains(chain[depth - 1], node))
            {
                depth--;
            }

            covering[node] = depth > 0 ? chain[depth - 1] : 0;
            chain[depth++] = node;
        }

        if (ipv4Networks is not null)
        {
            ipv4Index = new Ipv4Poptrie(ipv4Networks, lengths, Count);
        }
        else
        {
            ipv6Index = new Ipv6Index(networkHigh!, networkLow!, lengths, Count);
        }
    }

    public IPAddressFamily Family { get; }

    public int Count { get; }

    /// <summary>Builds a table. Throws <see cref="ArgumentException"/> on a prefix given twice, a prefix of the
    /// other family or a null value.</summary>
    public static PrefixTable<T> Build(IPAddressFamily family, IEnumerable<KeyValuePair<IPPrefix, T>> entries)
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
        var given = new List<T>(capacity);
        var ipv4Keys = family == IPAddressFamily.IPv4 ? new List<ulong>(capacity) : null;
        var ipv6Entries = family == IPAddressFamily.IPv6 ? new List<Entry>(capacity) : null;
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
            if (ipv4Keys is not null)
            {
                ipv4Keys.Add(Ipv4Key((uint)(high >> 32), prefix.Length));
            }
            else
            {
                ipv6Entries!.Add(new Entry(high, low, prefix.Length, given.Count));
            }

            given.Add(entry.Value);
        }

        return ipv4Keys is not null ? BuildIpv4(ipv4Keys, given) : BuildIpv6(ipv6Entries!, given);
    }

    // An IPv4 prefix as one number that sorts in preorder: the network, then the length.
    private static ulong Ipv4Key(uint network, int length) => ((ulong)network << 8) | (uint)length;

    private static PrefixTable<T> BuildIpv4(List<ulong> keys, List<T> given)
    {
        // Numbers sort several times faster than entries through a comparer, and a million is a real table.
        var sorted = keys.ToArray();
        var sources = new int[sorted.Length];
        for (var i = 0; i < sources.Length; i++)
        {
            sources[i] = i;
        }

        Array.Sort(sorted, sources);
        var values = new T?[sorted.Length + 1];
        var networks = new uint[sorted.Length + 1];
        var lengths = new byte[sorted.Length + 1];
        for (var i = 0; i < sorted.Length; i++)
        {
            var network = (uint)(sorted[i] >> 8);
            var length = (int)(sorted[i] & 0xFF);
            if (i > 0 && sorted[i - 1] == sorted[i])
            {
                throw Duplicate(IPAddressFamily.IPv4, (ulong)network << 32, 0, length);
            }

            values[i + 1] = given[sources[i]];
            networks[i + 1] = network;
            lengths[i + 1] = (byte)length;
        }

        return new PrefixTable<T>(IPAddressFamily.IPv4, values, networks, null, null, lengths);
    }

    private static PrefixTable<T> BuildIpv6(List<Entry> sorted, List<T> given)
    {
        sorted.Sort(PreorderComparer.Instance);
        var values = new T?[sorted.Count + 1];
        var high = new ulong[sorted.Count + 1];
        var low = new ulong[sorted.Count + 1];
        var lengths = new byte[sorted.Count + 1];
        for (var i = 0; i < sorted.Count; i++)
        {
            var entry = sorted[i];
            if (i > 0 && PreorderComparer.Instance.Compare(sorted[i - 1], entry) == 0)
            {
                throw Duplicate(IPAddressFamily.IPv6, entry.High, entry.Low, entry.Length);
            }

            values[i + 1] = given[entry.Source];
            high[i + 1] = entry.High;
            low[i + 1] = entry.Low;
            lengths[i + 1] = (byte)entry.Length;
        }

        return new PrefixTable<T>(IPAddressFamily.IPv6, values, null, high, low, lengths);
    }

    private static ArgumentException Duplicate(IPAddressFamily family, ulong high, ulong low, int length) =>
        new($"The prefix {ToPrefix(family, high, low, length)} appears more than once.", "entries");

    /// <summary>The value stored for exactly this prefix, or null.</summary>
    public T? Get(IPPrefix prefix)
    {
        if (prefix.AddressFamily != Family)
        {
            return null;
        }

        ToNumbers(prefix.Network, out var high, out var low);
        var node = Node(high, low);
        while (lengths[node] > prefix.Length)
        {
            node = covering[node];
        }

        return node != 0 && lengths[node] == prefix.Length ? values[node] : null;
    }

    /// <summary>The value of the longest prefix containing an IPv4 address given as a number, first octet most
    /// significant; null when none does or the table is IPv6.</summary>
    public T? LongestMatch(uint ipv4) => ipv4Index is not null ? values[ipv4Index.Find(ipv4)] : null;

    /// <summary>The value of the longest prefix containing an IPv6 address given as two numbers, bytes 0-7 in
    /// <paramref name="high"/> and 8-15 in <paramref name="low"/>, most significant first; null when none does or the
    /// table is IPv4.</summary>
    public T? LongestMatch(ulong high, ulong low) => Family == IPAddressFamily.IPv6 ? values[ipv6Index!.Find(high, low)] : null;

    public T? LongestMatch(IPAddress address) => TryNumbers(address, out var high, out var low) ? values[Node(high, low)] : null;

    /// <summary>The longest prefix containing the address, and its value.</summary>
    public bool TryLongestMatch(IPAddress address, out IPPrefix prefix, out T? value)
    {
        var node = TryNumbers(address, out var high, out var low) ? Node(high, low) : 0;
        prefix = node != 0 ? PrefixOf(node) : default;
        value = values[node];
        return node != 0;
    }

    /// <summary>Every stored prefix containing the address, longest first, down to /0 where that is stored.</summary>
    public IEnumerable<KeyValuePair<IPPrefix, T>> Matches(IPAddress address) =>
        TryNumbers(address, out var high, out var low)
            ? CoveringChain(Node(high, low))
            : Array.Empty<KeyValuePair<IPPrefix, T>>();

    /// <summary>The node of the longest prefix containing an address (an IPv4 one in the top 32 bits of
    /// <paramref name="high"/>), 0 when none does: with <see cref="ValueAt"/>, <see cref="CoveringOf"/> and
    /// <see cref="PrefixAt"/>, a walk down the shorter prefixes that allocates nothing.</summary>
    internal int FindNode(ulong high, ulong low) => Count == 0 ? 0 : Node(high, low);

    /// <summary>The node of the longest prefix containing an IPv4 address given as a number, as
    /// <see cref="FindNode(ulong, ulong)"/> answers for it in the top 32 bits; 0 when none does or the table is IPv6,
    /// as <see cref="LongestMatch(uint)"/> says. For an IPv4 caller it skips the family branch and the shift.</summary>
    internal int FindNode(uint ipv4) => ipv4Index is not null ? ipv4Index.Find(ipv4) : 0;

    /// <summary>For i in start..start + count, nodes[i] is what <see cref="FindNode(ulong, ulong)"/> answers for
    /// (high[i], low[i]). Over many addresses this is faster than one at a time: at 100,000 prefixes and more each
    /// lookup waits on cache misses, and a batch lets them overlap.</summary>
    internal void FindNodes(ulong[] high, ulong[] low, int start, int count, int[] nodes)
    {
        if (ipv6Index is not null)
        {
            ipv6Index.Find(high, low, start, count, nodes);
            return;
        }

        for (var i = start; i < start + count; i++)
        {
            nodes[i] = FindNode(high[i], low[i]);
        }
    }

    /// <summary>The value at a node; null for node 0.</summary>
    internal T? ValueAt(int node) => values[node];

    /// <summary>The node of the nearest shorter stored prefix containing this one's, 0 when none does.</summary>
    internal int CoveringOf(int node) => covering[node];

    internal IPPrefix PrefixAt(int node) => PrefixOf(node);

    internal int LengthAt(int node) => lengths[node];

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

    private bool TryNumbers(IPAddress address, out ulong high, out ulong low)
    {
        if (address is null)
        {
            throw new ArgumentNullException(nameof(address));
        }

        high = low = 0;
        var family = Family == IPAddressFamily.IPv4 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
        if (address.AddressFamily != family)
        {
            return false;
        }

        ToNumbers(address, out high, out low);
        return true;
    }

    private int Node(ulong high, ulong low) => ipv4Index is not null ? ipv4Index.Find((uint)(high >> 32)) : ipv6Index!.Find(high, low);

    private IEnumerable<KeyValuePair<IPPrefix, T>> CoveringChain(int node)
    {
        for (; node != 0; node = covering[node])
        {
            yield return new KeyValuePair<IPPrefix, T>(PrefixOf(node), values[node]!);
        }
    }

    private IPPrefix PrefixOf(int node) => ipv4Networks is not null
        ? ToPrefix(Family, (ulong)ipv4Networks[node] << 32, 0, lengths[node])
        : ToPrefix(Family, networkHigh![node], networkLow![node], lengths[node]);

    private bool Contains(int outer, int inner)
    {
        int length = lengths[outer];
        if (length >= lengths[inner])
        {
            return false;
        }

        return ipv4Networks is not null
            ? (((ulong)(ipv4Networks[outer] ^ ipv4Networks[inner]) << 32) & Bits128.MaskHigh(length)) == 0
            : ((networkHigh![outer] ^ networkHigh[inner]) & Bits128.MaskHigh(length)) == 0
                && ((networkLow![outer] ^ networkLow[inner]) & Bits128.MaskLow(length)) == 0;
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

using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;

namespace PSLoopback.Routing;

/// <summary>
/// The label column of an RFC 6724 policy table (section 2.1): the label of an address is that of the longest
/// prefix containing it. Source selection compares labels only (rule 6); precedence orders destinations
/// (section 6), which no route lookup does. Each OS keeps its own table.
/// </summary>
internal sealed class AddressPolicyTable
{
    private readonly (IPPrefix Prefix, int Label)[] entries;

    // The same entries as numbers with their masks, in the same order, for lookups that allocate nothing and, once
    // per source candidate and decision, work out no mask.
    private readonly (ulong High, ulong Low, ulong MaskHigh, ulong MaskLow, int Label)[] numbers;

    // For each value of an address's first byte, the entries that can hold it, in the same order: from
    // byFirstByte[b] to byFirstByte[b + 1] in entriesByFirstByte. Most destinations (2000::/3) are then compared
    // with 4 of Linux's 10 entries.
    private readonly int[] byFirstByte;
    private readonly int[] entriesByFirstByte;

    public AddressPolicyTable(params (string Prefix, int Label)[] entries)
    {
        this.entries = entries
            .Select(e => (IPPrefix.Parse(e.Prefix), e.Label))
            .OrderByDescending(e => e.Item1.Length)
            .ToArray();
        numbers = this.entries
            .Select(e =>
            {
                var (high, low) = AddressNumbers.Of(e.Prefix.Network);
                return (high, low, Bits128.MaskHigh(e.Prefix.Length), Bits128.MaskLow(e.Prefix.Length), e.Label);
            })
            .ToArray();
        byFirstByte = new int[257];
        var listed = new List<int>();
        for (var first = 0; first < 256; first++)
        {
            byFirstByte[first] = listed.Count;
            for (var i = 0; i < numbers.Length; i++)
            {
                // The entry and the byte's /8 overlap: they agree on the bits both fix.
                var both = Bits128.MaskHigh(Math.Min(this.entries[i].Prefix.Length, 8));
                if ((((ulong)first << 56 ^ numbers[i].High) & both) == 0)
                {
                    listed.Add(i);
                }
            }
        }

        byFirstByte[256] = listed.Count;
        entriesByFirstByte = listed.ToArray();
    }

    /// <summary>The label of the longest prefix containing the address; every table holds ::/0.</summary>
    public int Label(IPAddress address)
    {
        foreach (var (prefix, label) in entries)
        {
            if (prefix.Contains(address))
            {
                return label;
            }
        }

        return -1;
    }

    /// <summary>The label of the longest prefix containing an IPv6 address given as its numbers.</summary>
    public int Label(ulong high, ulong low)
    {
        var first = (int)(high >> 56);
        for (var i = byFirstByte[first]; i < byFirstByte[first + 1]; i++)
        {
            ref readonly var entry = ref numbers[entriesByFirstByte[i]];
            if (((entry.High ^ high) & entry.MaskHigh) == 0 && ((entry.Low ^ low) & entry.MaskLow) == 0)
            {
                return entry.Label;
            }
        }

        return -1;
    }
}

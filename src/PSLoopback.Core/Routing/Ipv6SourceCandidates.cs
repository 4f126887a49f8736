using System.Linq;
using System.Net.Sockets;
using PSLoopback.Interfaces;

namespace PSLoopback.Routing;

/// <summary>The IPv6 source candidates for one output interface and one kind of destination, ranked by what does not depend on its bits.</summary>
internal sealed class Ipv6SourceCandidates
{
    public Ipv6SourceCandidates(NetInterfaceAddress[] addresses, long[] ranks, ulong[] high, ulong[] low)
    {
        Addresses = addresses;
        Ranks = ranks;
        High = high;
        Low = low;
        PrefixLengths = new int[addresses.Length];
        Unscoped = new bool[addresses.Length];
        for (var i = 0; i < addresses.Length; i++)
        {
            PrefixLengths[i] = addresses[i].PrefixLength;
            Unscoped[i] = addresses[i].IPAddress.AddressFamily == AddressFamily.InterNetworkV6 && addresses[i].IPAddress.ScopeId == 0;
        }

        All = Enumerable.Range(0, addresses.Length).ToArray();
        var top = ranks.Length == 0 ? 0 : ranks.Max();
        Leaders = All.Where(i => ranks[i] == top).ToArray();
    }

    /// <summary>In <see cref="SourceAddressSelector"/>'s order: of two equal, the first wins.</summary>
    public NetInterfaceAddress[] Addresses { get; }

    /// <summary>Rules 2 to 8 as one number, higher better.</summary>
    public long[] Ranks { get; }

    public ulong[] High { get; }

    public ulong[] Low { get; }

    // Each address's prefix length and whether it is IPv6 without a scope id, so that rules 1 and 9 per destination
    // read these arrays, not every candidate's address objects.
    public int[] PrefixLengths { get; }

    /// <summary>Whether the address can equal a destination without a scope id (IPAddress.Equals compares scope ids too).</summary>
    public bool[] Unscoped { get; }

    /// <summary>Every candidate's place, in order.</summary>
    public int[] All { get; }

    /// <summary>The places of the candidates of the best rank, in order: unless rule 1 picks one, the winner is among them.</summary>
    public int[] Leaders { get; }

    /// <summary>Whether a candidate is the destination itself (rule 1), given as its numbers, without a scope id.</summary>
    public bool HasDestination(ulong high, ulong low)
    {
        for (var i = 0; i < High.Length; i++)
        {
            if (High[i] == high && Low[i] == low && Unscoped[i])
            {
                return true;
            }
        }

        return false;
    }
}

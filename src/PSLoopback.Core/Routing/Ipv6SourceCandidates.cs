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
    }

    /// <summary>In <see cref="SourceAddressSelector"/>'s order: of two equal, the first wins.</summary>
    public NetInterfaceAddress[] Addresses { get; }

    /// <summary>Rules 2 to 8 as one number, higher better.</summary>
    public long[] Ranks { get; }

    public ulong[] High { get; }

    public ulong[] Low { get; }
}

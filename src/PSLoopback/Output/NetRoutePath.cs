using PSLoopback.Routing;

namespace PSLoopback.Output;

/// <summary>One way out for a packet: next hop, interface, and the source address it would carry.</summary>
public sealed class NetRoutePath
{
    internal NetRoutePath(RoutePath path)
    {
        NextHop = OutputText.Of(path.NextHop)!;
        InterfaceIndex = path.InterfaceIndex;
        InterfaceAlias = path.InterfaceAlias;
        SourceAddress = OutputText.Of(path.SourceAddress);
        Weight = path.Weight;
    }

    public string NextHop { get; }

    public int InterfaceIndex { get; }

    public int ifIndex => InterfaceIndex;

    public string? InterfaceAlias { get; }

    public string? SourceAddress { get; }

    public int Weight { get; }

    public override string ToString() =>
        (NextHop is "0.0.0.0" or "::" ? string.Empty : "via " + NextHop + " ")
        + "dev " + (InterfaceAlias ?? OutputText.Invariant(InterfaceIndex))
        + (SourceAddress is null ? string.Empty : " src " + SourceAddress);
}

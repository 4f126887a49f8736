using PSLoopback.Routing;

namespace PSLoopback.Output;

/// <summary>One path of a multipath route, as text and numbers.</summary>
public sealed class NetNextHop
{
    private readonly string text;

    internal NetNextHop(NetRouteNextHop hop)
    {
        NextHop = OutputText.Of(hop.NextHop)!;
        InterfaceIndex = hop.InterfaceIndex;
        InterfaceAlias = hop.InterfaceAlias;
        Weight = hop.Weight;
        Flags = hop.Flags.ToString();
        text = NextHopText.Format(hop);
    }

    /// <summary>The gateway, or the unspecified address (0.0.0.0 or ::) when on-link.</summary>
    public string NextHop { get; }

    public int InterfaceIndex { get; }

    public int ifIndex => InterfaceIndex;

    public string? InterfaceAlias { get; }

    /// <summary>The share of flows this path gets (ip's "weight").</summary>
    public int Weight { get; }

    public string Flags { get; }

    /// <summary>As ip route prints a path, "via 192.0.2.1 dev eth0 weight 1", which -RouteTable reads back from a CSV cell.</summary>
    public override string ToString() => text;
}

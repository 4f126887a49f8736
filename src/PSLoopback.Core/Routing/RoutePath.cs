using System.Net;

namespace PSLoopback.Routing;

/// <summary>One way out for a packet: next hop, interface, and the source address it would carry.</summary>
public sealed class RoutePath
{
    public RoutePath(IPAddress nextHop, int interfaceIndex, string? interfaceAlias, IPAddress? sourceAddress, int weight)
    {
        NextHop = nextHop;
        InterfaceIndex = interfaceIndex;
        InterfaceAlias = interfaceAlias;
        SourceAddress = sourceAddress;
        Weight = weight;
    }

    public IPAddress NextHop { get; }

    public int InterfaceIndex { get; }

    public string? InterfaceAlias { get; }

    public IPAddress? SourceAddress { get; }

    public int Weight { get; }

    /// <summary>Linux: the single nexthop object the path goes through, whose cached route it shares with other routes.</summary>
    internal uint? NextHopId { get; set; }

    public override string ToString() => $"via {NextHop} dev {InterfaceAlias ?? InterfaceIndex.ToString(System.Globalization.CultureInfo.InvariantCulture)} src {SourceAddress}";
}

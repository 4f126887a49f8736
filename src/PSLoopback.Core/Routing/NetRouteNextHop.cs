using System.Net;

namespace PSLoopback.Routing;

/// <summary>One path of a route: the gateway (or the unspecified address when on-link) and the interface.</summary>
public sealed class NetRouteNextHop
{
    public IPAddress NextHop { get; set; } = IPAddress.Any;

    public int InterfaceIndex { get; set; }

    public string? InterfaceAlias { get; set; }

    /// <summary>The share of flows this path gets in a multipath route (ip's "weight").</summary>
    public int Weight { get; set; } = 1;

    public RouteFlags Flags { get; set; }

    /// <summary>Linux: the single nexthop object this path is (a group's member, or the route's own); null for a route of its own next hops.</summary>
    public uint? NextHopId { get; set; }

    public bool IsOnLink => NextHop.Equals(IPAddress.Any) || NextHop.Equals(IPAddress.IPv6Any);

    public override string ToString() =>
        (IsOnLink ? "on-link" : "via " + NextHop) + " dev " + (InterfaceAlias ?? InterfaceIndex.ToString(System.Globalization.CultureInfo.InvariantCulture));
}

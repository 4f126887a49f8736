using System.Net;

namespace PSLoopback.Routing;

/// <summary>
/// Linux: another route through the nexthop object the decision's path takes, whose own source and MTU the
/// kernel may answer with instead (see <see cref="RouteDecision.RoutesSharingNextHop"/>).
/// </summary>
public sealed class SharedNextHopRoute
{
    public SharedNextHopRoute(NetRouteInfo route, uint nextHopId, RoutePath path, IPAddress? sourceAddress, int? mtu)
    {
        Route = route;
        NextHopId = nextHopId;
        Path = path;
        SourceAddress = sourceAddress;
        Mtu = mtu;
    }

    /// <summary>The other route.</summary>
    public NetRouteInfo Route { get; }

    /// <summary>The nexthop object both routes reach: the id itself or a member of a group they name.</summary>
    public uint NextHopId { get; }

    /// <summary>The decision's path through that nexthop: the headline's, or another a hash may take.</summary>
    public RoutePath Path { get; }

    /// <summary>The source the kernel gives when the cached route was made by <see cref="Route"/> (IPv6; on IPv4 the decision's own, since the cached route does not carry it).</summary>
    public IPAddress? SourceAddress { get; }

    /// <summary>The MTU `ip route get` prints then: <see cref="Route"/>'s own mtu metric, or none. Its other metrics come with it.</summary>
    public int? Mtu { get; }

    public override string ToString() =>
        $"{Route.DestinationPrefix} table {Route.TableName} (nexthop {NextHopId}): src {SourceAddress?.ToString() ?? "none"} mtu {Mtu?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}";
}

using System.Collections.Generic;
using System.Linq;
using PSLoopback.Addressing;

namespace PSLoopback.Routing;

/// <summary>The filters of Get-NetRouteInfo, as one pure function over a snapshot's routes.</summary>
public sealed class RouteFilter
{
    public IPAddressFamily? AddressFamily { get; set; }

    public IReadOnlyCollection<uint>? Tables { get; set; }

    /// <summary>Routes with a next hop on one of these interfaces.</summary>
    public IReadOnlyCollection<int>? InterfaceIndexes { get; set; }

    public IReadOnlyCollection<RouteType>? RouteTypes { get; set; }

    public IEnumerable<NetRouteInfo> Apply(IEnumerable<NetRouteInfo> routes) => routes.Where(Keeps);

    public bool Keeps(NetRouteInfo route) =>
        (AddressFamily is null || route.AddressFamily == AddressFamily)
        && (Tables is not { Count: > 0 } || Tables.Contains(route.Table))
        && (InterfaceIndexes is not { Count: > 0 } || InterfaceIndexes.Contains(route.InterfaceIndex) || route.NextHops.Any(h => InterfaceIndexes.Contains(h.InterfaceIndex)))
        && (RouteTypes is not { Count: > 0 } || RouteTypes.Contains(route.RouteType));
}

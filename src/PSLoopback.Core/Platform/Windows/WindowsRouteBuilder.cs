using System;
using System.Collections.Generic;
using System.Linq;
using PSLoopback.Interfaces;
using PSLoopback.Routing;

namespace PSLoopback.Platform.Windows;

/// <summary>
/// Turns GetIpForwardTable2's rows into the route model. Windows has one table per family and no rules:
/// <see cref="NetRouteInfo.Table"/> is <see cref="RouteTables.Unspecified"/>, and the Linux-only facts (route
/// type, scope, Linux protocol) keep the model's defaults rather than a guess. Pure: the OS is not touched.
/// </summary>
internal static class WindowsRouteBuilder
{
    /// <param name="interfaces">Name each route's interface and give its metric in the route's family; a route
    /// whose interface has no IP interface row (GetIpInterfaceTable missing, as under Wine) has a null InterfaceMetric.</param>
    public static IReadOnlyList<NetRouteInfo> Build(IEnumerable<ForwardRow> rows, IReadOnlyList<NetInterfaceInfo> interfaces)
    {
        var byIndex = interfaces.GroupBy(i => i.InterfaceIndex).ToDictionary(g => g.Key, g => g.First());
        var routes = new List<NetRouteInfo>();
        foreach (var entry in rows)
        {
            var row = entry.Row;
            var index = (int)row.InterfaceIndex;
            byIndex.TryGetValue(index, out var device);
            routes.Add(new NetRouteInfo
            {
                DestinationPrefix = entry.Destination,
                NextHop = entry.NextHop,
                InterfaceIndex = index,
                InterfaceAlias = device?.Name,
                RouteMetric = row.Metric,
                InterfaceMetric = device?.IPInterface(entry.Destination.AddressFamily)?.InterfaceMetric,
                Origin = Enum.IsDefined(typeof(RouteOrigin), row.Origin) ? (RouteOrigin)row.Origin : null,
                WindowsProtocol = Enum.IsDefined(typeof(WindowsRouteProtocol), row.Protocol) ? (WindowsRouteProtocol)row.Protocol : null,
                Age = TimeSpan.FromSeconds(row.Age),
                ValidLifetime = WindowsInterfaceBuilder.Lifetime(row.ValidLifetime),
                PreferredLifetime = WindowsInterfaceBuilder.Lifetime(row.PreferredLifetime),
                Table = RouteTables.Unspecified,
            });
        }

        return routes;
    }
}

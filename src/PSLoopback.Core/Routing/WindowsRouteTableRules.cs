using System.Linq;
using System.Net.Sockets;
using PSLoopback.Addressing;

namespace PSLoopback.Routing;

/// <summary>
/// The routes Windows' IP routing table cannot hold (MIB_IPFORWARD_ROW2 has one destination prefix, one next
/// hop of the same family, one interface, a metric, and nothing of Linux's tables, types, sources or
/// multipath), so a saved or hand-written Windows table that has one was not read from a Windows machine.
/// Pure: it reads the route and, when known, the machine's interfaces.
/// </summary>
public static class WindowsRouteTableRules
{
    /// <summary>Why Windows could not hold this route, or null when it could.</summary>
    /// <param name="machine">The machine the table belongs to; null when only routes are known.</param>
    public static string? Check(NetRouteInfo route, RouteSnapshot? machine)
    {
        if (route.InterfaceIndex <= 0)
        {
            return $"its InterfaceIndex is {route.InterfaceIndex}, and every Windows route names the interface it leaves by";
        }

        if (!AddressClass.IsUnspecified(route.NextHop) && Family.Of(route.NextHop) != route.AddressFamily)
        {
            return $"its NextHop {route.NextHop} is {Family.Of(route.NextHop)}, for an {route.AddressFamily} DestinationPrefix";
        }

        // NetRouteInfo's own default table, main, stands for "not given"; any other number is a Linux table.
        if (route.Table != RouteTables.Unspecified && route.Table != RouteTables.Main)
        {
            return $"its Table is {route.TableName}, and Windows has one routing table and no rules (leave Table out or write 0)";
        }

        if (route.RouteType is RouteType.Blackhole or RouteType.Unreachable or RouteType.Prohibit or RouteType.Throw)
        {
            return $"its RouteType is {route.RouteType}, and Windows has no blackhole, unreachable, prohibit or throw routes";
        }

        if (route.SourcePrefix is IPPrefix from)
        {
            return $"its SourcePrefix is {from}, and Windows has no source-specific routes";
        }

        if (route.NextHops.Count > 0)
        {
            return $"it has {route.NextHops.Count} NextHops, and Windows has no multipath routes (each path is a route of its own)";
        }

        if (route.PreferredSource is not null)
        {
            return $"its PreferredSource is {route.PreferredSource}, and a Windows route names no source address";
        }

        if (route.Tos != 0)
        {
            return $"its Tos is 0x{route.Tos:x2}, and Windows routes do not select on the type of service";
        }

        if (machine is null)
        {
            return null;
        }

        var device = machine.FindInterface(route.InterfaceIndex);
        if (device is null)
        {
            return $"its InterfaceIndex {route.InterfaceIndex} is not an interface of the machine (it has {string.Join(", ", machine.Interfaces.Select(i => i.InterfaceIndex + " " + i.Name))})";
        }

        return route.InterfaceAlias is string alias && alias != device.Name
            ? $"its InterfaceAlias '{alias}' is not interface {route.InterfaceIndex}, which is {device.Name}"
            : null;
    }
}

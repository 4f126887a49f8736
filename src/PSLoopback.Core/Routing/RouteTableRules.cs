using System.Linq;
using System.Net;
using System.Net.Sockets;
using PSLoopback.Addressing;

namespace PSLoopback.Routing;

/// <summary>
/// The routes the Linux kernel refuses to hold, so a saved or hand-written table that has one was not read
/// from a machine: answering for it would be answering for no machine. Each check names the field and, in
/// parentheses, what `ip route add` prints for the same route. Pure: it reads the route and, when known, the
/// machine's interfaces.
/// </summary>
public static class RouteTableRules
{
    /// <summary>The weights a multipath next hop can carry: rtnh_hops is one byte, weight minus one.</summary>
    public const int MinimumWeight = 1;

    public const int MaximumWeight = 256;

    /// <summary>
    /// Why an IPv4 prefix written with host bits (192.0.2.1/24) is refused, or null. IPPrefix quietly clears
    /// them, so this reads the text. IPv6 is not checked: the kernel clears them there too.
    /// </summary>
    public static string? HostBits(string field, string prefixText)
    {
        if (!IPPrefix.TryParse(prefixText, out var prefix) || prefix.AddressFamily != IPAddressFamily.IPv4)
        {
            return null;
        }

        var slash = prefixText.IndexOf('/');
        var written = slash < 0 ? prefixText.Trim() : prefixText.Substring(0, slash).Trim();
        return Destination.TryParseAddress(written, out var address) && !address.Equals(prefix.Network)
            ? $"its {field} '{prefixText}' has host bits set; the network is {prefix} (ip route add: Invalid prefix for given prefix length)"
            : null;
    }

    /// <summary>Why the kernel would refuse this route, or null when it would take it.</summary>
    /// <param name="machine">The interfaces (and their addresses) of the machine the table belongs to; null when only routes are known.</param>
    public static string? Check(NetRouteInfo route, RouteSnapshot? machine)
    {
        var ipv4 = route.AddressFamily == IPAddressFamily.IPv4;
        var hops = route.NextHops.Count > 0
            ? route.NextHops.Select(h => (h.NextHop, h.InterfaceIndex, h.InterfaceAlias, h.Flags, h.Weight, Field: "NextHops")).ToList()
            : new[] { (route.NextHop, route.InterfaceIndex, route.InterfaceAlias, route.Flags, Weight: 1, Field: "NextHop") }.ToList();
        var hasGateway = hops.Any(h => !AddressClass.IsUnspecified(h.NextHop));

        if (route.Table == 0)
        {
            return "its Table is 0, which is no table (a route added with table 0 is filed in main, and no dump shows 0); write main or 254";
        }

        if (ipv4 && route.Scope == AddressScope.Nowhere)
        {
            return "its Scope Nowhere is not a scope an IPv4 route can have (ip route add: Invalid scope)";
        }

        foreach (var hop in hops)
        {
            if (hop.Weight < MinimumWeight || hop.Weight > MaximumWeight)
            {
                return $"a next hop's Weight {hop.Weight} is outside {MinimumWeight} to {MaximumWeight} (ip route add: \"weight\" is invalid)";
            }

            if (!ipv4 && hop.NextHop.AddressFamily == AddressFamily.InterNetwork && !AddressClass.IsUnspecified(hop.NextHop))
            {
                return $"its {hop.Field} {hop.NextHop} is an IPv4 gateway for an IPv6 route (ip route add: IPv6 does not support RTA_VIA attribute)";
            }
        }

        if (ipv4 && IsReject(route.RouteType) && (hasGateway || route.NextHops.Count > 0))
        {
            return $"its RouteType {route.RouteType} cannot have a NextHop or NextHops (ip route add: Gateway, device and multipath can not be specified for this route type)";
        }

        if (ipv4 && route.Scope == AddressScope.Host && hasGateway)
        {
            return $"its Scope is Host (as every {route.RouteType} route's is), which cannot have a gateway (ip route add: Route with host scope can not have a gateway)";
        }

        if (ipv4 && route.Scope == AddressScope.Host && route.NextHops.Count > 1)
        {
            return "its Scope is Host, which cannot have several NextHops (ip route add: Route with host scope can not have multiple nexthops)";
        }

        if (ipv4 && !IsReject(route.RouteType) && route.Scope != AddressScope.Host
            && hops.Any(h => AddressClass.IsUnspecified(h.NextHop) && (h.Flags & (RouteFlags.OnLink | RouteFlags.Pervasive)) != 0))
        {
            return "its Flags OnLink or Pervasive need a gateway, and it has none (ip route add: Invalid flags for nexthop - PERVASIVE and ONLINK can not be set)";
        }

        return machine is null ? null : CheckAgainst(route, hops.Select(h => (h.InterfaceIndex, h.InterfaceAlias, h.Field)).ToList(), machine);
    }

    private static string? CheckAgainst(NetRouteInfo route, System.Collections.Generic.List<(int Index, string? Alias, string Field)> hops, RouteSnapshot machine)
    {
        foreach (var (index, alias, field) in hops)
        {
            var indexField = field == "NextHop" ? "InterfaceIndex" : "NextHops' InterfaceIndex";
            if (index <= 0)
            {
                continue;
            }

            var device = machine.FindInterface(index);
            if (device is null)
            {
                return $"its {indexField} {index} is not an interface of the machine (it has {string.Join(", ", machine.Interfaces.Select(i => i.InterfaceIndex + " " + i.Name))}) (ip route add: Cannot find device)";
            }

            if (alias is not null && alias != device.Name)
            {
                return $"its InterfaceAlias '{alias}' is not interface {index}, which is {device.Name}";
            }
        }

        if (route.PreferredSource is IPAddress source && route.RouteType != RouteType.Local && !IsOwn(machine, source))
        {
            return route.AddressFamily == IPAddressFamily.IPv4
                ? $"its PreferredSource {source} is not an address of the machine (ip route add: Invalid prefsrc address)"
                : $"its PreferredSource {source} is not an address of the machine (ip route add: Invalid source address)";
        }

        return null;
    }

    /// <summary>An address of one of the machine's interfaces, or for IPv4 one a local route makes the machine's.</summary>
    private static bool IsOwn(RouteSnapshot machine, IPAddress address) =>
        machine.Interfaces.Any(i => i.Addresses.Any(a => a.IPAddress.Equals(address)))
        || (address.AddressFamily == AddressFamily.InterNetwork
            && machine.Routes.Any(r => r.RouteType == RouteType.Local && r.Table == RouteTables.Local && r.DestinationPrefix.Contains(address)));

    private static bool IsReject(RouteType type) =>
        type is RouteType.Blackhole or RouteType.Unreachable or RouteType.Prohibit or RouteType.Throw;
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;

namespace PSLoopback.Routing;

/// <summary>
/// The facts a routing decision is made from, read at one moment: interfaces (for source addresses and
/// names), routes of every table, and policy rules. The resolver never reads the OS; it reads this.
/// </summary>
public sealed class RouteSnapshot
{
    public RouteSnapshot(
        IReadOnlyList<NetInterfaceInfo> interfaces,
        IReadOnlyList<NetRouteInfo> routes,
        IReadOnlyList<NetRouteRule> rules,
        HostOS operatingSystem = HostOS.Linux)
    {
        OperatingSystem = operatingSystem;
        Interfaces = interfaces ?? throw new ArgumentNullException(nameof(interfaces));
        Routes = routes ?? throw new ArgumentNullException(nameof(routes));
        Rules = rules ?? throw new ArgumentNullException(nameof(rules));
    }

    private static readonly IPPrefix[] LoopbackPrefixes = { IPPrefix.Parse("127.0.0.0/8"), IPPrefix.Parse("::1/128") };

    private Dictionary<int, NetInterfaceInfo>? byIndex;

    /// <summary>The OS the facts were read on: its decision model answers for them (<see cref="RouteResolvers.For"/>).</summary>
    public HostOS OperatingSystem { get; }

    public IReadOnlyList<NetInterfaceInfo> Interfaces { get; }

    public IReadOnlyList<NetRouteInfo> Routes { get; }

    /// <summary>The policy rules of both families; empty means the kernel's defaults (local, main, default). Windows has none.</summary>
    public IReadOnlyList<NetRouteRule> Rules { get; }

    /// <summary>
    /// Linux: the route exception cache of both families (`ip route show cache`), which answers before the route
    /// for its destination; empty where none was read.
    /// </summary>
    public IReadOnlyList<NetRouteException> Exceptions { get; set; } = Array.Empty<NetRouteException>();

    /// <summary>Interfaces whose IPv6 configuration prefers temporary addresses (use_tempaddr 2).</summary>
    public ISet<int> PreferTemporaryAddresses { get; } = new HashSet<int>();

    /// <summary>Linux: the sysctls that steer decisions (forwarding, rp_filter, multipath); empty means the kernel's defaults.</summary>
    public LinuxKernelSettings Settings { get; } = new();

    /// <summary>Linux: the nexthop objects (`ip nexthop`) routes name by <see cref="NetRouteInfo.NextHopId"/>.</summary>
    public IList<NetNextHopObject> NextHopObjects { get; } = new List<NetNextHopObject>();

    /// <summary>Linux: the neighbour entries of both families, which steer the choice among gateways.</summary>
    public IList<NetNeighbor> Neighbors { get; } = new List<NetNeighbor>();

    /// <summary>
    /// False for a list of Windows routes alone: unlike Linux's local table, Windows' routes do not say which
    /// addresses are the host's (an address's host route looks like any other on-link /32), so no source can
    /// be chosen and a source asked for cannot be checked.
    /// </summary>
    public bool AddressesKnown { get; private set; } = true;

    /// <summary>
    /// A snapshot of routes alone, as from another machine (what-if questions), answered by the model of
    /// <paramref name="operatingSystem"/>: no rules, and only the interfaces the routes name. The one carrying
    /// the route for 127.0.0.0/8 or ::1 is taken to be the loopback interface, since that is where every OS
    /// puts it. On Linux the local table's host routes are the machine's own addresses, so each becomes an
    /// address of its route's interface (see <see cref="AddressesFromLocalRoutes"/>); Windows' routes tell no
    /// addresses (<see cref="AddressesKnown"/>).
    /// </summary>
    public static RouteSnapshot FromRoutes(IReadOnlyList<NetRouteInfo> routes, HostOS operatingSystem = HostOS.Linux)
    {
        if (routes is null)
        {
            throw new ArgumentNullException(nameof(routes));
        }

        return operatingSystem == HostOS.Windows ? FromWindowsRoutes(routes) : FromLinuxRoutes(routes);
    }

    private static RouteSnapshot FromLinuxRoutes(IReadOnlyList<NetRouteInfo> routes)
    {
        var named = routes
            .Select(r => (r.InterfaceIndex, r.InterfaceAlias, Loopback: r.RouteType == RouteType.Local && LoopbackPrefixes.Contains(r.DestinationPrefix)))
            .Concat(routes.SelectMany(r => r.NextHops).Select(h => (h.InterfaceIndex, h.InterfaceAlias, Loopback: false)));
        var interfaces = named
            .Where(n => n.InterfaceIndex > 0 && n.InterfaceAlias is not null)
            .GroupBy(n => n.InterfaceIndex)
            .Select(g => new NetInterfaceInfo(g.Key, g.First().InterfaceAlias!)
            {
                InterfaceType = g.Any(n => n.Loopback) ? InterfaceType.Loopback : InterfaceType.Unknown,
                AdminStatus = AdminStatus.Up,
                Addresses = AddressesFromLocalRoutes(routes, g.Key, g.First().InterfaceAlias!),
            })
            .OrderBy(i => i.InterfaceIndex)
            .ToList();
        return new RouteSnapshot(interfaces, routes, Array.Empty<NetRouteRule>());
    }

    /// <summary>
    /// Every Windows route names its interface by index (the alias where the list kept it, else the index
    /// stands for the name). Windows marks no route local, so the loopback interface is the one carrying
    /// 127.0.0.0/8 or ::1/128, whatever their type.
    /// </summary>
    private static RouteSnapshot FromWindowsRoutes(IReadOnlyList<NetRouteInfo> routes)
    {
        var interfaces = routes
            .Where(r => r.InterfaceIndex > 0)
            .GroupBy(r => r.InterfaceIndex)
            .Select(g => new NetInterfaceInfo(g.Key, g.Select(r => r.InterfaceAlias).FirstOrDefault(a => a is not null) ?? g.Key.ToString(CultureInfo.InvariantCulture))
            {
                InterfaceType = g.Any(r => LoopbackPrefixes.Contains(r.DestinationPrefix)) ? InterfaceType.Loopback : InterfaceType.Unknown,
                AdminStatus = AdminStatus.Up,
            })
            .OrderBy(i => i.InterfaceIndex)
            .ToList();
        return new RouteSnapshot(interfaces, routes, Array.Empty<NetRouteRule>(), HostOS.Windows) { AddressesKnown = false };
    }

    /// <summary>
    /// An interface's addresses as far as its routes tell: each host route of type local in the local table
    /// (the kernel adds one per address). The prefix length is that of an on-link route on the same interface
    /// that contains the address (or, for 127.0.0.1/8, the local route of the whole block): for IPv4 the one
    /// whose src is the address first, then the kernel's own subnet route, then the longest (another address in
    /// that subnet is secondary); without one, a host prefix. Flags and lifetimes are not in routes.
    /// </summary>
    internal static IReadOnlyList<NetInterfaceAddress> AddressesFromLocalRoutes(IReadOnlyList<NetRouteInfo> routes, int interfaceIndex, string name)
    {
        var subnets = routes
            .Where(r => r.InterfaceIndex == interfaceIndex && r.NextHops.Count == 0 && r.IsOnLink
                && (r.RouteType == RouteType.Unicast || (r.RouteType == RouteType.Local && !r.DestinationPrefix.IsHost)))
            .ToList();
        var addresses = new List<NetInterfaceAddress>();
        foreach (var local in routes.Where(r => r.InterfaceIndex == interfaceIndex && r.RouteType == RouteType.Local && r.Table == RouteTables.Local && r.DestinationPrefix.IsHost))
        {
            var ip = local.DestinationPrefix.Network;
            var ipv4 = local.AddressFamily == IPAddressFamily.IPv4;
            var subnet = subnets
                .Where(r => r.AddressFamily == local.AddressFamily && r.DestinationPrefix.Contains(ip))
                .OrderByDescending(r => ipv4 && ip.Equals(r.PreferredSource))
                .ThenByDescending(r => r.Protocol == RouteProtocol.Kernel)
                .ThenByDescending(r => r.DestinationPrefix.Length)
                .FirstOrDefault();
            var scope = AddressClass.IsLoopback(ip) ? AddressScope.Host : ip.IsIPv6LinkLocal ? AddressScope.Link : AddressScope.Global;
            addresses.Add(new NetInterfaceAddress(interfaceIndex, name, ip, subnet?.DestinationPrefix.Length ?? local.DestinationPrefix.Length)
            {
                Scope = scope,
                Flags = ipv4 && subnet is not null && !ip.Equals(subnet.PreferredSource) ? AddressFlags.Secondary : AddressFlags.None,
            });
        }

        return addresses;
    }

    public NetInterfaceInfo? FindInterface(int index)
    {
        byIndex ??= Interfaces.GroupBy(i => i.InterfaceIndex).ToDictionary(g => g.Key, g => g.First());
        return byIndex.TryGetValue(index, out var found) ? found : null;
    }

    public NetInterfaceInfo? FindInterface(string name) => Interfaces.FirstOrDefault(i => i.Name == name);
}

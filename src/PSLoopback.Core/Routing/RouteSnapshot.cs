using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
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
        IReadOnlyList<NetRouteRule> rules)
    {
        Interfaces = interfaces ?? throw new ArgumentNullException(nameof(interfaces));
        Routes = routes ?? throw new ArgumentNullException(nameof(routes));
        Rules = rules ?? throw new ArgumentNullException(nameof(rules));
    }

    private Dictionary<int, NetInterfaceInfo>? byIndex;

    public IReadOnlyList<NetInterfaceInfo> Interfaces { get; }

    public IReadOnlyList<NetRouteInfo> Routes { get; }

    /// <summary>The policy rules of both families; empty means the kernel's defaults (local, main, default).</summary>
    public IReadOnlyList<NetRouteRule> Rules { get; }

    /// <summary>Interfaces whose IPv6 configuration prefers temporary addresses (use_tempaddr 2).</summary>
    public ISet<int> PreferTemporaryAddresses { get; } = new HashSet<int>();

    /// <summary>
    /// A snapshot of routes alone, as from another machine (what-if questions): the default rules, and only
    /// the interfaces the routes name. The one carrying the local route for 127.0.0.0/8 or ::1 is taken to be
    /// the loopback interface, since that is where every OS puts them. Each interface gets the addresses its
    /// local routes imply, so source addresses are chosen as on the machine the table came from.
    /// </summary>
    public static RouteSnapshot FromRoutes(IReadOnlyList<NetRouteInfo> routes)
    {
        var loopbackPrefixes = new[] { IPPrefix.Parse("127.0.0.0/8"), IPPrefix.Parse("::1/128") };
        var named = routes
            .Select(r => (r.InterfaceIndex, r.InterfaceAlias, Loopback: r.RouteType == RouteType.Local && loopbackPrefixes.Contains(r.DestinationPrefix)))
            .Concat(routes.SelectMany(r => r.NextHops).Select(h => (h.InterfaceIndex, h.InterfaceAlias, Loopback: false)));
        var interfaces = named
            .Where(n => n.InterfaceIndex > 0 && n.InterfaceAlias is not null)
            .GroupBy(n => n.InterfaceIndex)
            .Select(g => new NetInterfaceInfo(g.Key, g.First().InterfaceAlias!)
            {
                InterfaceType = g.Any(n => n.Loopback) ? InterfaceType.Loopback : InterfaceType.Unknown,
                AdminStatus = AdminStatus.Up,
                Addresses = ImpliedAddresses(routes, g.Key, g.First().InterfaceAlias!),
            })
            .OrderBy(i => i.InterfaceIndex)
            .ToList();
        return new RouteSnapshot(interfaces, routes, Array.Empty<NetRouteRule>());
    }

    /// <summary>
    /// The kernel adds a host route of type local for every address, on the address's device, and an on-link
    /// route for its prefix: the address is the local route's, its length the longest such route's that holds it.
    /// </summary>
    private static IReadOnlyList<NetInterfaceAddress> ImpliedAddresses(IReadOnlyList<NetRouteInfo> routes, int index, string alias)
    {
        var onDevice = routes.Where(r => r.InterfaceIndex == index && r.NextHops.Count == 0).ToList();
        var addresses = new List<NetInterfaceAddress>();
        foreach (var local in onDevice.Where(r => r.RouteType == RouteType.Local && r.DestinationPrefix.IsHost))
        {
            var address = local.DestinationPrefix.Network;
            if (addresses.Any(a => a.IPAddress.Equals(address)))
            {
                continue;
            }

            var length = onDevice
                .Where(r => !r.DestinationPrefix.IsHost && r.DestinationPrefix.Contains(address)
                    && (r.RouteType == RouteType.Local || (r.RouteType == RouteType.Unicast && IsUnspecified(r.NextHop))))
                .Select(r => (int?)r.DestinationPrefix.Length)
                .Max() ?? local.DestinationPrefix.Length;
            addresses.Add(new NetInterfaceAddress(index, alias, address, length) { Scope = ScopeOf(address) });
        }

        return addresses;
    }

    private static bool IsUnspecified(IPAddress address) =>
        address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

    private static AddressScope ScopeOf(IPAddress address) =>
        IPAddress.IsLoopback(address) ? AddressScope.Host
        : address.IsIPv6LinkLocal ? AddressScope.Link
        : AddressScope.Global;

    public NetInterfaceInfo? FindInterface(int index)
    {
        byIndex ??= Interfaces.GroupBy(i => i.InterfaceIndex).ToDictionary(g => g.Key, g => g.First());
        return byIndex.TryGetValue(index, out var found) ? found : null;
    }

    public NetInterfaceInfo? FindInterface(string name) => Interfaces.FirstOrDefault(i => i.Name == name);
}

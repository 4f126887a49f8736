using System.Collections.Generic;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Routing;

namespace PSLoopback.Bench;

/// <summary>
/// A host's routes around a BGP-shaped table: loopback, one uplink (eth0) with addresses of both families, and
/// every random prefix through a gateway on eth0 with no preferred source, so each decision also chooses its source.
/// The gateways are one per family, or one per route (the shape that slowed Resolve-NetRoute down).
/// </summary>
public static class ResolverWorkload
{
    public static RouteSnapshot Snapshot(IPAddressFamily family, int prefixes, bool ownGateways) =>
        Snapshot(family, Prefixes(family, prefixes), ownGateways);

    public static KeyValuePair<IPPrefix, object>[] Prefixes(IPAddressFamily family, int count) =>
        family == IPAddressFamily.IPv4 ? RandomRoutes.Ipv4(count, seed: 4) : RandomRoutes.Ipv6(count, seed: 6);

    public static RouteSnapshot Snapshot(IPAddressFamily family, KeyValuePair<IPPrefix, object>[] prefixes, bool ownGateways)
    {
        var ipv4 = family == IPAddressFamily.IPv4;
        var routes = new List<NetRouteInfo>(prefixes.Length + 2);
        for (var i = 0; i < prefixes.Length; i++)
        {
            routes.Add(new NetRouteInfo
            {
                DestinationPrefix = prefixes[i].Key,
                NextHop = Gateway(ipv4, ownGateways ? i + 1 : 1),
                InterfaceIndex = 2,
                InterfaceAlias = "eth0",
                Protocol = RouteProtocol.Bgp,
            });
        }

        // The host's own routes, from which FromRoutes reads its interfaces and addresses as the cmdlet's what-if path does.
        routes.Add(Local("127.0.0.0/8", 1, "lo"));
        routes.Add(Local("10.0.0.10/32", 2, "eth0"));
        routes.Add(new NetRouteInfo { DestinationPrefix = IPPrefix.Parse("10.0.0.0/8"), InterfaceIndex = 2, InterfaceAlias = "eth0", Scope = AddressScope.Link, Protocol = RouteProtocol.Kernel, PreferredSource = IPAddress.Parse("10.0.0.10") });
        routes.Add(Local("::1/128", 1, "lo"));
        routes.Add(Local("2001:db8::10/128", 2, "eth0"));
        routes.Add(Local("fe80::10/128", 2, "eth0"));
        routes.Add(new NetRouteInfo { DestinationPrefix = IPPrefix.Parse("2001:db8::/64"), NextHop = IPAddress.IPv6Any, InterfaceIndex = 2, InterfaceAlias = "eth0", Protocol = RouteProtocol.Kernel });
        routes.Add(new NetRouteInfo { DestinationPrefix = IPPrefix.Parse("fe80::/64"), NextHop = IPAddress.IPv6Any, InterfaceIndex = 2, InterfaceAlias = "eth0", Protocol = RouteProtocol.Kernel });
        return RouteSnapshot.FromRoutes(routes);
    }

    /// <summary>Half the destinations inside a stored prefix, half anywhere (RandomRoutes' generators).</summary>
    public static RouteQuery[] Queries(IPAddressFamily family, KeyValuePair<IPPrefix, object>[] prefixes, int count)
    {
        if (family == IPAddressFamily.IPv4)
        {
            return RandomRoutes.Ipv4Addresses(prefixes, count, seed: 40)
                .Select(a => new RouteQuery(new IPAddress(new[] { (byte)(a >> 24), (byte)(a >> 16), (byte)(a >> 8), (byte)a })))
                .ToArray();
        }

        var (high, low) = RandomRoutes.Ipv6Addresses(prefixes, count, seed: 60);
        return Enumerable.Range(0, count).Select(i => new RouteQuery(new IPAddress(Bytes(high[i], low[i])))).ToArray();
    }

    private static NetRouteInfo Local(string prefix, int index, string name)
    {
        var parsed = IPPrefix.Parse(prefix);
        return new NetRouteInfo
        {
            DestinationPrefix = parsed,
            NextHop = parsed.AddressFamily == IPAddressFamily.IPv4 ? IPAddress.Any : IPAddress.IPv6Any,
            InterfaceIndex = index,
            InterfaceAlias = name,
            Table = RouteTables.Local,
            RouteType = RouteType.Local,
            Scope = AddressScope.Host,
            Protocol = RouteProtocol.Kernel,
        };
    }

    // IPv4 gateways in 10.0.0.0/8 on eth0's subnet; IPv6 ones link-local, as BGP peers' usually are.
    private static IPAddress Gateway(bool ipv4, int n) => ipv4
        ? new IPAddress(new[] { (byte)10, (byte)(n >> 16), (byte)(n >> 8), (byte)n })
        : new IPAddress(Bytes(0xfe80_0000_0000_0000UL, (ulong)n));

    private static byte[] Bytes(ulong high, ulong low)
    {
        var bytes = new byte[16];
        for (var i = 0; i < 8; i++)
        {
            bytes[i] = (byte)(high >> (56 - (8 * i)));
            bytes[8 + i] = (byte)(low >> (56 - (8 * i)));
        }

        return bytes;
    }
}

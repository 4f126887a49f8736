using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using BenchmarkDotNet.Attributes;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;
using PSLoopback.Routing;

namespace PSLoopback.Bench;

/// <summary>
/// Whole decisions of the Windows model (longest prefix, usable routes, route metric plus interface metric, next
/// hop, source, the decision object) over a snapshot shaped as Windows reports one: a loopback interface and two
/// uplinks with their interface metrics, the routes Windows adds for their addresses, a default route on each
/// uplink (so a default decision compares two sums), and a BGP-shaped table through the wired uplink, or none
/// (Prefixes = 0: a host's own table). A batch of destinations per operation, half inside a stored prefix; the
/// baseline in the same run is the bare longest-prefix match of the same addresses in a PrefixTable of the same
/// prefixes, so the ratio is what the rest of the decision costs on top of the table.
/// </summary>
[Config(typeof(ShortJobConfig))]
public class WindowsResolverBenchmarks
{
    private const int Lookups = 100_000;

    // A host's table still gets its destinations spread as a BGP table's are: most of them take a default route.
    private const int HostQueryPrefixes = 1_000;

    private WindowsRouteResolver resolver = null!;
    private RouteQuery[] queries = null!;
    private TableLookups lookups = null!;

    [Params(IPAddressFamily.IPv4, IPAddressFamily.IPv6)]
    public IPAddressFamily Family { get; set; }

    [Params(0, 1_000, 100_000, 1_000_000)]
    public int Prefixes { get; set; }

    [GlobalSetup]
    public void SetUp()
    {
        var bgp = Prefixes == 0 ? Array.Empty<KeyValuePair<IPPrefix, object>>() : ResolverWorkload.Prefixes(Family, Prefixes);
        var snapshot = Snapshot(Family, bgp);
        resolver = new WindowsRouteResolver(snapshot);
        queries = ResolverWorkload.Queries(Family, Prefixes == 0 ? ResolverWorkload.Prefixes(Family, HostQueryPrefixes) : bgp, Lookups);
        lookups = new TableLookups(Family, snapshot.Routes
            .Where(r => r.AddressFamily == Family)
            .Select(r => r.DestinationPrefix)
            .Distinct()
            .Select(p => new KeyValuePair<IPPrefix, object>(p, p)), queries);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Lookups)]
    public int TableOnly() => lookups.Count();

    [Benchmark(OperationsPerInvoke = Lookups)]
    public int Resolve()
    {
        var routed = 0;
        foreach (var query in queries)
        {
            if (resolver.Resolve(query).Error == RouteError.None)
            {
                routed++;
            }
        }

        return routed;
    }

    /// <summary>
    /// Loopback (metric 75), Ethernet (25) and Wi-Fi (35) with both families' addresses and the routes Windows adds
    /// for them, and the BGP prefixes via Ethernet; read back as a saved Windows snapshot is, so Windows' table checks
    /// pass over it.
    /// </summary>
    public static RouteSnapshot Snapshot(IPAddressFamily family, KeyValuePair<IPPrefix, object>[] bgp)
    {
        var interfaces = new[]
        {
            Interface(1, "Loopback Pseudo-Interface 1", 75, InterfaceType.Loopback, "127.0.0.1/8", "::1/128"),
            Interface(4, "Ethernet", 25, InterfaceType.Ethernet, "10.0.0.10/8", "2001:db8::10/64", "fe80::10/64"),
            Interface(7, "Wi-Fi", 35, InterfaceType.Wireless, "172.16.0.20/12", "2001:db8:1::20/64", "fe80::20/64"),
        };
        var routes = new List<NetRouteInfo>(bgp.Length + 32);
        foreach (var device in interfaces)
        {
            foreach (var address in device.Addresses)
            {
                var host = address.IPAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
                routes.Add(Route(new IPPrefix(address.IPAddress, address.PrefixLength), null, device, 256));
                routes.Add(Route(new IPPrefix(address.IPAddress, host), null, device, 256));
            }

            routes.Add(Route(IPPrefix.Parse("224.0.0.0/4"), null, device, 256));
            routes.Add(Route(IPPrefix.Parse("255.255.255.255/32"), null, device, 256));
            routes.Add(Route(IPPrefix.Parse("ff00::/8"), null, device, 256));
        }

        routes.Add(Route(IPPrefix.Parse("0.0.0.0/0"), IPAddress.Parse("10.0.0.1"), interfaces[1], 0));
        routes.Add(Route(IPPrefix.Parse("0.0.0.0/0"), IPAddress.Parse("172.16.0.1"), interfaces[2], 0));
        routes.Add(Route(IPPrefix.Parse("::/0"), IPAddress.Parse("fe80::1"), interfaces[1], 0));
        routes.Add(Route(IPPrefix.Parse("::/0"), IPAddress.Parse("fe80::2"), interfaces[2], 0));
        var gateway = IPAddress.Parse(family == IPAddressFamily.IPv4 ? "10.0.0.1" : "fe80::1");
        foreach (var prefix in bgp)
        {
            routes.Add(Route(prefix.Key, gateway, interfaces[1], 20));
        }

        return SavedSnapshot.Build(interfaces, routes, Array.Empty<NetRouteRule>(), Array.Empty<int>(), HostOS.Windows);
    }

    private static SavedInterface Interface(int index, string name, uint metric, InterfaceType type, params string[] addresses) => new(index, name)
    {
        InterfaceType = type,
        AdminStatus = AdminStatus.Up,
        Status = InterfaceStatus.Up,
        Addresses = addresses.Select(a => new SavedAddress(IPAddress.Parse(a.Split('/')[0]), IPPrefix.Parse(a).Length)).ToArray(),
        IPInterfaces = new[] { IPAddressFamily.IPv4, IPAddressFamily.IPv6 }
            .Select(f => new NetIPInterfaceInfo(index, f) { InterfaceMetric = metric, Connected = true })
            .ToArray(),
    };

    private static NetRouteInfo Route(IPPrefix prefix, IPAddress? via, SavedInterface device, uint metric) => new()
    {
        DestinationPrefix = prefix,
        NextHop = via ?? (prefix.AddressFamily == IPAddressFamily.IPv4 ? IPAddress.Any : IPAddress.IPv6Any),
        InterfaceIndex = device.InterfaceIndex,
        InterfaceAlias = device.Name,
        RouteMetric = metric,
        Table = RouteTables.Unspecified,
    };
}

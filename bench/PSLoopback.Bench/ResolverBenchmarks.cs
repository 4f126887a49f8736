using System.Linq;
using System.Net;
using BenchmarkDotNet.Attributes;
using PSLoopback.Addressing;
using PSLoopback.Routing;

namespace PSLoopback.Bench;

/// <summary>
/// Whole routing decisions (rules, table, route order, next hop, the decision object), not just the table:
/// a batch of 100,000 IPv4 destinations per operation over a main table of random routes plus a default.
/// </summary>
[Config(typeof(ShortJobConfig))]
public class ResolverBenchmarks
{
    private const int Lookups = 100_000;

    private LinuxRouteResolver resolver = null!;
    private RouteQuery[] queries = null!;

    [Params(1_000, 100_000, 1_000_000)]
    public int Prefixes { get; set; }

    [GlobalSetup]
    public void SetUp()
    {
        var prefixes = RandomRoutes.Ipv4(Prefixes, seed: 4);
        var gateway = IPAddress.Parse("192.0.2.1");
        var routes = prefixes
            .Select(p => new NetRouteInfo
            {
                DestinationPrefix = p.Key,
                NextHop = p.Key.IsDefault ? gateway : IPAddress.Parse("192.0.2.2"),
                InterfaceIndex = 2,
                InterfaceAlias = "eth0",
                PreferredSource = IPAddress.Parse("192.0.2.10"),
            })
            .ToArray();
        resolver = new LinuxRouteResolver(RouteSnapshot.FromRoutes(routes));
        queries = RandomRoutes.Ipv4Addresses(prefixes, Lookups, seed: 40)
            .Select(a => new RouteQuery(new IPAddress(new[] { (byte)(a >> 24), (byte)(a >> 16), (byte)(a >> 8), (byte)a })))
            .ToArray();
    }

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
}

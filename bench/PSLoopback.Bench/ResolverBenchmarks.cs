using System;
using System.Linq;
using BenchmarkDotNet.Attributes;
using PSLoopback.Addressing;
using PSLoopback.Routing;

namespace PSLoopback.Bench;

/// <summary>
/// Whole routing decisions (rules, table, route order, next hop, source, the decision object), not just the
/// table: a batch of 100,000 destinations per operation, half inside a stored prefix, over a BGP-shaped table of
/// either family, with one gateway for all routes or one per route. The baseline in the same run is the bare
/// longest-prefix match of the same addresses in a PrefixTable of the same prefixes: the ratio is what the rest of
/// the decision costs on top of the table. A question of the destination alone is answered in one step from the
/// route's shared answer (LinuxRouteResolver.OneStep.cs); <see cref="ResolveFullWalk"/> asks the same destinations
/// through eth0, which takes the whole walk (rules, route, interfaces), so both costs are shown.
/// <see cref="ResolveMany"/> asks the same questions many at a time (LinuxRouteResolver.Many.cs), a thousand a call
/// into one array of decisions, as a caller streaming through them would.
/// </summary>
[Config(typeof(ShortJobConfig))]
public class ResolverBenchmarks
{
    private const int Lookups = 100_000;

    private const int ManyAtOnce = 1_000;

    private LinuxRouteResolver resolver = null!;
    private RouteQuery[] queries = null!;
    private RouteQuery[] throughEth0 = null!;
    private TableLookups lookups = null!;
    private RouteDecision[] decisions = null!;

    [Params(IPAddressFamily.IPv4, IPAddressFamily.IPv6)]
    public IPAddressFamily Family { get; set; }

    [Params(1_000, 100_000, 1_000_000)]
    public int Prefixes { get; set; }

    [Params(false, true)]
    public bool OwnGateways { get; set; }

    [GlobalSetup]
    public void SetUp()
    {
        var prefixes = ResolverWorkload.Prefixes(Family, Prefixes);
        resolver = new LinuxRouteResolver(ResolverWorkload.Snapshot(Family, prefixes, OwnGateways));
        queries = ResolverWorkload.Queries(Family, prefixes, Lookups);
        throughEth0 = queries.Select(q => new RouteQuery(q.Destination) { OutputInterfaceIndex = 2 }).ToArray();
        lookups = new TableLookups(Family, prefixes, queries);
        decisions = new RouteDecision[ManyAtOnce];
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Lookups)]
    public int TableOnly() => lookups.Count();

    [Benchmark(OperationsPerInvoke = Lookups)]
    public int Resolve() => Routed(queries);

    [Benchmark(OperationsPerInvoke = Lookups)]
    public int ResolveMany()
    {
        var routed = 0;
        for (var start = 0; start < queries.Length; start += ManyAtOnce)
        {
            resolver.Resolve(new ArraySegment<RouteQuery>(queries, start, ManyAtOnce), decisions);
            foreach (var decision in decisions)
            {
                if (decision.Error == RouteError.None)
                {
                    routed++;
                }
            }
        }

        return routed;
    }

    [Benchmark(OperationsPerInvoke = Lookups)]
    public int ResolveFullWalk() => Routed(throughEth0);

    private int Routed(RouteQuery[] asked)
    {
        var routed = 0;
        foreach (var query in asked)
        {
            if (resolver.Resolve(query).Error == RouteError.None)
            {
                routed++;
            }
        }

        return routed;
    }
}

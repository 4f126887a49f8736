using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using PSLoopback.Addressing;
using PSLoopback.Routing;

namespace PSLoopback.Bench;

/// <summary>
/// Longest-prefix lookups on the fast paths, a batch of a million pre-generated addresses per operation, so the
/// reported time is per lookup and Op/s is lookups per second, for the table and for the previous structure on the
/// same prefixes and addresses: per family and size, Ratio is PrefixTable / PreviousPrefixTable (issue 11's target:
/// 100 million IPv4 lookups a second at 1,000,000 prefixes, 50 million IPv6). IPv6Batch looks the same
/// addresses up all at once through PrefixTable.FindNodes, then reads each value as the one-at-a-time ones do.
/// </summary>
[Config(typeof(ShortJobConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
[CategoriesColumn]
public class PrefixTableLookupBenchmarks
{
    private const int Lookups = 1_000_000;

    // Each benchmark runs in its own process and builds only the table it measures, so neither shares the cache.
    private PrefixTable<object> table = null!;
    private PreviousPrefixTable<object> previous = null!;
    private uint[] ipv4Addresses = null!;
    private ulong[] ipv6High = null!;
    private ulong[] ipv6Low = null!;
    private int[] nodes = null!;

    [Params(1_000, 100_000, 1_000_000)]
    public int Prefixes { get; set; }

    [GlobalSetup(Target = nameof(IPv4))]
    public void SetUpIPv4() => table = PrefixTable<object>.Build(IPAddressFamily.IPv4, Ipv4Routes());

    [GlobalSetup(Target = nameof(PreviousIPv4))]
    public void SetUpPreviousIPv4() => previous = PreviousPrefixTable<object>.Build(IPAddressFamily.IPv4, Ipv4Routes());

    [GlobalSetup(Targets = new[] { nameof(IPv6), nameof(IPv6Batch) })]
    public void SetUpIPv6() => table = PrefixTable<object>.Build(IPAddressFamily.IPv6, Ipv6Routes());

    [GlobalSetup(Target = nameof(PreviousIPv6))]
    public void SetUpPreviousIPv6() => previous = PreviousPrefixTable<object>.Build(IPAddressFamily.IPv6, Ipv6Routes());

    [Benchmark(Baseline = true, OperationsPerInvoke = Lookups)]
    [BenchmarkCategory("IPv4")]
    public int PreviousIPv4()
    {
        var found = 0;
        foreach (var address in ipv4Addresses)
        {
            if (previous.LongestMatch(address) is not null)
            {
                found++;
            }
        }

        return found;
    }

    [Benchmark(OperationsPerInvoke = Lookups)]
    [BenchmarkCategory("IPv4")]
    public int IPv4()
    {
        var found = 0;
        foreach (var address in ipv4Addresses)
        {
            if (table.LongestMatch(address) is not null)
            {
                found++;
            }
        }

        return found;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Lookups)]
    [BenchmarkCategory("IPv6")]
    public int PreviousIPv6()
    {
        var found = 0;
        for (var i = 0; i < ipv6High.Length; i++)
        {
            if (previous.LongestMatch(ipv6High[i], ipv6Low[i]) is not null)
            {
                found++;
            }
        }

        return found;
    }

    [Benchmark(OperationsPerInvoke = Lookups)]
    [BenchmarkCategory("IPv6")]
    public int IPv6()
    {
        var found = 0;
        for (var i = 0; i < ipv6High.Length; i++)
        {
            if (table.LongestMatch(ipv6High[i], ipv6Low[i]) is not null)
            {
                found++;
            }
        }

        return found;
    }

    [Benchmark(OperationsPerInvoke = Lookups)]
    [BenchmarkCategory("IPv6")]
    public int IPv6Batch()
    {
        table.FindNodes(ipv6High, ipv6Low, 0, Lookups, nodes);
        return Found();
    }

    private int Found()
    {
        var found = 0;
        foreach (var node in nodes)
        {
            if (table.ValueAt(node) is not null)
            {
                found++;
            }
        }

        return found;
    }

    private KeyValuePair<IPPrefix, object>[] Ipv4Routes()
    {
        nodes = new int[Lookups];
        var routes = RandomRoutes.Ipv4(Prefixes, seed: 4);
        ipv4Addresses = RandomRoutes.Ipv4Addresses(routes, Lookups, seed: 40);
        return routes;
    }

    private KeyValuePair<IPPrefix, object>[] Ipv6Routes()
    {
        nodes = new int[Lookups];
        var routes = RandomRoutes.Ipv6(Prefixes, seed: 6);
        (ipv6High, ipv6Low) = RandomRoutes.Ipv6Addresses(routes, Lookups, seed: 60);
        return routes;
    }
}

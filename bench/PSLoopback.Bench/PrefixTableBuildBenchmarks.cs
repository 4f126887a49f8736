using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using PSLoopback.Addressing;
using PSLoopback.Routing;

namespace PSLoopback.Bench;

/// <summary>
/// Building a 1,000,000-prefix table from prefixes already parsed, the table and the previous structure on the same
/// prefixes: per family, Ratio is PrefixTable / PreviousPrefixTable. Allocated counts the temporaries too.
/// </summary>
[Config(typeof(ShortJobConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class PrefixTableBuildBenchmarks
{
    private const int Prefixes = 1_000_000;

    private KeyValuePair<IPPrefix, object>[] ipv4 = null!;
    private KeyValuePair<IPPrefix, object>[] ipv6 = null!;

    [GlobalSetup(Targets = new[] { nameof(BuildIPv4), nameof(PreviousBuildIPv4) })]
    public void SetUpIPv4() => ipv4 = RandomRoutes.Ipv4(Prefixes, seed: 4);

    [GlobalSetup(Targets = new[] { nameof(BuildIPv6), nameof(PreviousBuildIPv6) })]
    public void SetUpIPv6() => ipv6 = RandomRoutes.Ipv6(Prefixes, seed: 6);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("IPv4")]
    public PreviousPrefixTable<object> PreviousBuildIPv4() => PreviousPrefixTable<object>.Build(IPAddressFamily.IPv4, ipv4);

    [Benchmark]
    [BenchmarkCategory("IPv4")]
    public PrefixTable<object> BuildIPv4() => PrefixTable<object>.Build(IPAddressFamily.IPv4, ipv4);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("IPv6")]
    public PreviousPrefixTable<object> PreviousBuildIPv6() => PreviousPrefixTable<object>.Build(IPAddressFamily.IPv6, ipv6);

    [Benchmark]
    [BenchmarkCategory("IPv6")]
    public PrefixTable<object> BuildIPv6() => PrefixTable<object>.Build(IPAddressFamily.IPv6, ipv6);
}

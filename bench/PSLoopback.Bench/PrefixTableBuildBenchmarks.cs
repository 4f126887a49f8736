using System.Collections.Generic;
using BenchmarkDotNet.Attributes;
using PSLoopback.Addressing;
using PSLoopback.Routing;

namespace PSLoopback.Bench;

/// <summary>Building a 1,000,000-prefix table from prefixes already parsed; Allocated counts the temporaries too.</summary>
[Config(typeof(ShortJobConfig))]
public class PrefixTableBuildBenchmarks
{
    private const int Prefixes = 1_000_000;

    private KeyValuePair<IPPrefix, object>[] ipv4 = null!;
    private KeyValuePair<IPPrefix, object>[] ipv6 = null!;

    [GlobalSetup(Target = nameof(BuildIPv4))]
    public void SetUpIPv4() => ipv4 = RandomRoutes.Ipv4(Prefixes, seed: 4);

    [GlobalSetup(Target = nameof(BuildIPv6))]
    public void SetUpIPv6() => ipv6 = RandomRoutes.Ipv6(Prefixes, seed: 6);

    [Benchmark]
    public PrefixTable<object> BuildIPv4() => PrefixTable<object>.Build(IPAddressFamily.IPv4, ipv4);

    [Benchmark]
    public PrefixTable<object> BuildIPv6() => PrefixTable<object>.Build(IPAddressFamily.IPv6, ipv6);
}

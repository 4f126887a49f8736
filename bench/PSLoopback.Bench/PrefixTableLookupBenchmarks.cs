using BenchmarkDotNet.Attributes;
using PSLoopback.Addressing;
using PSLoopback.Routing;

namespace PSLoopback.Bench;

/// <summary>
/// Longest-prefix lookups on the fast paths, a batch of a million pre-generated addresses per operation, so the
/// reported time is per lookup and Op/s is lookups per second (the target: 20 million IPv4 at 1,000,000 prefixes).
/// </summary>
[Config(typeof(ShortJobConfig))]
public class PrefixTableLookupBenchmarks
{
    private const int Lookups = 1_000_000;

    private PrefixTable<object> table = null!;
    private uint[] ipv4Addresses = null!;
    private ulong[] ipv6High = null!;
    private ulong[] ipv6Low = null!;

    [Params(1_000, 100_000, 1_000_000)]
    public int Prefixes { get; set; }

    [GlobalSetup(Target = nameof(IPv4))]
    public void SetUpIPv4()
    {
        var routes = RandomRoutes.Ipv4(Prefixes, seed: 4);
        table = PrefixTable<object>.Build(IPAddressFamily.IPv4, routes);
        ipv4Addresses = RandomRoutes.Ipv4Addresses(routes, Lookups, seed: 40);
    }

    [GlobalSetup(Target = nameof(IPv6))]
    public void SetUpIPv6()
    {
        var routes = RandomRoutes.Ipv6(Prefixes, seed: 6);
        table = PrefixTable<object>.Build(IPAddressFamily.IPv6, routes);
        (ipv6High, ipv6Low) = RandomRoutes.Ipv6Addresses(routes, Lookups, seed: 60);
    }

    [Benchmark(OperationsPerInvoke = Lookups)]
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

    [Benchmark(OperationsPerInvoke = Lookups)]
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
}

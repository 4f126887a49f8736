using BenchmarkDotNet.Attributes;
using PSLoopback.Addressing;
using PSLoopback.Routing;

namespace PSLoopback.Bench;

/// <summary>
/// The baseline: a naive scan of every prefix for the longest that matches, against the table, both on the same
/// 1,000 IPv4 prefixes and the same 10,000 addresses, so BenchmarkDotNet's Ratio column compares them directly.
/// </summary>
[Config(typeof(ShortJobConfig))]
public class PrefixTableLinearScanBenchmarks
{
    private const int Prefixes = 1_000;
    private const int Lookups = 10_000;

    private PrefixTable<object> table = null!;
    private uint[] networks = null!;
    private uint[] masks = null!;
    private int[] lengths = null!;
    private object[] values = null!;
    private uint[] addresses = null!;

    [GlobalSetup]
    public void SetUp()
    {
        var routes = RandomRoutes.Ipv4(Prefixes, seed: 4);
        table = PrefixTable<object>.Build(IPAddressFamily.IPv4, routes);
        addresses = RandomRoutes.Ipv4Addresses(routes, Lookups, seed: 40);
        networks = new uint[routes.Length];
        masks = new uint[routes.Length];
        lengths = new int[routes.Length];
        values = new object[routes.Length];
        for (var i = 0; i < routes.Length; i++)
        {
            networks[i] = (uint)(RandomRoutes.Numbers(routes[i].Key.Network).High >> 32);
            lengths[i] = routes[i].Key.Length;
            masks[i] = lengths[i] == 0 ? 0 : uint.MaxValue << (32 - lengths[i]);
            values[i] = routes[i].Value;
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Lookups)]
    public int LinearScan()
    {
        var found = 0;
        foreach (var address in addresses)
        {
            var best = -1;
            for (var i = 0; i < networks.Length; i++)
            {
                if ((address & masks[i]) == networks[i] && (best < 0 || lengths[i] > lengths[best]))
                {
                    best = i;
                }
            }

            if (best >= 0 && values[best] is not null)
            {
                found++;
            }
        }

        return found;
    }

    [Benchmark(OperationsPerInvoke = Lookups)]
    public int PrefixTable()
    {
        var found = 0;
        foreach (var address in addresses)
        {
            if (table.LongestMatch(address) is not null)
            {
                found++;
            }
        }

        return found;
    }
}

using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using PSLoopback.Addressing;
using PSLoopback.Routing;

namespace PSLoopback.Bench;

/// <summary>
/// Building a LinuxRouteResolver over 1,000,000 BGP-shaped routes: each invocation is one build (seconds, so a
/// few single-shot iterations). The global setup first prints what a built resolver keeps on the heap.
/// </summary>
[Config(typeof(Config))]
public class ResolverBuildBenchmarks
{
    private RouteSnapshot snapshot = null!;

    [Params(IPAddressFamily.IPv4, IPAddressFamily.IPv6)]
    public IPAddressFamily Family { get; set; }

    [Params(false, true)]
    public bool OwnGateways { get; set; }

    [GlobalSetup]
    public void SetUp()
    {
        snapshot = ResolverWorkload.Snapshot(Family, 1_000_000, OwnGateways);
        ResolverMemoryReport.Print($"{Family}, {(OwnGateways ? "a gateway per route" : "one gateway")}", snapshot);
    }

    [Benchmark]
    public LinuxRouteResolver Build() => new(snapshot);

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(5).WithId("Build"));
            AddDiagnoser(MemoryDiagnoser.Default);
        }
    }
}

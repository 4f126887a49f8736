using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;

namespace PSLoopback.Bench;

/// <summary>
/// One process, 3 warm-up and 9 measured iterations of about half a second each: enough for a stable median on a
/// shared machine while a full run of the PrefixTable benchmarks stays within about ten minutes on 2 cores.
/// </summary>
public sealed class ShortJobConfig : ManualConfig
{
    public ShortJobConfig()
    {
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(9).WithId("Short"));

        // With OperationsPerInvoke set to the batch size, Op/s is lookups per second.
        AddColumn(StatisticColumn.Median, StatisticColumn.OperationsPerSecond);
        AddDiagnoser(MemoryDiagnoser.Default);
    }
}

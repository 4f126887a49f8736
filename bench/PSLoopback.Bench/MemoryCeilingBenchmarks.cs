using System;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace PSLoopback.Bench;

/// <summary>
/// What this machine's memory allows a lookup, measured in the same run as the lookups: random int reads over one
/// array of 1-64 MB, a million pre-generated start indexes per operation (OperationsPerInvoke, as the lookup
/// benchmarks), so Op/s compares directly with lookups per second. <c>OneRead</c> reads once per index; the chains
/// read two or three times, each read's value the next one's index, as a lookup reads a node and then the answer it
/// names. The indexes are independent of one another, as the lookups' addresses are, so the processor overlaps the
/// reads of different indexes exactly as far as it overlaps different lookups.
/// </summary>
[Config(typeof(ShortJobConfig))]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByParams)]
public class MemoryCeilingBenchmarks
{
    private const int Reads = 1_000_000;

    private int[] data = null!;
    private int[] starts = null!;

    [Params(1, 4, 8, 16, 32, 64)]
    public int Megabytes { get; set; }

    [GlobalSetup]
    public void SetUp()
    {
        // Every entry is a random index into the array itself, so a value read is where the next read goes.
        var random = new Random(Megabytes);
        data = new int[Megabytes << 18];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = random.Next(data.Length);
        }

        starts = new int[Reads];
        for (var i = 0; i < starts.Length; i++)
        {
            starts[i] = random.Next(data.Length);
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Reads)]
    public int OneRead()
    {
        var array = data;
        var sum = 0;
        foreach (var start in starts)
        {
            sum += array[start];
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Reads)]
    public int TwoDependentReads()
    {
        var array = data;
        var sum = 0;
        foreach (var start in starts)
        {
            sum += array[array[start]];
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Reads)]
    public int ThreeDependentReads()
    {
        var array = data;
        var sum = 0;
        foreach (var start in starts)
        {
            sum += array[array[array[start]]];
        }

        return sum;
    }
}

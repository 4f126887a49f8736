using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using BenchmarkDotNet.Running;
using PSLoopback.Addressing;
using PSLoopback.Routing;

namespace PSLoopback.Bench;

public static class Program
{
    private static readonly int[] Sizes = { 1_000, 100_000, 1_000_000 };

    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--interleaved")
        {
            Interleave(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000);
            return;
        }

        if (WantsPrefixTableReport(args))
        {
            ReportTableSizes();
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }

    // The report takes about half a minute; a run filtered to other benchmarks (the resolver's, the sockets') or
    // one that only lists them skips it.
    private static bool WantsPrefixTableReport(string[] args)
    {
        if (args.Contains("--list") || args.Contains("--info") || args.Contains("--help") || args.Contains("-h"))
        {
            return false;
        }

        var filters = args.SkipWhile(a => a != "--filter" && a != "-f").Skip(1).TakeWhile(a => !a.StartsWith("-", StringComparison.Ordinal)).ToList();
        return filters.Count == 0 || filters.Any(f => f == "*" || f.IndexOf("PrefixTable", StringComparison.OrdinalIgnoreCase) >= 0);
    }

    // BenchmarkDotNet runs one benchmark after another, each in its own process, so on a shared machine a change of
    // load between them moves the ratio. This runs the IPv4 lookups of both structures and the 16 MB memory ceiling
    // in one process, in turn, a batch of a million each, 31 rounds after 40 to warm up (past the JIT's tiering),
    // and prints each one's median and the ratio: every batch of one has a batch of the other next to it in time.
    private static void Interleave(int prefixes)
    {
        var lookups = new PrefixTableLookupBenchmarks { Prefixes = prefixes };
        lookups.SetUpIPv4();
        lookups.SetUpPreviousIPv4();
        var ceiling = new MemoryCeilingBenchmarks { Megabytes = 16 };
        ceiling.SetUp();
        var runs = new (string Name, Func<int> Run)[]
        {
            ("PreviousIPv4", lookups.PreviousIPv4),
            ("IPv4", lookups.IPv4),
            ("OneRead 16 MB", ceiling.OneRead),
            ("TwoDependentReads 16 MB", ceiling.TwoDependentReads),
        };
        var times = runs.Select(_ => new List<double>()).ToArray();
        for (var round = 0; round < 71; round++)
        {
            for (var i = 0; i < runs.Length; i++)
            {
                var clock = Stopwatch.StartNew();
                runs[i].Run();
                if (round >= 40)
                {
                    // A million operations a batch: milliseconds a batch are nanoseconds an operation.
                    times[i].Add(clock.Elapsed.TotalMilliseconds);
                }
            }
        }

        var medians = times.Select(t => t.OrderBy(x => x).ElementAt(t.Count / 2)).ToArray();
        Console.WriteLine($"Interleaved, {prefixes:N0} IPv4 prefixes, medians of 31 batches of 1,000,000:");
        for (var i = 0; i < runs.Length; i++)
        {
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "  {0,-24} {1,8:F2} ns {2,12:N0} /s  ratio to PreviousIPv4 {3:F2}", runs[i].Name, medians[i], 1e9 / medians[i], medians[i] / medians[0]));
        }
    }

    // BenchmarkDotNet's Allocated column counts what a build allocates, temporaries included; what a table keeps is
    // the heap after a forced collection, less the heap before it with the routes already made. Each structure is
    // built twice: the first build pays for the JIT (what a cmdlet's first call sees), the second does not.
    private static void ReportTableSizes()
    {
        Console.WriteLine("Memory kept by a table (GC heap after Build less before) and build time (the first build in the process also pays for the JIT):");
        foreach (var (name, family) in new[] { ("IPv4", IPAddressFamily.IPv4), ("IPv6", IPAddressFamily.IPv6) })
        {
            foreach (var size in Sizes)
            {
                var routes = family == IPAddressFamily.IPv4 ? RandomRoutes.Ipv4(size, seed: 4) : RandomRoutes.Ipv6(size, seed: 6);
                Report(name, "PrefixTable", routes, r => PrefixTable<object>.Build(family, r));
                Report(name, "PreviousPrefixTable", routes, r => PreviousPrefixTable<object>.Build(family, r));
            }
        }
    }

    private static void Report(string family, string structure, KeyValuePair<IPPrefix, object>[] routes, Func<KeyValuePair<IPPrefix, object>[], object> build)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();
        var table = build(routes);
        var first = clock.Elapsed;
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(table);
        table = null;
        clock.Restart();
        var again = build(routes);
        var second = clock.Elapsed;
        GC.KeepAlive(again);
        Console.WriteLine(string.Format(
            CultureInfo.InvariantCulture,
            "  {0} {1,-20} {2,9:N0} prefixes: {3,7:F2} MB kept, built in {4,6:F3} s, again in {5,6:F3} s",
            family,
            structure,
            routes.Length,
            (after - before) / 1048576.0,
            first.TotalSeconds,
            second.TotalSeconds));
        GC.KeepAlive(routes);
    }
}

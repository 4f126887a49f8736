using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Running;
using PSLoopback.Addressing;
using PSLoopback.Routing;

namespace PSLoopback.Bench;

public static class Program
{
    public static void Main(string[] args)
    {
        // BenchmarkDotNet's Allocated column counts what a build allocates, temporaries included; what the table
        // keeps is the heap after a forced collection, less the heap before it with the routes already made.
        ReportTableSize("IPv4", IPAddressFamily.IPv4, RandomRoutes.Ipv4(1_000_000, seed: 4));
        ReportTableSize("IPv6", IPAddressFamily.IPv6, RandomRoutes.Ipv6(1_000_000, seed: 6));
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }

    private static void ReportTableSize(string name, IPAddressFamily family, KeyValuePair<IPPrefix, object>[] routes)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();
        var table = PrefixTable<object>.Build(family, routes);
        clock.Stop();
        var after = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine(string.Format(
            CultureInfo.InvariantCulture,
            "{0} table of {1:N0} prefixes: {2:F1} MB kept, built in {3:F2} s (first build, cold).",
            name,
            table.Count,
            (after - before) / 1048576.0,
            clock.Elapsed.TotalSeconds));
        GC.KeepAlive(table);
        GC.KeepAlive(routes);
    }
}

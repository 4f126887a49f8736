using System;
using System.Diagnostics;
using System.Globalization;
using PSLoopback.Routing;

namespace PSLoopback.Bench;

/// <summary>
/// What a resolver keeps: the heap after a forced collection with the resolver built, less the heap before it with
/// the snapshot (routes, interfaces) already made, as Program.cs reports for the table. Allocated in the build
/// benchmark counts the build's temporaries too.
/// </summary>
public static class ResolverMemoryReport
{
    public static void Print(string name, RouteSnapshot snapshot)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();
        var resolver = new LinuxRouteResolver(snapshot);
        clock.Stop();
        var after = GC.GetTotalMemory(forceFullCollection: true);
        Console.WriteLine(string.Format(
            CultureInfo.InvariantCulture,
            "// Resolver over {0:N0} routes ({1}): {2:F1} MB kept, built in {3:F2} s (first build, cold).",
            snapshot.Routes.Count,
            name,
            (after - before) / 1048576.0,
            clock.Elapsed.TotalSeconds));
        GC.KeepAlive(resolver);
    }
}

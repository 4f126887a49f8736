using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using PSLoopback.Core.Tests.Support;
using PSLoopback.Routing;
using Xunit;

namespace PSLoopback.Core.Tests.Routing;

// Resolve over many questions (LinuxRouteResolver.Many.cs) looks up a block of them before it decides any: each of its
// decisions must be the one Resolve gives alone, and so the explained walk's, whatever the mix of questions in a block.
public class ManyDecisionTests
{
    [Fact]
    public void EachOfManyDecisionsIsTheOneResolveGivesOnRandomHosts()
    {
        var failures = new List<string>();
        for (var seed = 1; seed <= 300 && failures.Count < 5; seed++)
        {
            var random = new Random(seed);
            var resolver = new LinuxRouteResolver(OneStepDecisionTests.RandomHost(random));

            // Not a whole number of blocks, so the last one is short.
            var queries = Enumerable.Range(0, 16 + random.Next(40)).Select(_ => OneStepDecisionTests.RandomQuery(random)).ToArray();
            var decisions = new RouteDecision[queries.Length];
            resolver.Resolve(queries, decisions);
            for (var i = 0; i < queries.Length; i++)
            {
                Compare(failures, $"seed {seed} q {i}", decisions[i], resolver.Resolve(queries[i], explain: true));
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n=====\n", failures));
    }

    [Fact]
    public void EachOfManyDecisionsIsTheOneResolveGivesOverALargeTable()
    {
        var random = new Random(11);
        var host = SnapshotBuilder.WithLoopback()
            .Interface(2, "eth0", false, "10.0.0.10/8", "2001:db8::10/64", "fe80::10/64")
            .Route("local 10.0.0.10 dev eth0 table local scope host src 10.0.0.10")
            .Route("local 2001:db8::10 dev eth0 table local")
            .Route("local fe80::10 dev eth0 table local")
            .Route("10.0.0.0/8 dev eth0 scope link src 10.0.0.10")
            .Route("2001:db8::/64 dev eth0")
            .Route("fe80::/64 dev eth0")
            .Route("default via 10.0.0.1 dev eth0")
            .Route("default via fe80::1 dev eth0");
        var prefixes = new List<(ulong High, int Length)>();
        for (var i = 0; i < 3000; i++)
        {
            var length = random.Next(8, 29);
            var network = (uint)random.Next() << 1 & (uint.MaxValue << (32 - length));
            host.Route($"{new IPAddress(BitConverter.GetBytes(System.Net.IPAddress.HostToNetworkOrder((int)network)))}/{length} via 10.0.{i % 7}.1 dev eth0");
            var length6 = random.Next(19, 65);
            var high = ((ulong)(uint)random.Next() << 32 | (uint)random.Next()) >> 3 | 1UL << 61;
            high &= ulong.MaxValue << (64 - length6);
            prefixes.Add((high, length6));
            host.Route($"{Ipv6(high, 0)}/{length6} via fe80::{(i % 5) + 1} dev eth0");
        }

        var resolver = new LinuxRouteResolver(host.Build());
        var queries = new List<RouteQuery>();
        var oneStep = 0;
        for (var i = 0; i < 2000; i++)
        {
            var roll = random.Next(10);
            var (high, length) = prefixes[random.Next(prefixes.Count)];
            var inside = high | ((ulong)random.Next() << 32 | (uint)random.Next()) >> length;
            var destination = roll switch
            {
                0 => IPAddress.Parse(new[] { "224.0.0.1", "239.1.2.3", "0.0.0.0", "255.255.255.255", "10.0.0.10", "2001:db8::10", "ff02::1", "::1" }[random.Next(8)]),
                < 5 => IPAddress.Parse(Ipv6(inside, (ulong)random.Next())),
                _ => new IPAddress(BitConverter.GetBytes(random.Next())),
            };
            var query = new RouteQuery(destination);
            if (random.Next(20) == 0)
            {
                query.OutputInterfaceIndex = 2;
            }

            queries.Add(query);
            oneStep += resolver.TryOneStep(query, explain: false) is null ? 0 : 1;
        }

        // Most of them in one step, as over a BGP table.
        Assert.True(oneStep > queries.Count / 2, $"{oneStep} of {queries.Count} in one step");

        var decisions = new RouteDecision[queries.Count + 3];
        resolver.Resolve(queries, decisions);
        var failures = new List<string>();
        for (var i = 0; i < queries.Count && failures.Count < 5; i++)
        {
            Compare(failures, $"q {i}", decisions[i], resolver.Resolve(queries[i]));
            if (i % 10 == 0)
            {
                Compare(failures, $"q {i} walked", decisions[i], resolver.Resolve(queries[i], explain: true));
            }
        }

        Assert.Null(decisions[queries.Count]);
        Assert.True(failures.Count == 0, string.Join("\n=====\n", failures));
    }

    [Fact]
    public void ManyDecisionsNeedAPlaceForEach()
    {
        var resolver = new LinuxRouteResolver(SnapshotBuilder.WithLoopback().Build());
        var queries = new[] { new RouteQuery(IPAddress.Loopback), new RouteQuery(IPAddress.IPv6Loopback) };
        Assert.Throws<ArgumentException>(() => resolver.Resolve(queries, new RouteDecision[1]));
        Assert.Throws<ArgumentNullException>(() => resolver.Resolve(new RouteQuery[] { null! }, new RouteDecision[1]));
    }

    private static void Compare(List<string> failures, string what, RouteDecision many, RouteDecision alone)
    {
        var (a, b) = (OneStepDecisionTests.Describe(many), OneStepDecisionTests.Describe(alone));
        if (a != b || !ReferenceEquals(many.Route, alone.Route) || many.Rule?.ToString() != alone.Rule?.ToString())
        {
            failures.Add($"{what} {many.Destination}:\nMANY:\n{a}\nALONE:\n{b}");
        }
    }

    private static string Ipv6(ulong high, ulong low)
    {
        var bytes = new byte[16];
        for (var i = 0; i < 8; i++)
        {
            bytes[i] = (byte)(high >> (56 - (8 * i)));
            bytes[8 + i] = (byte)(low >> (56 - (8 * i)));
        }

        return new IPAddress(bytes).ToString();
    }
}

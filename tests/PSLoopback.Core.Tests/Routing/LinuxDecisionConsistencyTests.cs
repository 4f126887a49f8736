using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Core.Tests.Support;
using PSLoopback.Routing;
using Xunit;

namespace PSLoopback.Core.Tests.Routing;

/// <summary>
/// The resolver takes shortcuts when no explanation is asked (no trace, the reason and the paths written only when
/// read, sources remembered per interface). Over random snapshots of rules, tables, multipath routes, nexthop
/// objects and neighbours, a decision without the explanation is the decision with it, field by field, and the same
/// question through a second resolver of the same snapshot, asked in another order, answers the same. A question of
/// a destination alone under the default rules is answered in one step from the route's shared answer, and with the
/// explanation by the whole walk, so the routes include the shapes that answer differs on: on-link, a gateway that is
/// this host's own address, a preferred source (a loopback one too), an mtu, a dead next hop.
/// </summary>
public class LinuxDecisionConsistencyTests
{
    private static readonly string[] Gateways4 = { "192.0.2.2", "192.0.2.3", "198.51.100.2", "198.51.100.3" };
    private static readonly string[] Gateways6 = { "2001:db8:1::2", "2001:db8:1::3", "2001:db8:2::2", "fe80::2" };

    [Theory]
    [MemberData(nameof(Seeds))]
    public void ADecisionWithoutTheExplanationIsTheOneWithItAndAnotherResolversOwn(int seed)
    {
        var random = new Random(seed);
        var snapshot = RandomHost(random).Build();
        var first = new LinuxRouteResolver(snapshot);
        var second = new LinuxRouteResolver(snapshot);
        var queries = Enumerable.Range(0, 60).Select(_ => RandomQuery(random)).ToArray();

        var plain = queries.Select(q => first.Resolve(q)).ToArray();
        var explained = queries.Select(q => first.Resolve(q, explain: true)).ToArray();
        var other = queries.Reverse().Select(q => second.Resolve(q)).Reverse().ToArray();
        for (var i = 0; i < queries.Length; i++)
        {
            AssertSame(plain[i], explained[i], $"seed {seed}, query {i} ({queries[i].Destination}), explained");
            AssertSame(plain[i], other[i], $"seed {seed}, query {i} ({queries[i].Destination}), second resolver");
            Assert.Empty(plain[i].Trace);
            Assert.NotEmpty(explained[i].Trace);
        }
    }

    public static IEnumerable<object[]> Seeds() => Enumerable.Range(1, 40).Select(seed => new object[] { seed });

    private static void AssertSame(RouteDecision expected, RouteDecision actual, string what)
    {
        Assert.True(Describe(expected) == Describe(actual), $"{what}:\n{Describe(expected)}\n---\n{Describe(actual)}");
        Assert.Same(expected.Route, actual.Route);
        // Without rules in the snapshot each resolver makes the kernel's defaults itself.
        Assert.Equal(expected.Rule?.ToString(), actual.Rule?.ToString());
        Assert.Same(expected.RouteException, actual.RouteException);
    }

    private static string Describe(RouteDecision d) => string.Join("\n", new object?[]
    {
        d.Destination, d.RouteType, d.Error, d.InterfaceIndex, d.InterfaceAlias, d.NextHop, d.SourceAddress, d.DestinationPrefix, d.RouteMetric,
        d.Table, d.RulePriority, d.StaysOnHost, d.PathChoice, d.Mtu, d.PathMtu, d.Redirected, d.FromCache, d.Reason,
        string.Join(" | ", d.Paths.Select(p => $"{p} weight {p.Weight} nhid {p.NextHopId}")),
        string.Join(" | ", d.RoutesSharingNextHop.Select(s => $"{s} {s.Path}")),
    }.Select(v => v?.ToString() ?? "(null)"));

    private static SnapshotBuilder RandomHost(Random random)
    {
        var host = SnapshotBuilder.WithLoopback()
            .Interface(2, "eth0", false, "192.0.2.1/24", "2001:db8:1::1/64", "fe80::1/64")
            .Interface(3, "eth1", false, "198.51.100.1/24", "198.51.100.9/24 secondary", "2001:db8:2::1/64")
            .Route("local 192.0.2.1 dev eth0 table local scope host src 192.0.2.1")
            .Route("local 198.51.100.1 dev eth1 table local scope host src 198.51.100.1")
            .Route("192.0.2.0/24 dev eth0 scope link src 192.0.2.1")
            .Route("198.51.100.0/24 dev eth1 scope link src 198.51.100.1")
            .Route("local 2001:db8:1::1 dev eth0 table local")
            .Route("local 2001:db8:2::1 dev eth1 table local")
            .Route("2001:db8:1::/64 dev eth0 metric 256")
            .Route("2001:db8:2::/64 dev eth1 metric 256")
            .Route("fe80::/64 dev eth0 metric 256")
            .NextHop("id 10 via 192.0.2.2 dev eth0")
            .NextHop("id 11 via 198.51.100.2 dev eth1")
            .NextHop("id 12 group 10/11")
            .NextHop("id 20 via 2001:db8:1::2 dev eth0")
            .NextHop("id 21 via 2001:db8:2::2 dev eth1")
            .NextHop("id 22 group 20/21");
        if (random.Next(2) == 0)
        {
            host.Setting("net.ipv4.fib_multipath_hash_seed", random.Next(1, 1000));
        }

        if (random.Next(2) == 0)
        {
            host.Setting("net.ipv4.fib_multipath_use_neigh", 1);
        }

        foreach (var gateway in Gateways4.Concat(Gateways6).Where(_ => random.Next(3) == 0))
        {
            var state = new[] { "REACHABLE", "STALE", "FAILED", "INCOMPLETE" }[random.Next(4)];
            host.Neighbor($"{gateway} dev {(gateway.StartsWith("198.", StringComparison.Ordinal) || gateway.StartsWith("2001:db8:2:", StringComparison.Ordinal) ? "eth1" : "eth0")} {state}");
        }

        var tables = new[] { "main", "100" };
        for (var i = 0; i < 40; i++)
        {
            var ipv4 = random.Next(2) == 0;
            var length = ipv4 ? random.Next(0, 4) == 0 ? 0 : random.Next(8, 25) : random.Next(0, 4) == 0 ? 0 : random.Next(32, 65);
            var prefix = ipv4
                ? length == 0 ? "default" : $"10.{random.Next(4)}.{random.Next(4)}.0/{length}"
                : length == 0 ? "default" : $"2001:db8:{random.Next(100, 104):x}:{random.Next(4):x}::/{length}";
            var table = ipv4 || random.Next(2) == 0 ? " table " + tables[random.Next(tables.Length)] : string.Empty;
            var metric = " metric " + (new[] { 0, 100, 1024 })[random.Next(3)];
            var roll = random.Next(10);
            string text;
            if (roll == 0)
            {
                text = new[] { "unreachable", "blackhole", "prohibit", "throw" }[random.Next(4)] + " " + prefix;
            }
            else if (roll == 1)
            {
                text = $"{prefix} nhid {(ipv4 ? new[] { 10, 11, 12 } : new[] { 20, 21, 22 })[random.Next(3)]}";
            }
            else if (roll == 2)
            {
                var gateways = ipv4 ? Gateways4 : Gateways6.Take(3).ToArray();
                text = $"{prefix} nexthop via {gateways[0]} dev eth0 nexthop via {gateways[2]} dev eth1 weight {random.Next(1, 3)}";
            }
            else if (roll == 3)
            {
                text = prefix + " " + (ipv4
                    ? new[] { "via 192.0.2.1 dev eth0", "dev eth1", "dev eth0 scope link", "via 192.0.2.2 dev lo" }[random.Next(4)]
                    : new[] { "dev eth1", "via fe80::9 dev eth1", "dev eth0 src 2001:db8:2::1" }[random.Next(3)]);
            }
            else
            {
                var gateway = (ipv4 ? Gateways4 : Gateways6)[random.Next(4)];
                var device = gateway.StartsWith("198.", StringComparison.Ordinal) || gateway.StartsWith("2001:db8:2:", StringComparison.Ordinal) ? "eth1" : "eth0";
                text = $"{prefix} via {gateway} dev {device}" + (random.Next(5) == 0 ? " dead" : string.Empty) + (random.Next(6) == 0 ? " mtu 1400" : string.Empty)
                    + (ipv4 && random.Next(6) == 0 ? new[] { " src 192.0.2.1", " src 127.0.0.1", " src 198.51.100.9" }[random.Next(3)] : string.Empty);
            }

            if (ipv4 && random.Next(8) == 0)
            {
                text += " tos 0x10";
            }

            var line = text.StartsWith("default", StringComparison.Ordinal) && !ipv4 ? text.Replace("default", "::/0") : text;
            host.Route(line + metric + (line.Contains(" table ") ? string.Empty : table));
        }

        if (random.Next(2) == 0)
        {
            host.DefaultRules()
                .Rule("100: from 192.0.2.0/24 lookup 100")
                .Rule("200: to 10.1.0.0/16 lookup 100")
                .Rule("300: fwmark 0x1 lookup 100")
                .Rule("0: lookup local", IPAddressFamily.IPv6)
                .Rule("100: from 2001:db8:1::/64 lookup 100", IPAddressFamily.IPv6)
                .Rule("32766: lookup main", IPAddressFamily.IPv6);
        }

        return host;
    }

    private static RouteQuery RandomQuery(Random random)
    {
        var ipv4 = random.Next(2) == 0;
        var destination = ipv4
            ? IPAddress.Parse($"10.{random.Next(5)}.{random.Next(5)}.{random.Next(256)}")
            : IPAddress.Parse($"2001:db8:{random.Next(99, 105):x}:{random.Next(5):x}::{random.Next(1, 300):x}");
        if (random.Next(12) == 0)
        {
            destination = IPAddress.Parse(ipv4 ? new[] { "192.0.2.1", "127.0.0.1", "224.0.0.5", "255.255.255.255" }[random.Next(4)] : new[] { "2001:db8:1::1", "::1", "fe80::7", "ff02::1" }[random.Next(4)]);
        }

        var query = new RouteQuery(destination);
        var roll = random.Next(6);
        if (roll == 0)
        {
            query.Source = IPAddress.Parse(ipv4 ? "192.0.2.1" : "2001:db8:1::1");
        }
        else if (roll == 1)
        {
            query.OutputInterfaceIndex = random.Next(2, 4);
        }
        else if (roll == 2)
        {
            query.Mark = 1;
            query.Tos = 0x10;
        }

        query.SourcePort = (ushort)random.Next(1024, 2048);
        query.DestinationPort = 443;
        return query;
    }
}

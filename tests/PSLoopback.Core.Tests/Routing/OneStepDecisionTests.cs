using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Core.Tests.Support;
using PSLoopback.Interfaces;
using PSLoopback.Routing;
using Xunit;
using Xunit.Abstractions;

namespace PSLoopback.Core.Tests.Routing;

// The one-step answer (LinuxRouteResolver.OneStep.cs) repeats what the full walk would conclude for a question of a
// destination alone; only these comparisons keep the two in step. The hosts carry every shape the one step must
// refuse or get right: local, broadcast and special routes, several routes of a prefix, gateways that are the
// host's own, loopback and foreign preferred sources, flags, missing interfaces, failed routers, custom rules and
// exceptions. The explained walk never takes the one step, so it is the reference.
public class OneStepDecisionTests
{
    private readonly ITestOutputHelper output;

    public OneStepDecisionTests(ITestOutputHelper output) => this.output = output;

    private static readonly string[] G4 = { "192.0.2.2", "192.0.2.3", "198.51.100.2", "192.0.2.1", "203.0.113.7", "127.0.0.1", "10.0.0.1" };
    private static readonly string[] G6 = { "2001:db8:1::2", "fe80::2", "2001:db8:2::2", "fe80::3", "2001:db8:1::1", "::1" };

    [Fact]
    public void TheOneStepAnswerEqualsTheWholeWalkOnRandomHosts()
    {
        var failures = new List<string>();
        var oneStep = 0;
        var total = 0;
        for (var seed = 1; seed <= 600 && failures.Count < 5; seed++)
        {
            var random = new Random(seed);
            var snapshot = RandomHost(random);
            var resolver = new LinuxRouteResolver(snapshot);
            for (var q = 0; q < 80; q++)
            {
                var query = RandomQuery(random);
                total++;
                if (resolver.TryOneStep(query, explain: false) is not null)
                {
                    oneStep++;
                }

                var fast = resolver.Resolve(query);
                var walked = resolver.Resolve(query, explain: true);
                var (a, b) = (Describe(fast), Describe(walked));
                if (a != b || !ReferenceEquals(fast.Route, walked.Route) || fast.Rule?.ToString() != walked.Rule?.ToString())
                {
                    failures.Add($"seed {seed} q {q} {query.Destination}:\nONE STEP:\n{a}\nWALK:\n{b}");
                }
            }
        }

        output.WriteLine($"{total} questions, {oneStep} answered in one step; {Rejected} random route lines refused by the builder");
        Assert.True(failures.Count == 0, string.Join("\n=====\n", failures));

        // Without this the comparison could pass with the one step never taken.
        Assert.True(oneStep > total / 10, $"only {oneStep} of {total} questions took the one step");
    }

    [Theory]
    [InlineData("230.1.2.3", "0.0.0.0", true)]
    [InlineData("224.0.0.9", "0.0.0.0", true)]
    [InlineData("239.1.2.3", "192.0.2.3", false)]
    [InlineData("239.9.2.3", "0.0.0.0", false)]
    public void AMulticastDestinationIsAnsweredInOneStepAsTheWalkAnswersIt(string destination, string nextHop, bool sentOnTheLink)
    {
        // The default route's gateway is not used for a multicast (its prefix is shorter than 224.0.0.0/4); a
        // route inside 224.0.0.0/4 keeps its gateway, and an on-link one stays on the link.
        var resolver = SnapshotBuilder.WithLoopback()
            .Interface(2, "eth0", false, "192.0.2.1/24")
            .Route("192.0.2.0/24 dev eth0 scope link src 192.0.2.1")
            .Route("default via 192.0.2.2 dev eth0")
            .Route("239.1.0.0/16 via 192.0.2.3 dev eth0 mtu 1400")
            .Route("239.9.0.0/16 dev eth0")
            .Resolver();
        var query = new RouteQuery(IPAddress.Parse(destination));

        var fast = resolver.TryOneStep(query, explain: false);
        var walked = resolver.Resolve(query, explain: true);

        Assert.NotNull(fast);
        Assert.Equal(Describe(walked), Describe(fast!));
        Assert.Same(walked.Route, fast!.Route);
        Assert.Equal(RouteType.Multicast, fast.RouteType);
        Assert.Equal(IPAddress.Parse(nextHop), fast.NextHop);
        Assert.Equal(IPAddress.Parse(nextHop), fast.Paths.Single().NextHop);
        Assert.Equal(sentOnTheLink, fast.Reason.EndsWith("; a multicast is sent on the link, without the route's gateway", StringComparison.Ordinal));

        // The unicast answer of the same routes is unchanged.
        Assert.Equal(RouteType.Unicast, resolver.Resolve(new RouteQuery(IPAddress.Parse("8.8.8.8"))).RouteType);
        Assert.Equal(IPAddress.Parse("192.0.2.2"), resolver.Resolve(new RouteQuery(IPAddress.Parse("8.8.8.8"))).NextHop);
    }

    [Theory]
    [InlineData("128.0.0.0/1", "0.0.0.0")]
    [InlineData("224.0.0.0/3", "0.0.0.0")]
    [InlineData("224.0.0.0/4", "192.0.2.3")]
    [InlineData("224.0.0.0/5", "192.0.2.3")]
    public void AMulticastKeepsTheGatewayOfARouteOfAtLeastSlash4Only(string prefix, string nextHop)
    {
        // The kernel's own rule (__mkroute_output: a multicast through a route shorter than /4 is sent without its
        // gateway), pinned by fixed answers: both the one step and the walk share the rule, so comparing them cannot.
        var resolver = SnapshotBuilder.WithLoopback()
            .Interface(2, "eth0", false, "192.0.2.1/24")
            .Route("192.0.2.0/24 dev eth0 scope link src 192.0.2.1")
            .Route(prefix + " via 192.0.2.3 dev eth0")
            .Resolver();
        var query = new RouteQuery(IPAddress.Parse("230.1.2.3"));

        var fast = resolver.TryOneStep(query, explain: false);
        var walked = resolver.Resolve(query, explain: true);

        Assert.NotNull(fast);
        Assert.Equal(IPAddress.Parse(nextHop), fast!.NextHop);
        Assert.Equal(IPAddress.Parse(nextHop), walked.NextHop);
        Assert.Equal(walked.Reason, fast.Reason);
    }

    [Fact]
    public void OneResolverAskedFromManyThreadsAnswersAsAskedOneAtATime()
    {
        for (var seed = 1; seed <= 40; seed++)
        {
            var random = new Random(seed);
            var snapshot = RandomHost(random);
            var queries = Enumerable.Range(0, 1000).Select(_ => RandomQuery(random)).ToArray();
            var alone = new LinuxRouteResolver(snapshot);
            var serial = queries.Select(q => Describe(alone.Resolve(q))).ToArray();
            var shared = new LinuxRouteResolver(snapshot);
            var parallel = new string[queries.Length];
            System.Threading.Tasks.Parallel.For(0, queries.Length, new System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = 4 },
                i => parallel[i] = Describe(shared.Resolve(queries[i], i % 7 == 0)));
            for (var i = 0; i < queries.Length; i++)
            {
                Assert.True(serial[i] == parallel[i], $"seed {seed} q {i}\n{serial[i]}\n---\n{parallel[i]}");
            }
        }
    }

    internal static string Describe(RouteDecision d) => string.Join("\n", new object?[]
    {
        d.Destination, d.RouteType, d.Error, d.InterfaceIndex, d.InterfaceAlias, d.NextHop, d.SourceAddress, d.DestinationPrefix, d.RouteMetric,
        d.Table, d.TableName, d.RulePriority, d.StaysOnHost, d.PathChoice, d.Mtu, d.PathMtu, d.Redirected, d.FromCache, d.Reason, d.ToString(),
        d.InterfaceMetric,
        string.Join(" | ", d.Paths.Select(p => $"{p} nh {p.NextHop} if {p.InterfaceIndex} alias {p.InterfaceAlias} src {p.SourceAddress} weight {p.Weight} nhid {p.NextHopId}")),
        string.Join(" | ", d.RoutesSharingNextHop.Select(s => $"{s} {s.Path}")),
    }.Select(v => v?.ToString() ?? "(null)"));

    // Random route lines the builder refuses (an impossible combination); counted, not failed.
    private static int Rejected;

    internal static RouteSnapshot RandomHost(Random random)
    {
        var host = new SnapshotBuilder();
        host.Interface(1, "lo", loopback: true, "127.0.0.1/8", "::1/128");
        host.Interface(2, "eth0", false, "192.0.2.1/24", "10.0.0.1/8", "2001:db8:1::1/64", "fe80::1/64");
        host.Interface(3, "eth1", false, "198.51.100.1/24", "198.51.100.9/24 secondary", "2001:db8:2::1/64", "2001:db8:2::9/64 deprecated");
        host.Interface(4, "eth2", false);
        if (random.Next(3) == 0)
        {
            host.Route("local 127.0.0.0/8 dev lo table local scope host src 127.0.0.1");
        }

        if (random.Next(2) == 0)
        {
            host.Route("local ::1 dev lo table local");
        }

        if (random.Next(2) == 0)
        {
            host.Route("::1 dev lo metric 256");
        }

        if (random.Next(2) == 0)
        {
            host.Route("127.0.0.0/8 dev lo");
        }

        if (random.Next(2) == 0)
        {
            host.Route("multicast ff00::/8 dev eth0 table local metric 256");
        }

        if (random.Next(2) == 0)
        {
            host.Route("ff00::/8 dev eth0 metric 256");
        }

        if (random.Next(2) == 0)
        {
            host.Route("224.0.0.0/4 dev eth0");
        }

        host.Route("local 192.0.2.1 dev eth0 table local scope host src 192.0.2.1");
        if (random.Next(2) == 0)
        {
            host.Route("broadcast 192.0.2.255 dev eth0 table local scope link src 192.0.2.1");
            host.Route("broadcast 10.255.255.255 dev eth0 table local scope link src 10.0.0.1");
        }

        if (random.Next(2) == 0)
        {
            host.Route("local 10.0.0.1 dev eth0 table local scope host src 10.0.0.1");
        }

        host.Route("192.0.2.0/24 dev eth0 scope link src 192.0.2.1");
        if (random.Next(3) == 0)
        {
            for (var l = 1; l <= 40; l++)
            {
                host.Route($"local 2001:db8:65:1::{l:x} dev eth0 table local");
            }

            host.Route("anycast 2001:db8:65:2:: dev eth0 table local");
        }
        host.Route("local 2001:db8:1::1 dev eth0 table local");
        host.Route("fe80::/64 dev eth0 metric 256");
        if (random.Next(2) == 0)
        {
            host.Route("fe80::/64 dev eth1 metric 256");
        }

        foreach (var gateway in G4.Concat(G6).Where(_ => random.Next(3) == 0))
        {
            var state = new[] { "REACHABLE", "STALE", "FAILED", "INCOMPLETE", "PERMANENT" }[random.Next(5)];
            host.Neighbor($"{gateway} dev {(random.Next(2) == 0 ? "eth0" : "eth1")} {state}");
        }

        if (random.Next(2) == 0)
        {
            host.Setting("net.ipv6.conf.all.forwarding", 1);
        }

        if (random.Next(3) == 0)
        {
            host.Setting("net.ipv4.fib_multipath_hash_seed", random.Next(1, 1000));
        }

        var count = random.Next(5, 40);
        for (var i = 0; i < count; i++)
        {
            var ipv4 = random.Next(2) == 0;
            string prefix;
            if (ipv4)
            {
                // Multicast destinations' routes too: shorter than 224.0.0.0/4 (their gateway is not used), the /4, and inside it.
                var roll = random.Next(11);
                prefix = roll == 0 ? "default" : roll == 1 ? "0.0.0.0/8" : roll == 2 ? $"10.{random.Next(3)}.{random.Next(3)}.{random.Next(4)}/32"
                    : roll == 3 ? "240.0.0.0/4" : roll == 8 ? "224.0.0.0/3" : roll == 9 ? "224.0.0.0/4" : roll == 10 ? $"239.{random.Next(2)}.0.0/{random.Next(8, 17)}"
                    : $"10.{random.Next(3)}.{random.Next(3)}.0/{random.Next(8, 25)}";
            }
            else
            {
                var roll = random.Next(8);
                prefix = roll == 0 ? "::/0" : roll == 1 ? "::ffff:0:0/96" : roll == 2 ? "fe80::/10" : roll == 3 ? "ff02::/16"
                    : $"2001:db8:{random.Next(100, 103):x}:{random.Next(3):x}::/{random.Next(32, 65)}";
            }

            var typeRoll = random.Next(14);
            var type = typeRoll switch
            {
                0 => "unreachable ",
                1 => "blackhole ",
                2 => "throw ",
                3 => "local ",
                4 => "broadcast ",
                5 => "anycast ",
                6 => "multicast ",
                _ => string.Empty,
            };
            if (!ipv4 && type == "broadcast ")
            {
                type = string.Empty;
            }

            if (ipv4 && type == "anycast ")
            {
                type = string.Empty;
            }

            var table = new[] { string.Empty, string.Empty, string.Empty, " table local", " table default", " table 100" }[random.Next(6)];
            var metric = " metric " + new[] { 0, 100, 1024, 256 }[random.Next(4)];
            var dev = new[] { "eth0", "eth1", "eth2", "lo" }[random.Next(4)];
            string hop;
            var hr = random.Next(6);
            if (hr == 0)
            {
                hop = " dev " + dev;
            }
            else if (hr == 1 && ipv4)
            {
                hop = $" nexthop via {G4[0]} dev eth0 nexthop via {G4[2]} dev eth1";
            }
            else if (hr == 1)
            {
                hop = $" nexthop via {G6[0]} dev eth0 nexthop via {G6[2]} dev eth1";
            }
            else
            {
                hop = " via " + (ipv4 ? G4 : G6)[random.Next(ipv4 ? G4.Length : G6.Length)] + " dev " + dev;
            }

            var extra = string.Empty;
            if (random.Next(5) == 0)
            {
                extra += " mtu " + (1280 + random.Next(3) * 100);
            }

            if (random.Next(6) == 0)
            {
                extra += " src " + (ipv4 ? new[] { "192.0.2.1", "127.0.0.1", "198.51.100.9", "203.0.113.9", "10.0.0.1" } : new[] { "2001:db8:2::1", "2001:db8:9::9", "::1" })[random.Next(ipv4 ? 5 : 3)];
            }

            if (random.Next(6) == 0)
            {
                extra += " scope " + new[] { "link", "host", "global" }[random.Next(3)];
            }

            if (ipv4 && random.Next(10) == 0)
            {
                extra += " tos 0x" + new[] { "10", "08", "04" }[random.Next(3)];
            }

            if (!ipv4 && random.Next(6) == 0)
            {
                extra += " pref " + new[] { "low", "high", "medium" }[random.Next(3)];
            }

            if (!ipv4 && random.Next(8) == 0)
            {
                extra += " from " + new[] { "2001:db8:1::/64", "::/0", "2001:db8:9::/64" }[random.Next(3)];
            }

            if (random.Next(8) == 0)
            {
                extra += " dead";
            }

            try
            {
                host.Route(type + prefix + hop + metric + table + extra);
            }
            catch (ArgumentException)
            {
                Rejected++;
            }
        }

        if (random.Next(3) == 0)
        {
            host.DefaultRules();
        }

        if (random.Next(4) == 0)
        {
            host.Rule("0: lookup local", IPAddressFamily.IPv6).Rule("32766: lookup main", IPAddressFamily.IPv6);
        }

        if (random.Next(8) == 0)
        {
            host.Rule("100: from 192.0.2.0/24 lookup 100");
        }

        var snapshot = host.Build();

        // Shapes the builder cannot write.
        foreach (var route in snapshot.Routes)
        {
            var roll = random.Next(20);
            if (roll == 0)
            {
                route.Flags |= RouteFlags.OnLink;
            }
            else if (roll == 1)
            {
                route.Flags |= RouteFlags.LinkDown;
            }
            else if (roll == 2 && route.NextHops.Count == 0)
            {
                route.InterfaceIndex = 9;
                route.InterfaceAlias = random.Next(2) == 0 ? null : "ghost";
            }
            else if (roll == 3 && route.NextHops.Count == 0)
            {
                route.InterfaceAlias = null;
            }
            else if (roll == 4)
            {
                route.Flags |= RouteFlags.Unresolved | RouteFlags.Offload;
            }
            else if (roll == 5 && route.AddressFamily == IPAddressFamily.IPv4 && route.NextHops.Count == 0)
            {
                route.NextHop = IPAddress.Parse("fe80::2");
            }
        }

        foreach (var device in snapshot.Interfaces)
        {
            if (random.Next(3) == 0)
            {
                device.Mtu = 1500 - random.Next(3) * 100;
            }

            if (random.Next(6) == 0)
            {
                device.AdminStatus = AdminStatus.Down;
                device.Status = InterfaceStatus.Down;
            }
        }

        if (random.Next(15) == 0)
        {
            snapshot.Exceptions = new[] { new NetRouteException { Destination = IPAddress.Parse("10.0.0.5"), InterfaceIndex = 2, NextHop = IPAddress.Parse("192.0.2.2") } };
        }

        return snapshot;
    }

    internal static RouteQuery RandomQuery(Random random)
    {
        var ipv4 = random.Next(2) == 0;
        IPAddress destination;
        if (random.Next(4) == 0)
        {
            var specials = ipv4
                ? new[] { "0.0.0.0", "0.1.2.3", "127.0.0.1", "127.9.9.9", "10.0.0.1", "10.255.255.255", "192.0.2.255", "192.0.2.1", "255.255.255.255", "224.0.0.1", "239.1.1.1", "239.0.5.5", "230.1.2.3", "240.0.0.1", "198.51.100.9", "10.0.0.0" }
                : new[] { "::", "::1", "ff02::1", "ff05::2", "fe80::1", "fe80::9", "fe80::9%2", "fe80::9%3", "::ffff:10.0.0.1", "::ffff:127.0.0.1", "2001:db8:1::1", "2001:db8:2::9", "64:ff9b::1", "fec0::1", "2002::1" };
            destination = IPAddress.Parse(specials[random.Next(specials.Length)]);
        }
        else
        {
            destination = ipv4
                ? IPAddress.Parse($"10.{random.Next(4)}.{random.Next(4)}.{random.Next(256)}")
                : IPAddress.Parse($"2001:db8:{random.Next(99, 104):x}:{random.Next(4):x}::{random.Next(1, 300):x}");
        }

        var query = random.Next(3) == 0 ? RouteQuery.ForPacketTo(destination) : new RouteQuery(destination);
        var roll = random.Next(10);
        if (roll == 0)
        {
            query.Tos = (byte)(random.Next(8) << 2);
        }
        else if (roll == 1)
        {
            query.Mark = 1;
            query.Uid = 1000;
        }
        else if (roll == 2)
        {
            query.IPProtocol = 6;
            query.SourcePort = 1234;
            query.DestinationPort = 80;
            query.FlowLabel = 0x12345;
        }

        return query;
    }
}

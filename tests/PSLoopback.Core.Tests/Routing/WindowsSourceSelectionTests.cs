using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;
using PSLoopback.Routing;

namespace PSLoopback.Core.Tests.Routing;

/// <summary>
/// The Windows resolver's source selection, which compares numbers worked out when the resolver is built, against the
/// selection it replaced, which read every rule off the IPAddress objects (kept here as <see cref="AddressSelector"/>):
/// on random Windows-shaped hosts, every path's source and every step of the source trace must be the same.
/// </summary>
public class WindowsSourceSelectionTests
{
    private const int Hosts = 400;
    private const int QuestionsPerHost = 60;

    [Fact]
    public void Random_hosts_get_the_source_the_address_based_rules_choose()
    {
        var random = new Random(6724);
        var compared = 0;
        var deciding = new HashSet<string>();
        for (var h = 0; h < Hosts; h++)
        {
            var snapshot = RandomHost(random);
            var resolver = new WindowsRouteResolver(snapshot);
            for (var q = 0; q < QuestionsPerHost; q++)
            {
                // An address of the host asked for by another interface is routed, and rule 1 can find it among the candidates.
                var destination = RandomDestination(random, snapshot);
                var own = snapshot.Interfaces.SelectMany(i => i.Addresses).Any(a => a.IPAddress.Equals(destination));
                var query = new RouteQuery(destination)
                {
                    OutputInterfaceIndex = random.Next(own ? 2 : 6) == 0 ? snapshot.Interfaces[random.Next(snapshot.Interfaces.Count)].InterfaceIndex : null,
                };
                var explained = resolver.Resolve(query, explain: true);
                var plain = resolver.Resolve(query);
                var context = $"host {h}, {query.Destination} by {query.OutputInterfaceIndex?.ToString(CultureInfo.InvariantCulture) ?? "any"}: {explained.Reason}";
                Assert.True(Same(explained, plain), context);
                if (explained.Error != RouteError.None || SelectsNoSource(explained))
                {
                    continue;
                }

                var expectedSteps = new List<RouteTraceStep>();
                foreach (var path in PathsOf(explained))
                {
                    var (source, steps) = AddressSelector.Select(Candidates(snapshot, path.Interface, explained.AddressFamily), path.Interface,
                        Plain(query.Destination), AddressClass.IsUnspecified(path.NextHop) ? Plain(query.Destination) : path.NextHop);
                    Assert.True(Equals(source, path.Source), $"{context}: the address rules choose {source?.ToString() ?? "none"} on {path.Interface}, the resolver {path.Source?.ToString() ?? "none"}");
                    expectedSteps.AddRange(steps);
                    deciding.UnionWith(steps.Select(s => s.Outcome).Where(o => o.Contains(" by rule ")).Select(o => explained.AddressFamily + o.Substring(o.IndexOf(" by rule ", StringComparison.Ordinal))));
                    compared++;
                }

                // The resolver's own notes name an interface or "(none)"; the selection's steps name an address.
                var selectionSteps = explained.Trace.Where(s => s.Stage == RouteTraceStage.Source && IPAddress.TryParse(s.Subject, out _)).ToList();
                Assert.True(expectedSteps.Select(Text).SequenceEqual(selectionSteps.Select(Text)),
                    $"{context}\nexpected:\n{string.Join("\n", expectedSteps.Select(Text))}\nwas:\n{string.Join("\n", selectionSteps.Select(Text))}");
            }
        }

        // Many selections compared, and every rule of both families decided some of them: the hosts reach each rule.
        Assert.True(compared > Hosts * QuestionsPerHost / 2, $"only {compared} selections compared");
        var rules = new[]
        {
            "IPv6 by rule 1, prefer the destination itself", "IPv6 by rule 2, prefer the appropriate scope", "IPv6 by rule 3, avoid deprecated addresses",
            "IPv6 by rule 5, prefer the outgoing interface", "IPv6 by rule 6, prefer a matching label", "IPv6 by rule 7, prefer temporary addresses",
            "IPv6 by rule 8, use the longest matching prefix",
            "IPv4 by rule 1, prefer the destination itself", "IPv4 by rule 2, prefer the outgoing interface",
            "IPv4 by rule 3, use the longest matching prefix with the next hop", "IPv4 by rule 4, use the longest matching prefix with the destination",
        };
        Assert.Empty(rules.Except(deciding));
    }

    private static string Text(RouteTraceStep step) => step.Subject + " | " + step.Outcome;

    private static bool Same(RouteDecision a, RouteDecision b) =>
        a.Error == b.Error && a.RouteType == b.RouteType && a.InterfaceIndex == b.InterfaceIndex && Equals(a.NextHop, b.NextHop)
        && Equals(a.SourceAddress, b.SourceAddress) && a.InterfaceMetric == b.InterfaceMetric && a.Reason == b.Reason
        && a.Paths.Select(p => (p.InterfaceIndex, p.NextHop, p.SourceAddress)).SequenceEqual(b.Paths.Select(p => (p.InterfaceIndex, p.NextHop, p.SourceAddress)));

    /// <summary>A local answer to other than a loopback address is to an address of the host, which is its own source: no selection.</summary>
    private static bool SelectsNoSource(RouteDecision decision) =>
        decision.RouteType == RouteType.Local && !AddressClass.IsLoopback(decision.RemoteIPAddress);

    /// <summary>Every path's interface, next hop and source; a loopback answer has no paths, only the headline.</summary>
    private static IEnumerable<(int Interface, IPAddress NextHop, IPAddress? Source)> PathsOf(RouteDecision decision) => decision.Paths.Count > 0
        ? decision.Paths.Select(p => (p.InterfaceIndex, p.NextHop, p.SourceAddress))
        : new[] { (decision.InterfaceIndex!.Value, decision.NextHop!, decision.SourceAddress) };

    /// <summary>The interface's addresses in the family, or every interface's when it allows weak host send, in the snapshot's order.</summary>
    private static List<NetInterfaceAddress> Candidates(RouteSnapshot snapshot, int interfaceIndex, IPAddressFamily family)
    {
        var weak = snapshot.FindInterface(interfaceIndex)!.IPInterface(family)?.WeakHostSend == true;
        return snapshot.Interfaces
            .Where(i => weak || i.InterfaceIndex == interfaceIndex)
            .SelectMany(i => i.Addresses)
            .Where(a => a.AddressFamily == family)
            .ToList();
    }

    private static IPAddress Plain(IPAddress address) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? new IPAddress(address.GetAddressBytes()) : address;

    // Where hosts take their addresses from: every row of Windows' policy table, both scopes RFC 6724 ranks sources by,
    // and prefixes that share leading bits, so the longest-match rules have something to compare.
    private static readonly string[] IPv6Networks =
    {
        "2001:db8:1::", "2001:db8:2::", "2001:db8:1:8000::", "fd00:1::", "fd00:2::", "2002:c000:201::", "2001:0:4136::",
        "fec0::1:0:0:0", "3ffe:1::", "fe80::", "::ffff:0:0", "::", "2400:cb00::",
    };

    private static readonly string[] IPv4Networks = { "192.0.2.0", "192.0.2.128", "198.51.100.0", "10.1.0.0", "10.1.128.0", "169.254.0.0" };

    private static RouteSnapshot RandomHost(Random random)
    {
        var interfaces = new List<NetInterfaceInfo> { Device(1, "Loopback Pseudo-Interface 1", 75, InterfaceType.Loopback, false, Address(1, "127.0.0.1", 8), Address(1, "::1", 128)) };
        var count = 1 + random.Next(3);
        for (var n = 0; n < count; n++)
        {
            var index = 2 + n;
            var addresses = new List<NetInterfaceAddress>();
            for (var i = random.Next(1, 6); i > 0; i--)
            {
                addresses.Add(RandomIPv6Address(random, index, interfaces));
            }

            for (var i = random.Next(0, 4); i > 0; i--)
            {
                var network = IPAddress.Parse(IPv4Networks[random.Next(IPv4Networks.Length)]).GetAddressBytes();
                network[3] = (byte)(network[3] + 1 + random.Next(100));
                addresses.Add(Flagged(random, Address(index, new IPAddress(network).ToString(), random.Next(8) == 0 ? 16 + random.Next(16) : 24 + random.Next(2))));
            }

            interfaces.Add(Device(index, "Interface " + index.ToString(CultureInfo.InvariantCulture), random.Next(10) == 0 ? null : (uint)(5 + random.Next(50)),
                InterfaceType.Ethernet, random.Next(3) == 0, addresses.ToArray()));
        }

        var routes = new List<NetRouteInfo>();
        foreach (var device in interfaces)
        {
            foreach (var address in device.Addresses)
            {
                routes.Add(Route(new IPPrefix(Plain(address.IPAddress), address.PrefixLength), null, device, 256));
                routes.Add(Route(new IPPrefix(Plain(address.IPAddress), address.AddressFamily == IPAddressFamily.IPv4 ? 32 : 128), null, device, 256));
            }

            routes.Add(Route(IPPrefix.Parse("ff00::/8"), null, device, 256));
            routes.Add(Route(IPPrefix.Parse("224.0.0.0/4"), null, device, 256));
            routes.Add(Route(IPPrefix.Parse("255.255.255.255/32"), null, device, 256));
        }

        // Default routes through one or more of the interfaces, so ties and several paths occur.
        foreach (var device in interfaces.Skip(1).Where(_ => random.Next(3) > 0))
        {
            var metric = (uint)random.Next(3);
            routes.Add(Route(IPPrefix.Parse("::/0"), IPAddress.Parse("fe80::1"), device, metric));
            var gateway = device.Addresses.FirstOrDefault(a => a.AddressFamily == IPAddressFamily.IPv4)?.IPAddress.GetAddressBytes() ?? new byte[] { 192, 0, 2, 1 };
            gateway[3] = 1;
            routes.Add(Route(IPPrefix.Parse("0.0.0.0/0"), new IPAddress(gateway), device, metric));
        }

        return new RouteSnapshot(interfaces.ToArray(), routes.ToArray(), Array.Empty<NetRouteRule>(), HostOS.Windows);
    }

    private static NetInterfaceAddress RandomIPv6Address(Random random, int index, List<NetInterfaceInfo> others)
    {
        // Now and then another interface's address again, so the same address is a candidate twice under weak host send.
        var other = others.Skip(1).SelectMany(i => i.Addresses).Where(a => a.AddressFamily == IPAddressFamily.IPv6).ToList();
        if (other.Count > 0 && random.Next(12) == 0)
        {
            var copy = other[random.Next(other.Count)];
            return Flagged(random, Address(index, Plain(copy.IPAddress).ToString(), copy.PrefixLength));
        }

        var bytes = IPAddress.Parse(IPv6Networks[random.Next(IPv6Networks.Length)]).GetAddressBytes();
        for (var i = random.Next(8) == 0 ? 6 : 14; i < 16; i++)
        {
            bytes[i] ^= (byte)random.Next(256);
        }

        var address = new IPAddress(bytes);

        // A link-local address the OS reports with its zone, which IPAddress.Equals compares.
        if (address.IsIPv6LinkLocal && random.Next(2) == 0)
        {
            address = new IPAddress(bytes, index);
        }

        var length = random.Next(4) == 0 ? 16 + random.Next(113) : 64;
        return Flagged(random, new NetInterfaceAddress(index, "Interface " + index.ToString(CultureInfo.InvariantCulture), address, length));
    }

    private static NetInterfaceAddress Flagged(Random random, NetInterfaceAddress address)
    {
        address.Flags |= random.Next(5) == 0 ? AddressFlags.Deprecated : 0;
        address.Flags |= random.Next(4) == 0 ? AddressFlags.Secondary : 0;
        address.Flags |= random.Next(25) == 0 ? AddressFlags.Tentative : 0;
        address.Flags |= random.Next(25) == 0 ? AddressFlags.DadFailed : 0;
        address.SkipAsSource = random.Next(25) == 0;
        return address;
    }

    private static IPAddress RandomDestination(Random random, RouteSnapshot snapshot)
    {
        var own = snapshot.Interfaces.SelectMany(i => i.Addresses).ToList();
        switch (random.Next(10))
        {
            case 0:
                return own[random.Next(own.Count)].IPAddress;
            case 1:
                return IPAddress.Parse(new[] { "ff02::1", "ff05::2", "ff0e::101", "ff01::1", "::1", "127.0.0.9", "224.0.0.251", "255.255.255.255", "fe80::99", "fec0::99" }[random.Next(10)]);
            case 2:
            case 3:
            case 4:
                // Near one of the host's addresses: a neighbour, or a host sharing some leading bits.
                var near = Plain(own[random.Next(own.Count)].IPAddress).GetAddressBytes();
                var from = random.Next(near.Length);
                near[from] ^= (byte)(1 << random.Next(8));
                for (var i = from + 1; i < near.Length; i++)
                {
                    near[i] = (byte)random.Next(256);
                }

                return new IPAddress(near);
            case 5:
            case 6:
                var v4 = IPAddress.Parse(IPv4Networks[random.Next(IPv4Networks.Length)]).GetAddressBytes();
                v4[2] ^= (byte)random.Next(4);
                v4[3] = (byte)random.Next(256);
                return new IPAddress(v4);
            default:
                var v6 = IPAddress.Parse(IPv6Networks[random.Next(IPv6Networks.Length)]).GetAddressBytes();
                for (var i = 2 + random.Next(12); i < 16; i++)
                {
                    v6[i] = (byte)random.Next(256);
                }

                return new IPAddress(v6);
        }
    }

    private static NetInterfaceInfo Device(int index, string name, uint? metric, InterfaceType type, bool weakHostSend, params NetInterfaceAddress[] addresses) => new(index, name)
    {
        InterfaceType = type,
        AdminStatus = AdminStatus.Up,
        Status = InterfaceStatus.Up,
        Addresses = addresses,
        IPInterfaces = metric is uint m
            ? new[] { IPAddressFamily.IPv4, IPAddressFamily.IPv6 }.Select(f => new NetIPInterfaceInfo(index, f) { InterfaceMetric = m, Connected = true, WeakHostSend = weakHostSend }).ToArray()
            : Array.Empty<NetIPInterfaceInfo>(),
    };

    private static NetInterfaceAddress Address(int index, string address, int length) =>
        new(index, "Interface " + index.ToString(CultureInfo.InvariantCulture), IPAddress.Parse(address), length);

    private static NetRouteInfo Route(IPPrefix prefix, IPAddress? via, NetInterfaceInfo device, uint metric) => new()
    {
        DestinationPrefix = prefix,
        NextHop = via ?? (prefix.AddressFamily == IPAddressFamily.IPv4 ? IPAddress.Any : IPAddress.IPv6Any),
        InterfaceIndex = device.InterfaceIndex,
        InterfaceAlias = device.Name,
        RouteMetric = metric,
        Table = RouteTables.Unspecified,
    };

    /// <summary>
    /// The selection as it was before it kept numbers: each rule read off the IPAddress objects (GetAddressBytes for the
    /// prefix, scope and label). Kept only here, as the reference the numbers must agree with.
    /// </summary>
    private static class AddressSelector
    {
        private static readonly AddressPolicyTable Labels = new(
            ("::1/128", 0), ("::/0", 1), ("::ffff:0:0/96", 4), ("2002::/16", 2), ("2001::/32", 5), ("fc00::/7", 13), ("fec0::/10", 11), ("3ffe::/16", 12), ("::/96", 3));

        private static readonly (string Name, Func<NetInterfaceAddress, Target, int> Score)[] IPv6Rules =
        {
            ("rule 1, prefer the destination itself", (a, t) => a.IPAddress.Equals(t.Destination) ? 1 : 0),
            ("rule 2, prefer the appropriate scope", (a, t) => Rfc6724.ScopePreference(a.IPAddress, t.Scope)),
            ("rule 3, avoid deprecated addresses", (a, _) => a.IsDeprecated ? 0 : 1),
            ("rule 5, prefer the outgoing interface", (a, t) => a.InterfaceIndex == t.Interface ? 1 : 0),
            ("rule 6, prefer a matching label", (a, t) => Labels.Label(a.IPAddress) == t.Label ? 1 : 0),
            ("rule 7, prefer temporary addresses", (a, _) => a.IsTemporary ? 1 : 0),
            ("rule 8, use the longest matching prefix", (a, t) => Rfc6724.CommonPrefixLength(a.IPAddress, a.PrefixLength, t.Destination)),
        };

        private static readonly (string Name, Func<NetInterfaceAddress, Target, int> Score)[] IPv4Rules =
        {
            ("rule 1, prefer the destination itself", (a, t) => a.IPAddress.Equals(t.Destination) ? 1 : 0),
            ("rule 2, prefer the outgoing interface", (a, t) => a.InterfaceIndex == t.Interface ? 1 : 0),
            ("rule 3, use the longest matching prefix with the next hop", (a, t) => AddressClass.CommonPrefixLength(a.IPAddress, t.NextHop)),
            ("rule 4, use the longest matching prefix with the destination", (a, t) => AddressClass.CommonPrefixLength(a.IPAddress, t.Destination)),
        };

        public static (IPAddress? Source, List<RouteTraceStep> Steps) Select(List<NetInterfaceAddress> candidates, int outgoing, IPAddress destination, IPAddress nextHop)
        {
            var ipv6 = destination.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
            var rules = ipv6 ? IPv6Rules : IPv4Rules;
            var target = new Target(destination, nextHop, outgoing, ipv6 ? Rfc6724.Scope(destination) : 0, ipv6 ? Labels.Label(destination) : 0);
            var steps = new List<RouteTraceStep>();
            var usable = new List<NetInterfaceAddress>();
            NetInterfaceAddress? best = null;
            foreach (var address in candidates)
            {
                var unusable = AddressClass.IsLoopback(address.IPAddress) && !AddressClass.IsLoopback(destination) ? "a loopback address, which never leaves the host"
                    : address.IsDadFailed ? "duplicate address detection failed (Duplicate)"
                    : address.IsTentative ? "still tentative (duplicate address detection is under way)"
                    : address.SkipAsSource ? "SkipAsSource is set, so Windows uses it only when an application binds it"
                    : AddressClass.IsMulticast(address.IPAddress) || AddressClass.IsUnspecified(address.IPAddress) ? "not a unicast address"
                    : null;
                if (unusable is not null)
                {
                    steps.Add(new RouteTraceStep(RouteTraceStage.Source, address.IPAddress.ToString(), "not a candidate: " + unusable));
                    continue;
                }

                usable.Add(address);
                if (best is null || Decide(rules, address, best, target).Winner == address)
                {
                    best = address;
                }
            }

            if (best is not null)
            {
                steps.Add(new RouteTraceStep(RouteTraceStage.Source, best.IPAddress.ToString(),
                    $"chosen by Windows' {(ipv6 ? "RFC 6724" : "IPv4 (KB969029)")} rules from {usable.Count} candidate{(usable.Count == 1 ? string.Empty : "s")}"));
                foreach (var other in usable.Where(o => o != best))
                {
                    var (_, rule) = Decide(rules, best, other, target);
                    steps.Add(new RouteTraceStep(RouteTraceStage.Source, other.IPAddress.ToString(), rule is null
                        ? $"ties with {best.IPAddress} on every rule: Windows' own order decides, and the first listed is shown"
                        : $"loses to {best.IPAddress} by {rule}"));
                }
            }

            return (best?.IPAddress, steps);
        }

        private static (NetInterfaceAddress Winner, string? Rule) Decide(
            (string Name, Func<NetInterfaceAddress, Target, int> Score)[] rules, NetInterfaceAddress challenger, NetInterfaceAddress holder, Target target)
        {
            foreach (var (name, score) in rules)
            {
                var a = score(challenger, target);
                var b = score(holder, target);
                if (a != b)
                {
                    return (a > b ? challenger : holder, name);
                }
            }

            return (holder, null);
        }

        private readonly record struct Target(IPAddress Destination, IPAddress NextHop, int Interface, int Scope, int Label);
    }
}

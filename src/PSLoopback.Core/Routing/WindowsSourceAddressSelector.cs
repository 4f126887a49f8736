using System;
using System.Collections.Generic;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;

namespace PSLoopback.Routing;

/// <summary>
/// Chooses the source address of a packet as Windows (Vista and later) does when the application does not bind
/// one: over the candidate addresses, the first rule that tells two apart decides. IPv6 follows RFC 6724
/// section 5 with Windows' default prefix policy table; IPv4 follows the rules Microsoft lists for it in
/// KB969029 ("Source IP address selection on a multi-homed Windows computer").
/// </summary>
internal static class WindowsSourceAddressSelector
{
    // Windows' default prefix policy table (netsh interface ipv6 show prefixpolicies, Windows 8.1 and later),
    // which is RFC 6724 section 2.1's default. Its precedence column (50 40 35 30 5 3 1 1 1 in this order)
    // orders destinations, not sources; it has no ORCHID row, unlike Linux's table.
    private static readonly AddressPolicyTable Labels = new(
        ("::1/128", 0),
        ("::/0", 1),
        ("::ffff:0:0/96", 4),
        ("2002::/16", 2),
        ("2001::/32", 5),
        ("fc00::/7", 13),
        ("fec0::/10", 11),
        ("3ffe::/16", 12),
        ("::/96", 3));

    // RFC 6724 rule 4 (home addresses) has no candidate on Windows, which has no Mobile IPv6, and the optional
    // rule 5.5 (the next hop's prefixes) is not documented for Windows; neither is modelled.
    private static readonly Rule[] IPv6Rules =
    {
        new("rule 1, prefer the destination itself", (a, t) => a.IPAddress.Equals(t.Destination) ? 1 : 0),
        new("rule 2, prefer the appropriate scope", (a, t) => Rfc6724.ScopePreference(a.IPAddress, t.DestinationScope)),
        new("rule 3, avoid deprecated addresses", (a, _) => a.IsDeprecated ? 0 : 1),
        new("rule 5, prefer the outgoing interface", (a, t) => a.InterfaceIndex == t.Interface ? 1 : 0),
        new("rule 6, prefer a matching label", (a, t) => Labels.Label(a.IPAddress) == t.DestinationLabel ? 1 : 0),

        // RFC 6724 made temporary addresses the default preference; Windows uses them for outgoing
        // connections while privacy addresses are enabled (its default).
        new("rule 7, prefer temporary addresses", (a, _) => a.IsTemporary ? 1 : 0),
        // An assumption: RFC 6724 caps the match at the source's prefix length, while KB969029 describes RFC
        // 3484's uncapped rule for Vista and Server 2008; no document says which later Windows follows.
        new("rule 8, use the longest matching prefix", (a, t) => Rfc6724.CommonPrefixLength(a.IPAddress, a.PrefixLength, t.Destination)),
    };

    // KB969029: the high-order bits are counted to the first that differs, not capped at the prefix length,
    // and the next hop is compared before the destination (for an on-link destination the two are one).
    private static readonly Rule[] IPv4Rules =
    {
        new("rule 1, prefer the destination itself", (a, t) => a.IPAddress.Equals(t.Destination) ? 1 : 0),
        new("rule 2, prefer the outgoing interface", (a, t) => a.InterfaceIndex == t.Interface ? 1 : 0),
        new("rule 3, use the longest matching prefix with the next hop", (a, t) => AddressClass.CommonPrefixLength(a.IPAddress, t.NextHop)),
        new("rule 4, use the longest matching prefix with the destination", (a, t) => AddressClass.CommonPrefixLength(a.IPAddress, t.Destination)),
    };

    /// <param name="candidates">The addresses the packet may carry, of the destination's family: the outgoing
    /// interface's (strong host send), or every interface's when it allows weak host send.</param>
    /// <param name="nextHop">The gateway, or the destination itself when it is on-link.</param>
    /// <param name="trace">Where each step is noted; null when no explanation is asked for.</param>
    public static IPAddress? Select(IReadOnlyList<NetInterfaceAddress> candidates, int outgoingInterface, IPAddress destination, IPAddress nextHop, List<RouteTraceStep>? trace)
    {
        var ipv6 = destination.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        var rules = ipv6 ? IPv6Rules : IPv4Rules;
        var target = new Target(destination, nextHop, outgoingInterface, ipv6 ? Rfc6724.Scope(destination) : 0, ipv6 ? Labels.Label(destination) : 0);

        NetInterfaceAddress? best = null;
        var usable = trace is null ? null : new List<NetInterfaceAddress>();
        for (var i = 0; i < candidates.Count; i++)
        {
            var address = candidates[i];
            var unusable = Unusable(address, destination);
            if (unusable is not null)
            {
                trace?.Add(new RouteTraceStep(RouteTraceStage.Source, address.IPAddress.ToString(), "not a candidate: " + unusable));
                continue;
            }

            usable?.Add(address);
            if (best is null || Decide(rules, address, best, target).Winner == address)
            {
                best = address;
            }
        }

        if (trace is not null && best is not null)
        {
            trace.Add(new RouteTraceStep(RouteTraceStage.Source, best.IPAddress.ToString(),
                $"chosen by Windows' {(ipv6 ? "RFC 6724" : "IPv4 (KB969029)")} rules from {usable!.Count} candidate{(usable.Count == 1 ? string.Empty : "s")}"));
            foreach (var other in usable)
            {
                if (other == best)
                {
                    continue;
                }

                var (_, rule) = Decide(rules, best, other, target);
                trace.Add(new RouteTraceStep(RouteTraceStage.Source, other.IPAddress.ToString(), rule is null
                    ? $"ties with {best.IPAddress} on every rule: Windows' own order decides, and the first listed is shown"
                    : $"loses to {best.IPAddress} by {rule}"));
            }
        }

        return best?.IPAddress;
    }

    /// <summary>Why an address can never be a source, or null: the states GetUnicastIpAddressTable reports as not usable, and SkipAsSource (KB975808).</summary>
    private static string? Unusable(NetInterfaceAddress address, IPAddress destination)
    {
        // A weak host send interface offers every interface's addresses, but a loopback address never leaves the host (RFC 1122).
        if (AddressClass.IsLoopback(address.IPAddress) && !AddressClass.IsLoopback(destination))
        {
            return "a loopback address, which never leaves the host";
        }

        if (address.IsDadFailed)
        {
            return "duplicate address detection failed (Duplicate)";
        }

        if (address.IsTentative)
        {
            return "still tentative (duplicate address detection is under way)";
        }

        if (address.SkipAsSource)
        {
            return "SkipAsSource is set, so Windows uses it only when an application binds it";
        }

        return AddressClass.IsMulticast(address.IPAddress) || AddressClass.IsUnspecified(address.IPAddress)
            ? "not a unicast address"
            : null;
    }

    /// <summary>The address the first differing rule prefers, and that rule; no rule and the first when none tells them apart.</summary>
    private static (NetInterfaceAddress Winner, string? Rule) Decide(Rule[] rules, NetInterfaceAddress challenger, NetInterfaceAddress holder, Target target)
    {
        foreach (var rule in rules)
        {
            var a = rule.Score(challenger, target);
            var b = rule.Score(holder, target);
            if (a != b)
            {
                return (a > b ? challenger : holder, rule.Name);
            }
        }

        return (holder, null);
    }

    private sealed class Rule
    {
        public Rule(string name, Func<NetInterfaceAddress, Target, int> score)
        {
            Name = name;
            Score = score;
        }

        public string Name { get; }

        /// <summary>Higher is preferred.</summary>
        public Func<NetInterfaceAddress, Target, int> Score { get; }
    }

    /// <summary>What the rules compare candidates against; a struct, so a selection makes no object of its own.</summary>
    private readonly struct Target
    {
        public Target(IPAddress destination, IPAddress nextHop, int @interface, int destinationScope, int destinationLabel)
        {
            Destination = destination;
            NextHop = nextHop;
            Interface = @interface;
            DestinationScope = destinationScope;
            DestinationLabel = destinationLabel;
        }

        public IPAddress Destination { get; }

        public IPAddress NextHop { get; }

        public int Interface { get; }

        public int DestinationScope { get; }

        public int DestinationLabel { get; }
    }
}

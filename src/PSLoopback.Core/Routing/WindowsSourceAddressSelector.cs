using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;

namespace PSLoopback.Routing;

/// <summary>
/// Chooses the source address of a packet as Windows (Vista and later) does when the application does not bind
/// one: over the candidate addresses, the first rule that tells two apart decides. IPv6 follows RFC 6724
/// section 5 with Windows' default prefix policy table; IPv4 follows the rules Microsoft lists for it in
/// KB969029 ("Source IP address selection on a multi-homed Windows computer").
/// </summary>
/// <remarks>
/// What a rule reads of a candidate (its bits as two numbers, scope, label, why it can never be a source) is worked
/// out once, in <see cref="Candidate"/>, when the resolver is built; of the destination, its numbers, scope and label
/// once per selection. So a selection compares numbers and allocates nothing (GetAddressBytes, which the prefix,
/// scope and label of an address otherwise go through, makes an array each time).
/// </remarks>
internal static class WindowsSourceAddressSelector
{
    // A weak host send interface offers every interface's addresses, but a loopback address never leaves the host (RFC 1122).
    private const string LoopbackCandidate = "a loopback address, which never leaves the host";

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
        new("rule 1, prefer the destination itself", (a, t) => a.IsDestination(t) ? 1 : 0),
        new("rule 2, prefer the appropriate scope", (a, t) => ScopePreference(a.Scope, t.DestinationScope)),
        new("rule 3, avoid deprecated addresses", (a, _) => a.Address.IsDeprecated ? 0 : 1),
        new("rule 5, prefer the outgoing interface", (a, t) => a.Address.InterfaceIndex == t.Interface ? 1 : 0),
        new("rule 6, prefer a matching label", (a, t) => a.Label == t.DestinationLabel ? 1 : 0),

        // RFC 6724 made temporary addresses the default preference; Windows uses them for outgoing
        // connections while privacy addresses are enabled (its default).
        new("rule 7, prefer temporary addresses", (a, _) => a.Address.IsTemporary ? 1 : 0),
        // An assumption: RFC 6724 caps the match at the source's prefix length, while KB969029 describes RFC
        // 3484's uncapped rule for Vista and Server 2008; no document says which later Windows follows.
        new("rule 8, use the longest matching prefix", (a, t) => Math.Min(Bits128.CommonLength(a.High, a.Low, t.DestinationHigh, t.DestinationLow), a.Address.PrefixLength)),
    };

    // KB969029: the high-order bits are counted to the first that differs, not capped at the prefix length,
    // and the next hop is compared before the destination (for an on-link destination the two are one). An
    // IPv4 address is the top 32 bits of its numbers, so no more than those are counted.
    private static readonly Rule[] IPv4Rules =
    {
        new("rule 1, prefer the destination itself", (a, t) => a.IsDestination(t) ? 1 : 0),
        new("rule 2, prefer the outgoing interface", (a, t) => a.Address.InterfaceIndex == t.Interface ? 1 : 0),
        new("rule 3, use the longest matching prefix with the next hop", (a, t) => Math.Min(Bits128.CommonLength(a.High, a.Low, t.NextHopHigh, t.NextHopLow), 32)),
        new("rule 4, use the longest matching prefix with the destination", (a, t) => Math.Min(Bits128.CommonLength(a.High, a.Low, t.DestinationHigh, t.DestinationLow), 32)),
    };

    /// <param name="candidates">The addresses the packet may carry, of the destination's family: the outgoing
    /// interface's (strong host send), or every interface's when it allows weak host send.</param>
    /// <param name="destinationNumbers">The destination's bits, as <see cref="AddressNumbers.Of"/> gives them.</param>
    /// <param name="nextHop">The gateway, or the destination itself when it is on-link.</param>
    /// <param name="trace">Where each step is noted; null when no explanation is asked for.</param>
    public static IPAddress? Select(IReadOnlyList<Candidate> candidates, int outgoingInterface, IPAddress destination, (ulong High, ulong Low) destinationNumbers, IPAddress nextHop, List<RouteTraceStep>? trace)
    {
        var ipv6 = destination.AddressFamily == AddressFamily.InterNetworkV6;
        var rules = ipv6 ? IPv6Rules : IPv4Rules;

        // IPv6 rules never read the next hop; an IPv4 one's numbers are made without an array.
        var (nextHigh, nextLow) = ipv6 ? default : AddressNumbers.Of(nextHop);
        var target = new Target(destinationNumbers.High, destinationNumbers.Low, ipv6 ? destination.ScopeId : 0, nextHigh, nextLow, outgoingInterface,
            ipv6 ? ScopeOf(destination, destinationNumbers) : 0, ipv6 ? Labels.Label(destinationNumbers.High, destinationNumbers.Low) : 0);
        var destinationIsLoopback = AddressClass.IsLoopback(destination);

        Candidate? best = null;
        var usable = trace is null ? null : new List<Candidate>();
        for (var i = 0; i < candidates.Count; i++)
        {
            var candidate = candidates[i];
            var unusable = candidate.IsLoopback && !destinationIsLoopback ? LoopbackCandidate : candidate.NeverSource;
            if (unusable is not null)
            {
                trace?.Add(new RouteTraceStep(RouteTraceStage.Source, candidate.Address.IPAddress.ToString(), "not a candidate: " + unusable));
                continue;
            }

            usable?.Add(candidate);
            if (best is null || Decide(rules, candidate, best, target).Winner == candidate)
            {
                best = candidate;
            }
        }

        if (trace is not null && best is not null)
        {
            var chosen = best.Address.IPAddress;
            trace.Add(new RouteTraceStep(RouteTraceStage.Source, chosen.ToString(),
                $"chosen by Windows' {(ipv6 ? "RFC 6724" : "IPv4 (KB969029)")} rules from {usable!.Count} candidate{(usable.Count == 1 ? string.Empty : "s")}"));
            foreach (var other in usable)
            {
                if (other == best)
                {
                    continue;
                }

                var (_, rule) = Decide(rules, best, other, target);
                trace.Add(new RouteTraceStep(RouteTraceStage.Source, other.Address.IPAddress.ToString(), rule is null
                    ? $"ties with {chosen} on every rule: Windows' own order decides, and the first listed is shown"
                    : $"loses to {chosen} by {rule}"));
            }
        }

        return best?.Address.IPAddress;
    }

    /// <summary>Why an address can never be a source, whatever the destination, or null: the states GetUnicastIpAddressTable reports as not usable, and SkipAsSource (KB975808).</summary>
    private static string? WhyNeverSource(NetInterfaceAddress address)
    {
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
    private static (Candidate Winner, string? Rule) Decide(Rule[] rules, Candidate challenger, Candidate holder, Target target)
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

    /// <summary>Rule 2's order as one number (<see cref="Rfc6724.ScopePreference"/>), from a scope already known.</summary>
    private static int ScopePreference(int scope, int destinationScope) => scope >= destinationScope ? -scope : scope - 128;

    /// <summary>
    /// <see cref="Rfc6724.Scope(IPAddress)"/> of a destination, from its numbers. An address with a scope id compares unequal to
    /// :: and ::1 there, so one (which no decision asks about: the resolver drops the zone first) takes that path.
    /// </summary>
    private static int ScopeOf(IPAddress destination, (ulong High, ulong Low) numbers)
    {
        if (destination.ScopeId != 0)
        {
            return Rfc6724.Scope(destination);
        }

        return Rfc6724.Scope(numbers.High, numbers.Low);
    }

    /// <summary>One address as the rules read it, worked out once for a resolver's lifetime.</summary>
    internal sealed class Candidate
    {
        public Candidate(NetInterfaceAddress address)
        {
            Address = address;
            (High, Low) = AddressNumbers.Of(address.IPAddress);
            var ipv6 = address.IPAddress.AddressFamily == AddressFamily.InterNetworkV6;
            ScopeId = ipv6 ? address.IPAddress.ScopeId : 0;

            // From the address itself, not its numbers: a zone makes an address other than :: or ::1 to Rfc6724.Scope.
            Scope = ipv6 ? Rfc6724.Scope(address.IPAddress) : 0;
            Label = ipv6 ? Labels.Label(High, Low) : -1;
            IsLoopback = AddressClass.IsLoopback(address.IPAddress);
            NeverSource = WhyNeverSource(address);
        }

        public NetInterfaceAddress Address { get; }

        public ulong High { get; }

        public ulong Low { get; }

        /// <summary>The IPv6 zone, which IPAddress.Equals compares too; 0 for IPv4.</summary>
        public long ScopeId { get; }

        public int Scope { get; }

        public int Label { get; }

        public bool IsLoopback { get; }

        /// <summary>Why the address can never be a source, or null.</summary>
        public string? NeverSource { get; }

        /// <summary>IPAddress.Equals with the destination, by numbers: the same bits and the same zone (both are of the destination's family).</summary>
        public bool IsDestination(Target target) => High == target.DestinationHigh && Low == target.DestinationLow && ScopeId == target.DestinationScopeId;
    }

    private sealed class Rule
    {
        public Rule(string name, Func<Candidate, Target, int> score)
        {
            Name = name;
            Score = score;
        }

        public string Name { get; }

        /// <summary>Higher is preferred.</summary>
        public Func<Candidate, Target, int> Score { get; }
    }

    /// <summary>What the rules compare candidates against; a struct, so a selection makes no object of its own.</summary>
    internal readonly struct Target
    {
        public Target(ulong destinationHigh, ulong destinationLow, long destinationScopeId, ulong nextHopHigh, ulong nextHopLow, int @interface, int destinationScope, int destinationLabel)
        {
            DestinationHigh = destinationHigh;
            DestinationLow = destinationLow;
            DestinationScopeId = destinationScopeId;
            NextHopHigh = nextHopHigh;
            NextHopLow = nextHopLow;
            Interface = @interface;
            DestinationScope = destinationScope;
            DestinationLabel = destinationLabel;
        }

        public ulong DestinationHigh { get; }

        public ulong DestinationLow { get; }

        public long DestinationScopeId { get; }

        public ulong NextHopHigh { get; }

        public ulong NextHopLow { get; }

        public int Interface { get; }

        public int DestinationScope { get; }

        public int DestinationLabel { get; }
    }
}

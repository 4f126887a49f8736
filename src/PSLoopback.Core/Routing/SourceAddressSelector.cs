using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;

namespace PSLoopback.Routing;

/// <summary>
/// Chooses the source address of a packet as Linux does when neither the socket nor the route fixes it:
/// for IPv4 inet_select_addr (a primary address of the output interface in scope, preferring the
/// gateway's subnet, else any interface's); for IPv6 ipv6_dev_get_saddr, the rules of RFC 6724 section 5.
/// </summary>
internal static class SourceAddressSelector
{
    // Linux's default address label table (net/ipv6/addrlabel.c); only equality of labels matters.
    private static readonly (string Prefix, int Label)[] LabelEntries =
    {
        ("::1/128", 0),
        ("::/96", 3),
        ("::ffff:0:0/96", 4),
        ("2001:10::/28", 7),
        ("2001::/32", 6),
        ("2002::/16", 2),
        ("3ffe::/16", 12),
        ("fec0::/10", 11),
        ("fc00::/7", 5),
        ("::/0", 1),
    };

    private static readonly AddressPolicyTable Labels = new(LabelEntries);

    private static readonly IPPrefix Orchid = IPPrefix.Parse("2001:10::/28");

    // ORCHID's /28 lies in the first 64 bits.
    private static readonly ulong OrchidHigh = AddressNumbers.Of(Orchid.Network).High;

    /// <param name="gateway">The next hop, or null for an on-link route: with a gateway, an address in its subnet wins.</param>
    /// <param name="scope">The route's scope: addresses of a narrower scope are not candidates.</param>
    public static IPAddress? SelectIPv4(RouteSnapshot snapshot, int interfaceIndex, IPAddress? gateway, AddressScope scope)
    {
        var device = snapshot.FindInterface(interfaceIndex);
        var candidates = IPv4Candidates(device, scope);
        foreach (var address in candidates)
        {
            if (gateway is null || new IPPrefix(address.Peer ?? address.IPAddress, address.PrefixLength).Contains(gateway))
            {
                return address.IPAddress;
            }
        }

        return candidates.Count > 0 ? candidates[0].IPAddress : IPv4Fallback(snapshot, device, scope);
    }

    /// <summary>The device's primary IPv4 addresses a route of this scope may take, in order; the one in the gateway's subnet wins.</summary>
    internal static List<NetInterfaceAddress> IPv4Candidates(NetInterfaceInfo? device, AddressScope scope) =>
        PrimaryIPv4(device).Where(a => Math.Min((byte)(a.Scope ?? AddressScope.Global), (byte)AddressScope.Host) <= (byte)scope).ToList();

    /// <summary>The source when the device has no candidate, whatever the gateway.</summary>
    internal static IPAddress? IPv4Fallback(RouteSnapshot snapshot, NetInterfaceInfo? device, AddressScope scope)
    {
        // No address in scope on the device: any interface's of its L3 domain, loopback first, but never a
        // link-scoped one. In a VRF the VRF device stands in for loopback, so its own addresses come first.
        var vrf = VrfDomain.VrfOf(snapshot, device);
        var domain = vrf?.InterfaceIndex ?? 0;
        var others = snapshot.Interfaces.Where(i => VrfDomain.IndexOf(snapshot, i) == domain);
        foreach (var other in vrf is null ? others : new[] { vrf }.Concat(others))
        {
            foreach (var address in PrimaryIPv4(other))
            {
                var addressScope = address.Scope ?? AddressScope.Global;
                if (addressScope != AddressScope.Link && (byte)addressScope <= (byte)scope)
                {
                    return address.IPAddress;
                }
            }
        }

        return null;
    }

    /// <param name="interfaceIndex">The route's output interface; 0 when unknown.</param>
    public static IPAddress? SelectIPv6(RouteSnapshot snapshot, IPAddress destination, int interfaceIndex)
    {
        var target = new Candidate(destination, Rfc6724.Scope(destination), Labels.Label(destination), Orchid.Contains(destination));
        NetInterfaceAddress? best = null;
        foreach (var address in IPv6Candidates(snapshot, interfaceIndex, target.Scope, destination.IsIPv6Multicast))
        {
            if (best is null || Better(snapshot, address, best, target, interfaceIndex))
            {
                best = address;
            }
        }

        return best?.IPAddress;
    }

    /// <summary>
    /// The addresses <see cref="SelectIPv6"/> compares, in its order: they depend on the destination only by its
    /// scope and whether it is multicast.
    /// </summary>
    private static List<NetInterfaceAddress> IPv6Candidates(RouteSnapshot snapshot, int interfaceIndex, int destinationScope, bool multicast)
    {
        // Multicast and link-local (or narrower) destinations may only use the output interface's addresses.
        var onlyOutput = multicast || destinationScope <= Rfc6724.LinkLocalScope;
        if (onlyOutput)
        {
            return UsableIPv6(snapshot.Interfaces.Where(i => i.InterfaceIndex == interfaceIndex));
        }

        // Otherwise the candidates are the addresses of the output interface's L3 domain; in a VRF, those of the
        // output interface and the VRF device win when there are any (ipv6_get_saddr_master).
        var vrf = VrfDomain.VrfOf(snapshot, interfaceIndex);
        if (vrf is not null)
        {
            var own = UsableIPv6(snapshot.Interfaces.Where(i => i.InterfaceIndex == interfaceIndex || i.InterfaceIndex == vrf.InterfaceIndex));
            if (own.Count > 0)
            {
                return own;
            }
        }

        var domain = vrf?.InterfaceIndex ?? 0;
        return UsableIPv6(snapshot.Interfaces.Where(i => VrfDomain.IndexOf(snapshot, i) == domain));
    }

    private static List<NetInterfaceAddress> UsableIPv6(IEnumerable<NetInterfaceInfo> devices) =>
        devices.SelectMany(d => d.Addresses)
            .Where(address => address.AddressFamily == IPAddressFamily.IPv6
                && !((address.Flags & AddressFlags.Tentative) != 0 && (address.Flags & AddressFlags.Optimistic) == 0)
                && !address.IPAddress.IsIPv6Multicast
                && !address.IPAddress.Equals(IPAddress.IPv6Any))
            .ToList();

    /// <summary>
    /// What <see cref="SelectIPv6"/> needs of a destination beyond its bits, read from its numbers without allocating:
    /// its scope, label and ORCHID-ness. False for an address with a scope id, which the numbers do not carry.
    /// </summary>
    internal static bool TryClassifyIPv6(IPAddress destination, ulong high, ulong low, out Ipv6Kind kind)
    {
        kind = default;
        if (destination.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6 || destination.ScopeId != 0)
        {
            return false;
        }

        kind = new Ipv6Kind(Rfc6724.Scope(high, low), Labels.Label(high, low), ((OrchidHigh ^ high) & Bits128.MaskHigh(Orchid.Length)) == 0, high >> 56 == 0xFF);
        return true;
    }

    /// <summary>
    /// The candidates for a destination of this kind with rules 2 to 8 made one number each (higher better, the first
    /// rule that differs decides): those rules read of the destination only its kind.
    /// </summary>
    internal static Ipv6SourceCandidates IPv6CandidatesFor(RouteSnapshot snapshot, int interfaceIndex, Ipv6Kind kind)
    {
        var addresses = IPv6Candidates(snapshot, interfaceIndex, kind.Scope, kind.Multicast).ToArray();
        var target = new Candidate(IPAddress.IPv6Any, kind.Scope, kind.Label, kind.Orchid);
        var ranks = new long[addresses.Length];
        var high = new ulong[addresses.Length];
        var low = new ulong[addresses.Length];
        for (var i = 0; i < addresses.Length; i++)
        {
            long rank = Evaluate(snapshot, addresses[i], target, interfaceIndex, 2) + 130;
            for (var rule = 3; rule <= 8; rule++)
            {
                rank = (rank * 2) + Evaluate(snapshot, addresses[i], target, interfaceIndex, rule);
            }

            ranks[i] = rank;
            (high[i], low[i]) = AddressNumbers.Of(addresses[i].IPAddress);
        }

        return new Ipv6SourceCandidates(addresses, ranks, high, low);
    }

    /// <summary>
    /// <see cref="SelectIPv6"/> over candidates made for the destination's kind: rule 1 and rule 9 (the common prefix)
    /// added per destination, which has no scope id (<see cref="TryClassifyIPv6"/>) and is given as its numbers.
    /// </summary>
    internal static IPAddress? SelectIPv6(Ipv6SourceCandidates candidates, ulong high, ulong low)
    {
        // Unless a candidate is the destination (rule 1), rules 2 to 8 leave only the leaders, and rule 9 decides
        // among them: most often there is one, and no common prefix to count.
        var among = candidates.HasDestination(high, low) ? candidates.All : candidates.Leaders;
        if (among.Length == 1)
        {
            return candidates.Addresses[among[0]].IPAddress;
        }

        var best = -1;
        long bestRank = -1;
        foreach (var i in among)
        {
            var own = candidates.Unscoped[i] && candidates.High[i] == high && candidates.Low[i] == low ? 1L : 0L;
            var common = Math.Min(Bits128.CommonLength(candidates.High[i], candidates.Low[i], high, low), candidates.PrefixLengths[i]);
            var rank = (own << 48) | (candidates.Ranks[i] << 8) | (long)common;
            if (rank > bestRank)
            {
                best = i;
                bestRank = rank;
            }
        }

        return best < 0 ? null : candidates.Addresses[best].IPAddress;
    }

    private static IEnumerable<NetInterfaceAddress> PrimaryIPv4(NetInterfaceInfo? device) =>
        device is null
            ? Enumerable.Empty<NetInterfaceAddress>()
            : device.Addresses.Where(a => a.AddressFamily == IPAddressFamily.IPv4 && !a.IsSecondary);

    /// <summary>Whether <paramref name="candidate"/> beats <paramref name="best"/>: the first rule that tells them apart decides.</summary>
    private static bool Better(RouteSnapshot snapshot, NetInterfaceAddress candidate, NetInterfaceAddress best, Candidate target, int interfaceIndex)
    {
        for (var rule = 1; rule <= 9; rule++)
        {
            var a = Evaluate(snapshot, candidate, target, interfaceIndex, rule);
            var b = Evaluate(snapshot, best, target, interfaceIndex, rule);
            if (a != b)
            {
                return a > b;
            }
        }

        return false;
    }

    private static int Evaluate(RouteSnapshot snapshot, NetInterfaceAddress address, Candidate target, int interfaceIndex, int rule)
    {
        switch (rule)
        {
            case 1: // Prefer the destination itself.
                return address.IPAddress.Equals(target.Address) ? 1 : 0;
            case 2: // Prefer the smallest scope that still reaches the destination.
                return Rfc6724.ScopePreference(address.IPAddress, target.Scope);
            case 3: // Avoid deprecated and optimistic addresses (loopback and mapped ones are always preferred).
                return IsAlwaysPreferred(address.IPAddress) || (address.Flags & (AddressFlags.Deprecated | AddressFlags.Optimistic)) == 0 ? 1 : 0;
            case 4: // Mobile IPv6 home addresses: none here, so no preference.
                return 0;
            case 5: // Prefer the output interface.
                return interfaceIndex == 0 || address.InterfaceIndex == interfaceIndex ? 1 : 0;
            case 6: // Prefer a matching label.
                return Labels.Label(address.IPAddress) == target.Label ? 1 : 0;
            case 7: // Prefer public addresses, unless the interface asks for temporary ones (use_tempaddr 2).
                var preferTemporary = snapshot.PreferTemporaryAddresses.Contains(address.InterfaceIndex);
                return (!address.IsTemporary) ^ preferTemporary ? 1 : 0;
            case 8: // Prefer an ORCHID source only for an ORCHID destination.
                return Orchid.Contains(address.IPAddress) == target.Orchid ? 1 : 0;
            default: // Longest matching prefix, counted up to the address's own prefix length.
                return Rfc6724.CommonPrefixLength(address.IPAddress, address.PrefixLength, target.Address);
        }
    }

    private static bool IsAlwaysPreferred(IPAddress address) =>
        address.IsIPv4MappedToIPv6 || address.Equals(IPAddress.IPv6Loopback) || IsCompatible(address);

    private static bool IsCompatible(IPAddress address)
    {
        var b = address.GetAddressBytes();
        return b.Take(12).All(x => x == 0) && !address.Equals(IPAddress.IPv6Any) && !address.Equals(IPAddress.IPv6Loopback);
    }

    private readonly struct Candidate
    {
        public Candidate(IPAddress address, int scope, int label, bool orchid)
        {
            Address = address;
            Scope = scope;
            Label = label;
            Orchid = orchid;
        }

        public bool Orchid { get; }

        public IPAddress Address { get; }

        public int Scope { get; }

        public int Label { get; }
    }
}

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
    private static readonly AddressPolicyTable Labels = new(
        ("::1/128", 0),
        ("::/96", 3),
        ("::ffff:0:0/96", 4),
        ("2001:10::/28", 7),
        ("2001::/32", 6),
        ("2002::/16", 2),
        ("3ffe::/16", 12),
        ("fec0::/10", 11),
        ("fc00::/7", 5),
        ("::/0", 1));

    private static readonly IPPrefix Orchid = IPPrefix.Parse("2001:10::/28");

    /// <param name="gateway">The next hop, or null for an on-link route: with a gateway, an address in its subnet wins.</param>
    /// <param name="scope">The route's scope: addresses of a narrower scope are not candidates.</param>
    public static IPAddress? SelectIPv4(RouteSnapshot snapshot, int interfaceIndex, IPAddress? gateway, AddressScope scope)
    {
        IPAddress? first = null;
        var device = snapshot.FindInterface(interfaceIndex);
        foreach (var address in PrimaryIPv4(device))
        {
            if (Math.Min((byte)(address.Scope ?? AddressScope.Global), (byte)AddressScope.Host) > (byte)scope)
            {
                continue;
            }

            if (gateway is null || new IPPrefix(address.Peer ?? address.IPAddress, address.PrefixLength).Contains(gateway))
            {
                return address.IPAddress;
            }

            first ??= address.IPAddress;
        }

        if (first is not null)
        {
            return first;
        }

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
        var target = new Candidate(destination, Rfc6724.Scope(destination), Labels.Label(destination));

        // Multicast and link-local (or narrower) destinations may only use the output interface's addresses.
        var onlyOutput = destination.IsIPv6Multicast || target.Scope <= Rfc6724.LinkLocalScope;
        if (onlyOutput)
        {
            return Best(snapshot, snapshot.Interfaces.Where(i => i.InterfaceIndex == interfaceIndex), target, interfaceIndex)?.IPAddress;
        }

        // Otherwise the candidates are the addresses of the output interface's L3 domain; in a VRF, those of the
        // output interface and the VRF device win when there are any (ipv6_get_saddr_master).
        var vrf = VrfDomain.VrfOf(snapshot, interfaceIndex);
        if (vrf is not null
            && Best(snapshot, snapshot.Interfaces.Where(i => i.InterfaceIndex == interfaceIndex || i.InterfaceIndex == vrf.InterfaceIndex), target, interfaceIndex) is NetInterfaceAddress own)
        {
            return own.IPAddress;
        }

        var domain = vrf?.InterfaceIndex ?? 0;
        return Best(snapshot, snapshot.Interfaces.Where(i => VrfDomain.IndexOf(snapshot, i) == domain), target, interfaceIndex)?.IPAddress;
    }

    private static NetInterfaceAddress? Best(RouteSnapshot snapshot, IEnumerable<NetInterfaceInfo> devices, Candidate target, int interfaceIndex)
    {
        NetInterfaceAddress? best = null;
        foreach (var device in devices)
        {
            foreach (var address in device.Addresses)
            {
                if (address.AddressFamily != IPAddressFamily.IPv6
                    || ((address.Flags & AddressFlags.Tentative) != 0 && (address.Flags & AddressFlags.Optimistic) == 0)
                    || address.IPAddress.IsIPv6Multicast
                    || address.IPAddress.Equals(IPAddress.IPv6Any))
                {
                    continue;
                }

                if (best is null || Better(snapshot, address, best, target, interfaceIndex))
                {
                    best = address;
                }
            }
        }

        return best;
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
                return Orchid.Contains(address.IPAddress) == Orchid.Contains(target.Address) ? 1 : 0;
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
        public Candidate(IPAddress address, int scope, int label)
        {
            Address = address;
            Scope = scope;
            Label = label;
        }

        public IPAddress Address { get; }

        public int Scope { get; }

        public int Label { get; }
    }
}

using System;
using System.Net;
using System.Net.Sockets;
using PSLoopback.Addressing;

namespace PSLoopback.Routing;

/// <summary>The parts of RFC 6724's source address selection that every OS's model shares: scopes and CommonPrefixLen.</summary>
internal static class Rfc6724
{
    /// <summary>The scope of link-local addresses (RFC 4291 section 2.7), which RFC 6724 section 3.1 gives ::1 too.</summary>
    public const int LinkLocalScope = 0x2;

    /// <summary>An IPv6 address's scope, as RFC 6724 section 3.1 numbers it (1 interface, 2 link, 5 site, 14 global).</summary>
    public static int Scope(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return 0xE;
        }

        // The unspecified address has no scope (Linux's __IPV6_ADDR_SCOPE_INVALID), so every candidate is
        // in scope and the narrowest wins.
        if (address.Equals(IPAddress.IPv6Any))
        {
            return -1;
        }

        var b = address.GetAddressBytes();
        if (b[0] == 0xFF)
        {
            return b[1] & 0x0F;
        }

        if (address.Equals(IPAddress.IPv6Loopback) || address.IsIPv6LinkLocal)
        {
            return LinkLocalScope;
        }

        return address.IsIPv6SiteLocal ? 0x5 : 0xE;
    }

    /// <summary>
    /// <see cref="Scope(IPAddress)"/> of an IPv6 address without a zone, from its numbers (bytes 0-7 in
    /// <paramref name="high"/>, 8-15 in <paramref name="low"/>), for decisions that allocate nothing.
    /// </summary>
    public static int Scope(ulong high, ulong low)
    {
        var top = (uint)(high >> 48);
        return high == 0 && low == 0 ? -1
            : top >> 8 == 0xFF ? (int)(top & 0x0F)
            : (high == 0 && low == 1) || (top & 0xFFC0) == 0xFE80 ? LinkLocalScope
            : (top & 0xFFC0) == 0xFEC0 ? 0x5
            : 0xE;
    }

    /// <summary>
    /// Rule 2's order as one number, higher better: an address whose scope reaches the destination's beats one
    /// whose scope does not; of two that reach it the narrower wins, of two that do not the wider.
    /// </summary>
    public static int ScopePreference(IPAddress source, int destinationScope)
    {
        var scope = Scope(source);
        return scope >= destinationScope ? -scope : scope - 128;
    }

    /// <summary>CommonPrefixLen(S, D) of section 2.2: the leading bits S and D share, counted no further than S's prefix.</summary>
    public static int CommonPrefixLength(IPAddress source, int sourcePrefixLength, IPAddress destination) =>
        Math.Min(AddressClass.CommonPrefixLength(source, destination), sourcePrefixLength);
}

using System.Net;
using System.Net.Sockets;

namespace PSLoopback.Addressing;

/// <summary>
/// A destination as the user typed it, read once for every cmdlet: an address (with its zone, and whether
/// it is an IPv4-mapped IPv6 address), a host name, or why it is neither.
/// </summary>
public sealed class ParsedDestination
{
    internal ParsedDestination(string text, DestinationKind kind)
    {
        Text = text;
        Kind = kind;
    }

    /// <summary>The input, as given.</summary>
    public string Text { get; }

    public DestinationKind Kind { get; }

    /// <summary>The address without its zone (so ::1%1 compares equal to ::1); null unless an address.</summary>
    public IPAddress? Address { get; internal set; }

    /// <summary>The zone as typed after '%' (eth0, 4); null when there was none.</summary>
    public string? Zone { get; internal set; }

    /// <summary>The interface index the zone names.</summary>
    public int? ZoneIndex { get; internal set; }

    /// <summary>
    /// Whether the kernel uses the zone: only for addresses that need one (link-local unicast, and link- or
    /// interface-local multicast), as its connect() does; on ::1%1 or 2001:db8::1%eth0 it ignores the zone.
    /// </summary>
    public bool ZoneApplies { get; internal set; }

    /// <summary>The address with its zone as a scope id where the zone applies: what a route lookup is asked for.</summary>
    public IPAddress? ScopedAddress => Address is null || !ZoneApplies || ZoneIndex is not int index
        ? Address
        : new IPAddress(Address.GetAddressBytes(), index);

    /// <summary>The name without its root dot; null unless a name.</summary>
    public string? Name { get; internal set; }

    /// <summary>localhost or a name under .localhost (RFC 6761): answered here, never sent to DNS.</summary>
    public bool IsLoopbackName => Name is not null && LoopbackNames.IsLoopbackName(Name);

    /// <summary>Why the input is neither an address nor a host name, naming it; null otherwise.</summary>
    public string? Problem { get; internal set; }

    public override string ToString() => Kind switch
    {
        DestinationKind.Address => Zone is null ? Address!.ToString() : $"{Address}%{Zone}",
        DestinationKind.Name => Name!,
        _ => Text,
    };

    internal static bool NeedsZone(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        if (address.IsIPv6LinkLocal)
        {
            return true;
        }

        // ff01::/16 interface-local and ff02::/16 link-local multicast: the scope nibble is 1 or 2.
        var bytes = address.GetAddressBytes();
        return bytes[0] == 0xff && (bytes[1] & 0x0f) is 1 or 2;
    }
}

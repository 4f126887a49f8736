using System;
using System.Globalization;

namespace PSLoopback.Routing;

/// <summary>
/// An IP protocol as `ip route get ... ipproto` takes it: a number from 0 to 255 (decimal, or hex with 0x), or a
/// name of /etc/protocols (tcp, udp, icmp, ipv6-icmp, sctp, gre, esp, ...), and icmpv6, the name most people use.
/// </summary>
public static class IPProtocolNumber
{
    public const string AcceptedForms = "a number from 0 to 255, or a protocol name such as tcp, udp, icmp, ipv6-icmp (icmpv6), sctp, dccp, gre or esp";

    public static bool TryParse(string? text, out byte protocol)
    {
        protocol = 0;
        var trimmed = text?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return false;
        }

        if (trimmed!.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return byte.TryParse(trimmed.Substring(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out protocol);
        }

        if (byte.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out protocol))
        {
            return true;
        }

        if (string.Equals(trimmed, "icmpv6", StringComparison.OrdinalIgnoreCase))
        {
            protocol = 58;
            return true;
        }

        return IprouteNames.TryParseIPProtocolName(trimmed, out protocol);
    }
}

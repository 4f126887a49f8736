using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using PSLoopback.Interfaces;

namespace PSLoopback.Addressing;

/// <summary>Turns what a user typed (an address or a host name) into the addresses to answer for.</summary>
public static class Destination
{
    /// <summary>How long a name lookup may take before the cmdlets give up on it: nothing hangs on DNS.</summary>
    public static readonly TimeSpan NameTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The address a packet to <paramref name="address"/> really carries: a socket sends an IPv4-mapped
    /// address (::ffff:127.0.0.1) as IPv4, so that is the packet both Resolve-NetRoute and Test-Loopback
    /// answer for (an IPv6-only socket cannot send it at all).
    /// </summary>
    public static IPAddress AsSent(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>
    /// Strict address parsing: IPv4 only as four dotted decimals (IPAddress.Parse takes "10.1" as 10.0.0.1,
    /// which nobody means), IPv6 in any RFC 4291 form, with an optional numeric zone (%3).
    /// </summary>
    public static bool TryParseAddress(string? text, out IPAddress address)
    {
        address = IPAddress.None;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var bracketed = text!.Length > 2 && text[0] == '[' && text[text.Length - 1] == ']';
        if (bracketed)
        {
            text = text.Substring(1, text.Length - 2);
        }

        if (!IPAddress.TryParse(text, out var parsed))
        {
            return false;
        }

        if (parsed.AddressFamily == AddressFamily.InterNetwork && (bracketed || !IsDottedQuad(text)))
        {
            return false;
        }

        if (parsed.AddressFamily != AddressFamily.InterNetwork && parsed.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        address = parsed;
        return true;
    }

    /// <summary>Four decimal octets, none with a leading zero (which some parsers read as octal: 010 is 8).</summary>
    private static bool IsDottedQuad(string text)
    {
        var dots = 0;
        var octetStart = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i == text.Length || text[i] == '.')
            {
                var length = i - octetStart;
                if (length == 0 || (length > 1 && text[octetStart] == '0'))
                {
                    return false;
                }

                dots += i < text.Length ? 1 : 0;
                octetStart = i + 1;
            }
            else if (text[i] < '0' || text[i] > '9')
            {
                return false;
            }
        }

        return dots == 3;
    }

    /// <summary>
    /// Reads what a user typed as a destination: an address (strictly, see <see cref="TryParseAddress"/>),
    /// with an optional zone after '%' that must name an interface, or a possible host name; else the reason
    /// it is neither. <paramref name="zoneIndex"/> turns a zone (a name or a number) into an interface index,
    /// or null when no interface has it.
    /// </summary>
    public static ParsedDestination Parse(string? text, Func<string, int?> zoneIndex)
    {
        var input = text ?? string.Empty;
        var trimmed = input.Trim();
        var unbracketed = trimmed.Length > 2 && trimmed[0] == '[' && trimmed[trimmed.Length - 1] == ']'
            ? trimmed.Substring(1, trimmed.Length - 2)
            : trimmed;
        var percent = unbracketed.IndexOf('%');
        var addressText = percent < 0 ? trimmed : unbracketed.Substring(0, percent);
        if (TryParseAddress(addressText, out var address))
        {
            var parsed = new ParsedDestination(input, DestinationKind.Address) { Address = WithoutScope(address) };
            if (percent < 0)
            {
                return parsed;
            }

            var zone = unbracketed.Substring(percent + 1);
            var problem = address.AddressFamily != AddressFamily.InterNetworkV6
                ? $"'{input}': an IPv4 address has no zone ('%{zone}')."
                : zone.Length == 0
                    ? $"'{input}' has an empty zone after '%'; name an interface (fe80::1%eth0) or its index (fe80::1%2), or leave out the '%'."
                    : zoneIndex(zone) is int index
                        ? null
                        : $"'{input}' names the zone '{zone}', but no network interface here is named or numbered '{zone}'.";
            if (problem is not null)
            {
                return Invalid(input, problem);
            }

            parsed.Zone = zone;
            parsed.ZoneIndex = zoneIndex(zone);
            parsed.ZoneApplies = ParsedDestination.NeedsZone(parsed.Address!);
            return parsed;
        }

        if (percent >= 0 || trimmed.IndexOf(':') >= 0 || (trimmed.Length > 0 && trimmed[0] == '['))
        {
            return Invalid(input, $"'{input}' is not an IP address{(trimmed.IndexOf(':') >= 0 ? " (it has a ':', so it is no host name either)" : string.Empty)}.");
        }

        if (HostName.Problem(trimmed) is string invalid)
        {
            return Invalid(input, invalid);
        }

        return new ParsedDestination(input, DestinationKind.Name) { Name = HostName.Canonical(trimmed) };
    }

    /// <summary>
    /// Zones as the interfaces given know them: an interface's name or its index. With no interfaces at all (a
    /// what-if table that lists none), any positive number is taken.
    /// </summary>
    /// <param name="os">Whose names they are: Linux and macOS names are case-sensitive (eth0 and ETH0 can be two
    /// interfaces); Windows' aliases are not ("ethernet 2" is "Ethernet 2"), though an exact match still wins.</param>
    public static Func<string, int?> ZonesOf(IReadOnlyList<NetInterfaceInfo> interfaces, HostOS os) => zone =>
    {
        if (uint.TryParse(zone, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return number is > 0 and <= int.MaxValue && (interfaces.Count == 0 || interfaces.Any(i => i.InterfaceIndex == number)) ? (int)number : null;
        }

        return (interfaces.FirstOrDefault(i => i.Name == zone)
            ?? (os == HostOS.Windows ? interfaces.FirstOrDefault(i => string.Equals(i.Name, zone, StringComparison.OrdinalIgnoreCase)) : null))?.InterfaceIndex;
    };

    /// <summary>
    /// The addresses of a name that is not a loopback name, from the system resolver (hosts file, then DNS),
    /// within <paramref name="timeout"/>. Loopback names are answered from the hosts file by
    /// <see cref="DestinationReader"/> and never come here. Throws <see cref="TimeoutException"/>,
    /// or the resolver's <see cref="SocketException"/> when it has none.
    /// </summary>
    public static IPAddress[] Resolve(string name, TimeSpan timeout)
    {
        if (LoopbackNames.IsLoopbackName(name))
        {
            throw new ArgumentException($"'{name}' is a loopback name (RFC 6761): it is answered on this host, not sent to DNS.", nameof(name));
        }

        var lookup = Dns.GetHostAddressesAsync(name);
        try
        {
            if (!lookup.Wait(timeout))
            {
                throw new TimeoutException($"'{name}' did not resolve within {timeout.TotalSeconds:0.#} s.");
            }
        }
        catch (AggregateException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }

        return lookup.Result
            .Where(a => a.AddressFamily == AddressFamily.InterNetwork || a.AddressFamily == AddressFamily.InterNetworkV6)
            .Distinct()
            .ToArray();
    }

    internal static IPAddress WithoutScope(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0 ? new IPAddress(address.GetAddressBytes()) : address;

    private static ParsedDestination Invalid(string input, string problem) =>
        new(input, DestinationKind.Invalid) { Problem = problem };
}

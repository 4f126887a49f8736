using System;
using System.Linq;
using System.Net;
using System.Net.Sockets;

namespace PSLoopback.Addressing;

/// <summary>Turns what a user typed (an address or a host name) into the addresses to answer for.</summary>
public static class Destination
{
    /// <summary>How long a name lookup may take before the cmdlets give up on it: nothing hangs on DNS.</summary>
    public static readonly TimeSpan NameTimeout = TimeSpan.FromSeconds(5);

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
    /// The addresses of a name, from the system resolver (hosts file, then DNS), within <paramref name="timeout"/>;
    /// a name under .localhost is answered with 127.0.0.1 and ::1 without asking anyone.
    /// Throws <see cref="TimeoutException"/> or the resolver's <see cref="SocketException"/> when it has none.
    /// </summary>
    public static IPAddress[] Resolve(string name, TimeSpan timeout)
    {
        // RFC 6761 section 6.3: names under .localhost are loopback and must not be sent to DNS. Plain
        // "localhost" is left to the system resolver, whose answer (the hosts file) is what is being checked.
        if (LoopbackNames.IsLoopbackName(name) && !string.Equals(name.Trim().TrimEnd('.'), "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return new[] { IPAddress.Loopback, IPAddress.IPv6Loopback };
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
}

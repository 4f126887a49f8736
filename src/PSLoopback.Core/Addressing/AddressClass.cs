using System;
using System.Net;
using System.Net.Sockets;

namespace PSLoopback.Addressing;

/// <summary>What an address is by its bits alone (RFC 1122, RFC 4291, RFC 5735), with no routing table.</summary>
public static class AddressClass
{
    /// <summary>127.0.0.0/8, ::1, and IPv4-mapped ::ffff:127.x.y.z: reserved for the host itself.</summary>
    public static bool IsLoopback(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return IPAddress.IsLoopback(address);
    }

    public static bool IsMulticast(IPAddress address) => address.AddressFamily == AddressFamily.InterNetwork
        ? (ToUInt32(address) >> 28) == 0xE
        : address.IsIPv6Multicast;

    /// <summary>255.255.255.255, the limited broadcast.</summary>
    public static bool IsLimitedBroadcast(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork && ToUInt32(address) == uint.MaxValue;

    public static bool IsUnspecified(IPAddress address) =>
        address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

    /// <summary>224.0.0.0/24: link-local multicast, never forwarded.</summary>
    public static bool IsLocalMulticast(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork && (ToUInt32(address) & 0xFFFFFF00) == 0xE0000000;

    /// <summary>The address as a number, first octet most significant.</summary>
    public static uint ToUInt32(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"{address} is not an IPv4 address.", nameof(address));
        }

        // IPAddress.Address is obsolete only because it cannot hold IPv6; for IPv4 it is the one way to the
        // bits that does not allocate (netstandard2.0 has no TryWriteBytes), and this runs per lookup.
#pragma warning disable CS0618
        return (uint)IPAddress.NetworkToHostOrder((int)address.Address);
#pragma warning restore CS0618
    }

    /// <summary>How many leading bits two addresses of one family share.</summary>
    public static int CommonPrefixLength(IPAddress a, IPAddress b)
    {
        // IPv4 without GetAddressBytes, which allocates: source selection asks this for each candidate.
        if (a.AddressFamily == AddressFamily.InterNetwork && b.AddressFamily == AddressFamily.InterNetwork)
        {
            var differ = ToUInt32(a) ^ ToUInt32(b);
            return differ == 0 ? 32 : Routing.Bits128.LeadingZeros((ulong)differ << 32);
        }

        var x = a.GetAddressBytes();
        var y = b.GetAddressBytes();
        var length = 0;
        for (var i = 0; i < Math.Min(x.Length, y.Length); i++)
        {
            var diff = x[i] ^ y[i];
            if (diff == 0)
            {
                length += 8;
                continue;
            }

            for (var bit = 7; bit >= 0 && (diff & (1 << bit)) == 0; bit--)
            {
                length++;
            }

            break;
        }

        return length;
    }
}

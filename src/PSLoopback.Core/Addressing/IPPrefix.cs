using System;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PSLoopback.Addressing;

/// <summary>
/// An IP network in CIDR form (192.0.2.0/24, 2001:db8::/32, 0.0.0.0/0). The host bits are always zero, so
/// two prefixes that cover the same addresses are equal however they were written.
/// </summary>
public readonly struct IPPrefix : IEquatable<IPPrefix>, IComparable<IPPrefix>, IComparable
{
    private readonly IPAddress? network;

    public IPPrefix(IPAddress address, int length)
    {
        if (address is null)
        {
            throw new ArgumentNullException(nameof(address));
        }

        var bits = BitsOf(address.AddressFamily);
        if (length < 0 || length > bits)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, $"A prefix length for {FamilyName(address.AddressFamily)} is 0 to {bits}.");
        }

        network = Mask(address, length);
        Length = length;
    }

    /// <summary>The first address of the network.</summary>
    public IPAddress Network => network ?? IPAddress.Any;

    public int Length { get; }

    public IPAddressFamily AddressFamily => Network.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
        ? IPAddressFamily.IPv6
        : IPAddressFamily.IPv4;

    /// <summary>True for 0.0.0.0/0 and ::/0.</summary>
    public bool IsDefault => Length == 0;

    public bool IsHost => Length == BitsOf(Network.AddressFamily);

    public static IPPrefix Parse(string text) =>
        TryParse(text, out var prefix)
            ? prefix
            : throw new FormatException($"'{text}' is not an IP prefix such as 192.0.2.0/24 or 2001:db8::/32.");

    /// <summary>Accepts "address/length", a bare address (a host prefix) and "default" (IPv4's 0.0.0.0/0).</summary>
    public static bool TryParse(string? text, out IPPrefix prefix)
    {
        prefix = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text!.Trim();
        if (string.Equals(text, "default", StringComparison.OrdinalIgnoreCase))
        {
            prefix = new IPPrefix(IPAddress.Any, 0);
            return true;
        }

        var slash = text.IndexOf('/');
        var addressText = slash < 0 ? text : text.Substring(0, slash);
        if (addressText.IndexOf('%') >= 0 || addressText.IndexOf('[') >= 0 || !Destination.TryParseAddress(addressText, out var address))
        {
            return false;
        }

        var bits = BitsOf(address.AddressFamily);
        var length = bits;
        if (slash >= 0 && (!int.TryParse(text.Substring(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out length) || length > bits))
        {
            return false;
        }

        prefix = new IPPrefix(address, length);
        return true;
    }

    public bool Contains(IPAddress address)
    {
        if (address is null || address.AddressFamily != Network.AddressFamily)
        {
            return false;
        }

        return Mask(address, Length).Equals(Network);
    }

    /// <summary>True when every address of <paramref name="other"/> is in this prefix.</summary>
    public bool Contains(IPPrefix other) => other.Length >= Length && Contains(other.Network);

    public bool Equals(IPPrefix other) => Length == other.Length && Network.Equals(other.Network);

    public override bool Equals(object? obj) => obj is IPPrefix other && Equals(other);

    /// <summary>Address order: IPv4 before IPv6, then by address, then the shorter prefix first.</summary>
    public int CompareTo(IPPrefix other)
    {
        var family = AddressFamily.CompareTo(other.AddressFamily);
        if (family != 0)
        {
            return family;
        }

        var mine = Network.GetAddressBytes();
        var theirs = other.Network.GetAddressBytes();
        for (var i = 0; i < mine.Length; i++)
        {
            if (mine[i] != theirs[i])
            {
                return mine[i].CompareTo(theirs[i]);
            }
        }

        return Length.CompareTo(other.Length);
    }

    public int CompareTo(object? obj) => obj is IPPrefix other
        ? CompareTo(other)
        : throw new ArgumentException("An IPPrefix compares only with another IPPrefix.", nameof(obj));

    public override int GetHashCode() => (Network.GetHashCode() * 397) ^ Length;

    public override string ToString() => Network + "/" + Length.ToString(CultureInfo.InvariantCulture);

    public static bool operator ==(IPPrefix left, IPPrefix right) => left.Equals(right);

    public static bool operator !=(IPPrefix left, IPPrefix right) => !left.Equals(right);

    internal static int BitsOf(AddressFamily family) => family switch
    {
        System.Net.Sockets.AddressFamily.InterNetwork => 32,
        System.Net.Sockets.AddressFamily.InterNetworkV6 => 128,
        _ => throw new ArgumentException($"{family} is not an IP address family."),
    };

    private static string FamilyName(AddressFamily family) =>
        family == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";

    private static IPAddress Mask(IPAddress address, int length)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Min(Math.Max(length - (i * 8), 0), 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }

        return new IPAddress(bytes);
    }
}

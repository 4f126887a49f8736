using System;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using PSLoopback.Platform.Windows.Native;

namespace PSLoopback.Platform.Windows;

/// <summary>
/// Reads and writes the socket addresses of the IP Helper API (SOCKADDR_IN, SOCKADDR_IN6, the SOCKADDR_INET
/// union of both) as bytes: one codec for the rows of the MIB tables, the adapter list and GetBestRoute2.
/// </summary>
internal static class Sockaddr
{
    /// <summary>sizeof(SOCKADDR_IN): family, port, the address at <see cref="Ipv4AddressOffset"/>, 8 zero bytes.</summary>
    public const int Ipv4Length = 16;

    /// <summary>SOCKADDR_IN's sin_addr, which lies where SOCKADDR_IN6 keeps its flow information.</summary>
    public const int Ipv4AddressOffset = 4;

    /// <summary>sizeof(SOCKADDR_INET), which is sizeof(SOCKADDR_IN6).</summary>
    public static readonly int Length = Marshal.SizeOf<SOCKADDR_INET>();

    private static readonly int Ipv6AddressOffset = Marshal.OffsetOf<SOCKADDR_INET>(nameof(SOCKADDR_INET.sin6_addr)).ToInt32();
    private static readonly int ScopeIdOffset = Marshal.OffsetOf<SOCKADDR_INET>(nameof(SOCKADDR_INET.sin6_scope_id)).ToInt32();

    /// <summary>
    /// The address of the socket address at <paramref name="offset"/>, of <paramref name="length"/> bytes.
    /// The IPv6 zone (sin6_scope_id) is left out: the model names an address's interface beside it.
    /// </summary>
    public static IPAddress Decode(byte[] buffer, long offset, int length, string what)
    {
        NativeBuffer.Require(buffer, offset, 2, what);
        var family = UInt16(buffer, offset);
        var (needed, at, size) = family switch
        {
            IpHelper.AF_INET => (Ipv4Length, Ipv4AddressOffset, 4),
            IpHelper.AF_INET6 => (Length, Ipv6AddressOffset, 16),
            _ => throw new IpHelperParseException($"{what} has address family {family}, neither AF_INET ({IpHelper.AF_INET}) nor AF_INET6 ({IpHelper.AF_INET6})."),
        };
        if (length < needed)
        {
            throw new IpHelperParseException($"{what} is {length} bytes, too short for an address of family {family} ({needed} bytes).");
        }

        NativeBuffer.Require(buffer, offset, needed, what);
        var bytes = new byte[size];
        Array.Copy(buffer, offset + at, bytes, 0, size);
        return new IPAddress(bytes);
    }

    /// <summary>Whether the SOCKADDR_INET at <paramref name="offset"/> is all zeros, family included: no address at all.</summary>
    public static bool IsAllZeros(byte[] buffer, long offset)
    {
        NativeBuffer.Require(buffer, offset, Length, "a socket address");
        for (var i = offset; i < offset + Length; i++)
        {
            if (buffer[i] != 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A SOCKADDR_INET of <see cref="Length"/> bytes for an address, with an IPv6 address's zone.</summary>
    public static byte[] Encode(IPAddress address)
    {
        var bytes = new byte[Length];
        var v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        var family = v6 ? IpHelper.AF_INET6 : IpHelper.AF_INET;
        bytes[0] = (byte)family;
        bytes[1] = (byte)(family >> 8);
        var raw = address.GetAddressBytes();
        Array.Copy(raw, 0, bytes, v6 ? Ipv6AddressOffset : Ipv4AddressOffset, raw.Length);
        if (v6)
        {
            var scope = (uint)address.ScopeId;
            for (var i = 0; i < 4; i++)
            {
                bytes[ScopeIdOffset + i] = (byte)(scope >> (8 * i));
            }
        }

        return bytes;
    }

    /// <summary>Windows' ADDRESS_FAMILY is little-endian on every architecture Windows runs on.</summary>
    private static ushort UInt16(byte[] buffer, long offset) => (ushort)(buffer[offset] | (buffer[offset + 1] << 8));
}

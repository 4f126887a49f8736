using System;
using System.Collections.Generic;
using System.Net;

namespace PSLoopback.Routing;

/// <summary>
/// Linux's multipath hash once net.ipv4.fib_multipath_hash_seed is set, as kernel 6.18 computes it: SipHash-2-4,
/// keyed by the seed in both halves of both key words, over the flow-dissector key structure from its "basic"
/// member on (the fields the policy takes, the rest zero), keeping the low 32 bits (0 becomes 1) shifted right by
/// one. The path is then the first whose upper bound (its share of 2^31 by weight, cumulative over the live
/// paths) is not below the hash (<see cref="UpperBounds"/>). The kernel documents no stability of this across
/// versions; it was checked against `ip route get` on 6.18 (the multipath Pester suite, LinuxMultipathGroupHashTests).
/// </summary>
internal static class LinuxMultipathHash
{
    // struct flow_keys from "basic" on: basic 4, tags 4, vlan 8, cvlan 8, keyid 4, ports 4, icmp 4, then the
    // address union (32); the hash covers the IPv4 or IPv6 addresses and the padding to the structure's end.
    private const int TagsOffset = 4;
    private const int PortsOffset = 28;
    private const int AddressOffset = 36;
    private const int IPv4Length = 48;
    private const int IPv6Length = 72;

    /// <summary>
    /// The hash of a flow: its protocol, flow label, ports and addresses in their places in the structure (the
    /// label and ports in network byte order, as the kernel stores them), the addresses sorted and the ports
    /// sorted (__flow_hash_consistentify), so both directions of a flow hash alike.
    /// </summary>
    public static uint Compute(uint seed, LinuxMultipathFlow flow) => FlowHash(seed, flow) >> 1;

    /// <summary>The flow hash before the final shift (flow_hash_from_keys_seed: never 0).</summary>
    public static uint FlowHash(uint seed, LinuxMultipathFlow flow)
    {
        var source = flow.Source.GetAddressBytes();
        var destination = flow.Destination.GetAddressBytes();
        var data = new byte[source.Length == 4 ? IPv4Length : IPv6Length];
        data[2] = flow.Protocol;
        data[TagsOffset] = (byte)(flow.FlowLabel >> 24);
        data[TagsOffset + 1] = (byte)(flow.FlowLabel >> 16);
        data[TagsOffset + 2] = (byte)(flow.FlowLabel >> 8);
        data[TagsOffset + 3] = (byte)flow.FlowLabel;
        var (lowPort, highPort) = Sorted(flow.SourcePort, flow.DestinationPort);
        data[PortsOffset] = (byte)(lowPort >> 8);
        data[PortsOffset + 1] = (byte)lowPort;
        data[PortsOffset + 2] = (byte)(highPort >> 8);
        data[PortsOffset + 3] = (byte)highPort;
        var (low, high) = Sorted(source, destination);
        Buffer.BlockCopy(low, 0, data, AddressOffset, low.Length);
        Buffer.BlockCopy(high, 0, data, AddressOffset + low.Length, high.Length);
        var key = ((ulong)seed << 32) | seed;
        var hash = (uint)SipHash24(key, key, data);
        return hash == 0 ? 1 : hash;
    }

    /// <summary>
    /// Bob Jenkins' lookup3 hash of two words with initial value 0 (the kernel's jhash_2words), which IPv4's
    /// custom policy (3) applies to the outer and inner hashes of a packet.
    /// </summary>
    public static uint JenkinsTwoWords(uint a, uint b)
    {
        var c = 0xdeadbeefu + (2u << 2);
        a += c;
        b += c;
        c ^= b; c -= Rotate32(b, 14);
        a ^= c; a -= Rotate32(c, 11);
        b ^= a; b -= Rotate32(a, 25);
        c ^= b; c -= Rotate32(b, 16);
        a ^= c; a -= Rotate32(c, 4);
        b ^= a; b -= Rotate32(a, 14);
        c ^= b; c -= Rotate32(b, 24);
        return c;
    }

    private static uint Rotate32(uint value, int bits) => (value << bits) | (value >> (32 - bits));

    /// <summary>
    /// Each live path's upper bound (fib_rebalance, rt6_multipath_rebalance): its cumulative share of 2^31 by
    /// weight, minus one. A hash falls on the first path whose bound is not below it.
    /// </summary>
    public static long[] UpperBounds(IReadOnlyList<int> weights)
    {
        long total = 0;
        foreach (var weight in weights)
        {
            total += weight;
        }

        var bounds = new long[weights.Count];
        if (total == 0)
        {
            // No live path: none is taken by the hash.
            for (var i = 0; i < bounds.Length; i++)
            {
                bounds[i] = -1;
            }

            return bounds;
        }

        long cumulative = 0;
        for (var i = 0; i < weights.Count; i++)
        {
            cumulative += weights[i];
            bounds[i] = ((cumulative << 31) + (total / 2)) / total - 1;
        }

        return bounds;
    }

    /// <summary>
    /// Both ports compared as a little-endian kernel compares them: as the 16-bit words their network-order bytes
    /// make when read little-endian.
    /// </summary>
    private static (ushort Low, ushort High) Sorted(ushort source, ushort destination) =>
        Swapped(destination) < Swapped(source) ? (destination, source) : (source, destination);

    private static ushort Swapped(ushort port) => (ushort)((port >> 8) | (port << 8));

    /// <summary>
    /// Both addresses compared as a little-endian kernel (x86, arm64) compares them: IPv4 as one 32-bit word
    /// read from the address's bytes, IPv6 byte by byte (memcmp); the lower goes first, so both directions of a
    /// flow hash alike.
    /// </summary>
    private static (byte[] Low, byte[] High) Sorted(byte[] source, byte[] destination)
    {
        var destinationFirst = source.Length == 4
            ? Word(destination, 0, 4) < Word(source, 0, 4)
            : Compare(destination, source) < 0;
        return destinationFirst ? (destination, source) : (source, destination);
    }

    private static int Compare(byte[] a, byte[] b)
    {
        for (var i = 0; i < a.Length; i++)
        {
            if (a[i] != b[i])
            {
                return a[i] - b[i];
            }
        }

        return 0;
    }

    /// <summary>SipHash-2-4 (Aumasson and Bernstein) with a 64-bit result, over little-endian 64-bit words.</summary>
    internal static ulong SipHash24(ulong k0, ulong k1, byte[] data)
    {
        var v0 = k0 ^ 0x736f6d6570736575UL;
        var v1 = k1 ^ 0x646f72616e646f6dUL;
        var v2 = k0 ^ 0x6c7967656e657261UL;
        var v3 = k1 ^ 0x7465646279746573UL;

        void Round()
        {
            v0 += v1; v1 = Rotate(v1, 13); v1 ^= v0; v0 = Rotate(v0, 32);
            v2 += v3; v3 = Rotate(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Rotate(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Rotate(v1, 17); v1 ^= v2; v2 = Rotate(v2, 32);
        }

        var whole = data.Length / 8 * 8;
        for (var i = 0; i < whole; i += 8)
        {
            var m = Word(data, i, 8);
            v3 ^= m;
            Round();
            Round();
            v0 ^= m;
        }

        var last = ((ulong)(data.Length & 0xff) << 56) | Word(data, whole, data.Length - whole);
        v3 ^= last;
        Round();
        Round();
        v0 ^= last;
        v2 ^= 0xff;
        Round();
        Round();
        Round();
        Round();
        return v0 ^ v1 ^ v2 ^ v3;
    }

    private static ulong Word(byte[] data, int offset, int count)
    {
        ulong word = 0;
        for (var i = 0; i < count; i++)
        {
            word |= (ulong)data[offset + i] << (8 * i);
        }

        return word;
    }

    private static ulong Rotate(ulong value, int bits) => (value << bits) | (value >> (64 - bits));
}

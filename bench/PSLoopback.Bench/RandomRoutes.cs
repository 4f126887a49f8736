using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;

namespace PSLoopback.Bench;

/// <summary>
/// Seeded random routing tables shaped like the global BGP tables, and addresses to look up in them.
/// </summary>
/// <remarks>
/// IPv4 lengths by share: /24 60 %, /22 11 %, /23 10 %, /20 and /21 5 % each, /19 3 %, /16 and /18 1.5 %, /17 1 %,
/// /8-/15 1 % together, and /25-/32 1 % together (BGP carries none; hosts' tables do, and they exercise the deepest
/// level), plus 0.0.0.0/0. IPv6: inside 2000::/3, /48 about half, then /32, /44, /40, /29, /36 and the rest of
/// /19-/47, a few /56, /64 and /128, plus ::/0. Each value is its own object, as each route is.
/// </remarks>
public static class RandomRoutes
{
    private static readonly double[] Ipv4Weights = Weights(32, (24, 60), (23, 10), (22, 11), (21, 5), (20, 5), (19, 3), (18, 1.5), (17, 1), (16, 1.5))
        .Select((weight, length) => length is >= 8 and <= 15 or >= 25 ? 1.0 / 8 : weight).ToArray();

    private static readonly double[] Ipv6Weights = Weights(128, (48, 50), (32, 12), (44, 8), (40, 6), (29, 4), (36, 4), (46, 3), (47, 2), (45, 2), (42, 2), (56, 2), (64, 2), (128, 2))
        .Select((weight, length) => weight == 0 && length is >= 19 and <= 47 ? 0.3 : weight).ToArray();

    public static KeyValuePair<IPPrefix, object>[] Ipv4(int count, int seed) =>
        Generate(count, new Random(seed), Ipv4Weights, random => (ulong)random.NextInt64(1L << 32) << 32, _ => 0);

    public static KeyValuePair<IPPrefix, object>[] Ipv6(int count, int seed) =>
        Generate(count, new Random(seed), Ipv6Weights, random => (Next64(random) >> 3) | (1UL << 61), Next64);

    /// <summary>Half uniform over the address space, half inside a stored prefix (any of its addresses).</summary>
    public static uint[] Ipv4Addresses(KeyValuePair<IPPrefix, object>[] routes, int count, int seed)
    {
        var random = new Random(seed);
        var addresses = new uint[count];
        for (var i = 0; i < count; i++)
        {
            var any = (uint)random.NextInt64(1L << 32);
            if (i % 2 == 0)
            {
                var prefix = routes[random.Next(routes.Length)].Key;
                var network = (uint)(Numbers(prefix.Network).High >> 32);
                var host = prefix.Length == 0 ? uint.MaxValue : (1u << (32 - prefix.Length)) - 1;
                any = network | (any & host);
            }

            addresses[i] = any;
        }

        return addresses;
    }

    /// <summary>Half uniform over 2000::/3, half inside a stored prefix (any of its addresses).</summary>
    public static (ulong[] High, ulong[] Low) Ipv6Addresses(KeyValuePair<IPPrefix, object>[] routes, int count, int seed)
    {
        var random = new Random(seed);
        var high = new ulong[count];
        var low = new ulong[count];
        for (var i = 0; i < count; i++)
        {
            high[i] = (Next64(random) >> 3) | (1UL << 61);
            low[i] = Next64(random);
            if (i % 2 == 0)
            {
                var prefix = routes[random.Next(routes.Length)].Key;
                var (networkHigh, networkLow) = Numbers(prefix.Network);
                var hostHigh = prefix.Length >= 64 ? 0 : ulong.MaxValue >> prefix.Length;
                var hostLow = prefix.Length <= 64 ? ulong.MaxValue : prefix.Length == 128 ? 0 : ulong.MaxValue >> (prefix.Length - 64);
                high[i] = networkHigh | (Next64(random) & hostHigh);
                low[i] = networkLow | (Next64(random) & hostLow);
            }
        }

        return (high, low);
    }

    /// <summary>An address as two numbers, most significant first; an IPv4 address in the top 32 bits.</summary>
    public static (ulong High, ulong Low) Numbers(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        ulong high = 0, low = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (i < 8)
            {
                high |= (ulong)bytes[i] << (56 - (8 * i));
            }
            else
            {
                low |= (ulong)bytes[i] << (56 - (8 * (i - 8)));
            }
        }

        return (high, low);
    }

    private static KeyValuePair<IPPrefix, object>[] Generate(int count, Random random, double[] weights, Func<Random, ulong> high, Func<Random, ulong> low)
    {
        var bits = weights.Length - 1;
        var total = weights.Sum();
        var routes = new List<KeyValuePair<IPPrefix, object>>(count);
        var seen = new HashSet<IPPrefix>();
        var defaultRoute = new IPPrefix(bits == 32 ? IPAddress.Any : IPAddress.IPv6Any, 0);
        seen.Add(defaultRoute);
        routes.Add(new KeyValuePair<IPPrefix, object>(defaultRoute, new object()));
        while (routes.Count < count)
        {
            var length = PickLength(random, weights, total);
            var (h, l) = (high(random), low(random));
            var bytes = new byte[bits / 8];
            for (var i = 0; i < bytes.Length; i++)
            {
                bytes[i] = (byte)(i < 8 ? h >> (56 - (8 * i)) : l >> (56 - (8 * (i - 8))));
            }

            var prefix = new IPPrefix(new IPAddress(bytes), length);
            if (seen.Add(prefix))
            {
                routes.Add(new KeyValuePair<IPPrefix, object>(prefix, new object()));
            }
        }

        return routes.ToArray();
    }

    private static int PickLength(Random random, double[] weights, double total)
    {
        var pick = random.NextDouble() * total;
        for (var length = 0; length < weights.Length; length++)
        {
            pick -= weights[length];
            if (pick < 0)
            {
                return length;
            }
        }

        return weights.Length - 1;
    }

    private static double[] Weights(int bits, params (int Length, double Weight)[] shares)
    {
        var weights = new double[bits + 1];
        foreach (var (length, weight) in shares)
        {
            weights[length] = weight;
        }

        return weights;
    }

    private static ulong Next64(Random random)
    {
        var bytes = new byte[8];
        random.NextBytes(bytes);
        return BitConverter.ToUInt64(bytes, 0);
    }
}

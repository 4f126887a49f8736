using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Routing;

namespace PSLoopback.Core.Tests.Routing;

public class PrefixTableTests
{
    public static IEnumerable<object[]> Seeds => Enumerable.Range(1, 24).Select(seed => new object[] { seed });

    [Fact]
    public void EmptyTablesMatchNothing()
    {
        foreach (var family in new[] { IPAddressFamily.IPv4, IPAddressFamily.IPv6 })
        {
            var table = PrefixTable<string>.Build(family, Array.Empty<KeyValuePair<IPPrefix, string>>());

            Assert.Equal(0, table.Count);
            Assert.Equal(family, table.Family);
            Assert.Null(table.LongestMatch(IPAddress.Parse(family == IPAddressFamily.IPv4 ? "192.0.2.1" : "2001:db8::1")));
            Assert.Null(table.LongestMatch(0xC0000201u));
            Assert.Null(table.LongestMatch(0x20010DB800000000ul, 1));
            Assert.Empty(table.Matches(IPAddress.Parse(family == IPAddressFamily.IPv4 ? "0.0.0.0" : "::")));
            Assert.Null(table.Get(IPPrefix.Parse(family == IPAddressFamily.IPv4 ? "0.0.0.0/0" : "::/0")));
            Assert.False(table.TryLongestMatch(IPAddress.Parse(family == IPAddressFamily.IPv4 ? "10.0.0.1" : "::1"), out _, out var value));
            Assert.Null(value);
        }
    }

    [Theory]
    [InlineData("0.0.0.0/0", "0.0.0.0", "255.255.255.255", "192.0.2.1")]
    [InlineData("::/0", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db8::1")]
    public void TheDefaultRouteMatchesEveryAddress(string prefix, params string[] addresses)
    {
        var table = Table(prefix);

        foreach (var address in addresses)
        {
            Assert.Equal(prefix, table.LongestMatch(IPAddress.Parse(address)));
            Assert.Equal(new[] { prefix }, Matched(table, address));
        }
    }

    [Fact]
    public void AnIpv4HostRouteMatchesOnlyItsAddress()
    {
        var table = Table("0.0.0.0/0", "192.0.2.7/32");

        Assert.Equal("192.0.2.7/32", table.LongestMatch(IPAddress.Parse("192.0.2.7")));
        Assert.Equal("192.0.2.7/32", table.LongestMatch(0xC0000207u));
        Assert.Equal("0.0.0.0/0", table.LongestMatch(IPAddress.Parse("192.0.2.6")));
        Assert.Equal("0.0.0.0/0", table.LongestMatch(IPAddress.Parse("192.0.2.8")));
        Assert.Equal(new[] { "192.0.2.7/32", "0.0.0.0/0" }, Matched(table, "192.0.2.7"));
    }

    [Fact]
    public void AnIpv6HostRouteMatchesOnlyItsAddress()
    {
        var table = Table("::/0", "2001:db8::7/128");

        Assert.Equal("2001:db8::7/128", table.LongestMatch(IPAddress.Parse("2001:db8::7")));
        Assert.Equal("2001:db8::7/128", table.LongestMatch(0x20010DB800000000ul, 7));
        Assert.Equal("::/0", table.LongestMatch(IPAddress.Parse("2001:db8::6")));
        Assert.Equal("::/0", table.LongestMatch(IPAddress.Parse("2001:db8::8")));
        Assert.Equal(new[] { "2001:db8::7/128", "::/0" }, Matched(table, "2001:db8::7"));
    }

    [Fact]
    public void NestedIpv4PrefixesMatchLongestFirst()
    {
        var table = Table("10.0.0.0/8", "0.0.0.0/0", "10.1.2.130/32", "10.1.0.0/16", "10.1.2.128/25", "10.1.2.0/24");

        Assert.Equal(new[] { "10.1.2.130/32", "10.1.2.128/25", "10.1.2.0/24", "10.1.0.0/16", "10.0.0.0/8", "0.0.0.0/0" }, Matched(table, "10.1.2.130"));
        Assert.Equal(new[] { "10.1.2.128/25", "10.1.2.0/24", "10.1.0.0/16", "10.0.0.0/8", "0.0.0.0/0" }, Matched(table, "10.1.2.131"));
        Assert.Equal(new[] { "10.1.2.0/24", "10.1.0.0/16", "10.0.0.0/8", "0.0.0.0/0" }, Matched(table, "10.1.2.127"));
        Assert.Equal(new[] { "10.1.0.0/16", "10.0.0.0/8", "0.0.0.0/0" }, Matched(table, "10.1.3.0"));
        Assert.Equal(new[] { "10.0.0.0/8", "0.0.0.0/0" }, Matched(table, "10.2.0.0"));
        Assert.Equal(new[] { "0.0.0.0/0" }, Matched(table, "11.0.0.0"));
    }

    [Fact]
    public void ALongPrefixLeavesTheRestOfItsBlocksToTheShorterOne()
    {
        var table = Table("10.0.0.0/8", "10.1.2.4/30");

        Assert.Equal("10.0.0.0/8", table.LongestMatch(IPAddress.Parse("10.1.2.3")));
        Assert.Equal("10.1.2.4/30", table.LongestMatch(IPAddress.Parse("10.1.2.4")));
        Assert.Equal("10.1.2.4/30", table.LongestMatch(IPAddress.Parse("10.1.2.7")));
        Assert.Equal("10.0.0.0/8", table.LongestMatch(IPAddress.Parse("10.1.2.8")));
        Assert.Equal("10.0.0.0/8", table.LongestMatch(IPAddress.Parse("10.1.3.5")));
        Assert.Equal("10.0.0.0/8", table.LongestMatch(IPAddress.Parse("10.2.2.5")));
        Assert.Null(table.LongestMatch(IPAddress.Parse("11.1.2.5")));
    }

    [Fact]
    public void NestedIpv6PrefixesMatchLongestFirstAcrossTheSixtyFourthBit()
    {
        var table = Table("2001:db8::/32", "::/0", "2001:db8:1::/48", "2001:db8:1:0:8000::/65", "2001:db8:1::/64", "2001:db8:1::/63", "2001:db8:1::8000:0:0:1/128");

        Assert.Equal(
            new[] { "2001:db8:1:0:8000::1/128", "2001:db8:1:0:8000::/65", "2001:db8:1::/64", "2001:db8:1::/63", "2001:db8:1::/48", "2001:db8::/32", "::/0" },
            Matched(table, "2001:db8:1:0:8000::1"));
        Assert.Equal(new[] { "2001:db8:1::/64", "2001:db8:1::/63", "2001:db8:1::/48", "2001:db8::/32", "::/0" }, Matched(table, "2001:db8:1:0:7fff::1"));
        Assert.Equal(new[] { "2001:db8:1::/63", "2001:db8:1::/48", "2001:db8::/32", "::/0" }, Matched(table, "2001:db8:1:1::1"));
        Assert.Equal(new[] { "2001:db8:1::/48", "2001:db8::/32", "::/0" }, Matched(table, "2001:db8:1:2::"));
        Assert.Equal(new[] { "2001:db8::/32", "::/0" }, Matched(table, "2001:db8:2::"));
        Assert.Equal(new[] { "::/0" }, Matched(table, "2001:db9::"));
        Assert.Equal("2001:db8:1:0:8000::/65", table.LongestMatch(0x20010DB800010000ul, 0x8000000000000002ul));
    }

    [Theory]
    [InlineData("192.0.2.0/25", "192.0.2.128/25", "192.0.2.127", "192.0.2.128", "192.0.3.0")]
    [InlineData("2001:db8::/33", "2001:db8:8000::/33", "2001:db8:7fff:ffff:ffff:ffff:ffff:ffff", "2001:db8:8000::", "2001:db9::")]
    public void AdjacentPrefixesMeetWithoutOverlap(string lower, string upper, string lastOfLower, string firstOfUpper, string beyond)
    {
        var table = Table(lower, upper);

        Assert.Equal(new[] { lower }, Matched(table, lastOfLower));
        Assert.Equal(new[] { upper }, Matched(table, firstOfUpper));
        Assert.Empty(Matched(table, beyond));
    }

    [Fact]
    public void TryLongestMatchReturnsThePrefixAndItsValue()
    {
        var table = Table("10.0.0.0/8", "10.1.0.0/16");

        Assert.True(table.TryLongestMatch(IPAddress.Parse("10.1.200.3"), out var prefix, out var value));
        Assert.Equal(IPPrefix.Parse("10.1.0.0/16"), prefix);
        Assert.Equal("10.1.0.0/16", value);
        Assert.False(table.TryLongestMatch(IPAddress.Parse("11.1.200.3"), out _, out _));
    }

    [Fact]
    public void GetFindsOnlyTheExactPrefix()
    {
        var table = Table("10.0.0.0/8", "10.1.2.0/24", "0.0.0.0/0", "10.1.2.3/32");

        Assert.Equal("10.0.0.0/8", table.Get(IPPrefix.Parse("10.0.0.0/8")));
        Assert.Equal("10.1.2.0/24", table.Get(IPPrefix.Parse("10.1.2.99/24")));
        Assert.Equal("0.0.0.0/0", table.Get(IPPrefix.Parse("0.0.0.0/0")));
        Assert.Equal("10.1.2.3/32", table.Get(IPPrefix.Parse("10.1.2.3/32")));
        Assert.Null(table.Get(IPPrefix.Parse("10.1.0.0/16")));
        Assert.Null(table.Get(IPPrefix.Parse("10.1.2.0/25")));
        Assert.Null(table.Get(IPPrefix.Parse("10.1.2.4/32")));
        Assert.Null(table.Get(IPPrefix.Parse("11.0.0.0/8")));
        Assert.Null(table.Get(IPPrefix.Parse("::/0")));
        Assert.Null(Table("10.0.0.0/8").Get(IPPrefix.Parse("0.0.0.0/0")));
    }

    [Fact]
    public void CountAndFamilyDescribeTheTable()
    {
        var table = Table("2001:db8::/32", "2001:db8::/48", "::1/128");

        Assert.Equal(3, table.Count);
        Assert.Equal(IPAddressFamily.IPv6, table.Family);
    }

    [Theory]
    [InlineData("192.0.2.0/24", "10.0.0.0/8", "192.0.2.99/24", "192.0.2.0/24")]
    [InlineData("2001:db8::/32", "2001:db8::/48", "2001:db8:ffff::/32", "2001:db8::/32")]
    public void ADuplicatePrefixIsRejectedByName(string first, string other, string second, string named)
    {
        // Written differently, the two are still one prefix once the host bits are dropped.
        var exception = Assert.Throws<ArgumentException>(() => Table(first, other, second));

        Assert.Contains(named, exception.Message);
        Assert.Equal("entries", exception.ParamName);
    }

    [Fact]
    public void APrefixOfTheOtherFamilyIsRejected()
    {
        var entries = new[] { Entry("192.0.2.0/24"), Entry("2001:db8::/32") };

        var exception = Assert.Throws<ArgumentException>(() => PrefixTable<string>.Build(IPAddressFamily.IPv4, entries));
        Assert.Contains("2001:db8::/32", exception.Message);
        Assert.Throws<ArgumentException>(() => PrefixTable<string>.Build(IPAddressFamily.IPv6, entries));
    }

    [Fact]
    public void ANullValueIsRejected()
    {
        var entries = new[] { new KeyValuePair<IPPrefix, string>(IPPrefix.Parse("192.0.2.0/24"), null!) };

        Assert.Throws<ArgumentException>(() => PrefixTable<string>.Build(IPAddressFamily.IPv4, entries));
    }

    [Fact]
    public void AnAddressOfTheOtherFamilyMatchesNothing()
    {
        var ipv4 = Table("0.0.0.0/0");
        var ipv6 = Table("::/0");

        Assert.Null(ipv4.LongestMatch(IPAddress.Parse("::ffff:192.0.2.1")));
        Assert.Empty(ipv4.Matches(IPAddress.Parse("2001:db8::1")));
        Assert.Null(ipv4.LongestMatch(0ul, 1ul));
        Assert.Null(ipv6.LongestMatch(IPAddress.Parse("192.0.2.1")));
        Assert.Null(ipv6.LongestMatch(0xC0000201u));
        Assert.Throws<ArgumentNullException>(() => ipv4.Matches(null!));
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Ipv4AgreesWithALinearScan(int seed) => AgreesWithALinearScan(new Scenario(IPAddressFamily.IPv4, seed));

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Ipv6AgreesWithALinearScan(int seed) => AgreesWithALinearScan(new Scenario(IPAddressFamily.IPv6, seed));

    private static void AgreesWithALinearScan(Scenario scenario)
    {
        var table = PrefixTable<string>.Build(scenario.Family, scenario.Prefixes.Select(p => new KeyValuePair<IPPrefix, string>(p.Prefix, p.Value)));
        Assert.Equal(scenario.Prefixes.Count, table.Count);

        foreach (var address in scenario.Addresses())
        {
            var expected = scenario.Prefixes.Where(p => (address & p.Mask) == p.Network).OrderByDescending(p => p.Length).ToList();
            var longest = expected.Count > 0 ? expected[0].Value : null;
            var ipAddress = scenario.ToAddress(address);

            var fast = scenario.Family == IPAddressFamily.IPv4 ? table.LongestMatch((uint)address) : table.LongestMatch((ulong)(address >> 64), (ulong)address);
            Assert.Same(longest, fast);
            Assert.Same(longest, table.LongestMatch(ipAddress));
            Assert.Equal(expected.Count > 0, table.TryLongestMatch(ipAddress, out var prefix, out _));
            Assert.Equal(expected.Count > 0 ? expected[0].Prefix : default, prefix);
            Assert.Equal(expected.Select(p => p.Prefix + "=" + p.Value), table.Matches(ipAddress).Select(m => m.Key + "=" + m.Value));
        }

        foreach (var stored in scenario.Prefixes)
        {
            Assert.Same(stored.Value, table.Get(stored.Prefix));
        }

        var storedSet = new HashSet<IPPrefix>(scenario.Prefixes.Select(p => p.Prefix));
        foreach (var missing in scenario.RandomPrefixes(500).Where(p => !storedSet.Contains(p)))
        {
            Assert.Null(table.Get(missing));
        }
    }

    // The IPv4 index is a poptrie: tables of up to 4,096 prefixes a direct array of 16 bits, then 8-bit chunks, then
    // 6-bit nodes (bits 24-29, 30-31); larger ones a direct array of 18 bits, then nodes over bits 18-23, 24-29, 30-31;
    // over 262,144 a /24 level of 4-bit codes, an 18-bit block's answers at most 13 past its first prefix inside, and
    // the nodes for a /24 with longer prefixes or a block with answers further. These put prefixes on and either side
    // of each of those edges, alone, among host routes in 200.0.0.0/14 (which no address here reaches) that bring the
    // table to exactly 4,096 and 4,097 prefixes, either side of the switch, to 70,000 and to 300,000; the last sets
    // make blocks of exactly 14 prefixes (in the level) and 15 (the node), under a cover and without one, and a block
    // whose /24s go both ways.
    public static IEnumerable<object[]> StrideEdges =>
        new[]
        {
            new[] { "10.0.0.0/16", "10.0.0.0/17", "10.0.128.0/18", "10.0.192.0/22", "10.0.193.0/24", "10.0.193.16/28", "10.0.193.20/30", "10.0.193.22/32" },
            new[] { "10.0.0.0/17", "10.0.64.0/18", "10.0.127.0/24", "10.0.127.252/30", "10.0.127.255/32", "10.0.128.0/17" },
            new[] { "0.0.0.0/1", "128.0.0.0/18", "128.0.63.0/24", "128.0.64.0/18", "255.255.255.255/32", "255.255.255.252/30", "0.0.0.0/32" },
            new[] { "10.0.0.0/19", "10.0.0.0/23", "10.0.0.0/24", "10.0.0.0/25", "10.0.0.0/29", "10.0.0.0/30", "10.0.0.0/31", "10.0.0.0/32" },
            new[] { "10.0.3.0/24", "10.0.3.128/26", "10.0.3.192/26", "10.0.3.0/31", "10.0.3.2/31", "10.0.3.3/32", "10.0.4.0/22" },
            new[] { "10.0.0.0/15", "10.1.252.0/22", "10.1.255.0/24", "10.1.255.240/28", "10.1.255.255/32", "10.2.0.0/21", "10.2.0.0/27" },
            new[] { "10.5.0.0/16", "10.5.0.0/25", "10.5.0.128/25", "10.5.1.0/23", "10.5.2.0/24", "10.5.255.0/24", "10.5.255.0/26", "10.6.0.0/24" },
            new[] { "10.8.0.0/14" }.Concat(Enumerable.Range(0, 14).Select(i => $"10.9.{2 * i}.0/24")).Concat(Enumerable.Range(0, 15).Select(i => $"10.10.{(2 * i) + 1}.0/24")).ToArray(),
            Enumerable.Range(0, 14).Select(i => $"10.13.{4 * i}.0/24").Concat(Enumerable.Range(0, 15).Select(i => $"10.14.{(4 * i) + 3}.0/24")).ToArray(),
            new[] { "0.0.0.0/24", "0.0.63.0/24", "10.11.0.0/19", "10.11.32.0/19", "10.11.32.0/20", "10.11.33.0/24", "10.11.63.0/24", "255.255.192.0/19", "255.255.255.0/24" },
            new[] { "10.12.0.0/19", "10.12.5.0/24", "10.12.5.128/25", "10.12.6.0/24", "10.12.6.7/32", "10.12.40.0/22", "10.12.63.255/32" },
        }.SelectMany(prefixes => new[] { 0, 4096, 4097, 70_000, 300_000 }.Select(total => new object[] { Math.Max(0, total - prefixes.Length), prefixes }));

    [Theory]
    [MemberData(nameof(StrideEdges))]
    public void PrefixesAtTheStrideEdgesAgreeWithALinearScan(int padding, string[] prefixes)
    {
        var entries = prefixes.Select(Entry).ToList();
        entries.AddRange(Enumerable.Range(0, padding).Select(i => Entry($"200.{i >> 16}.{(i >> 8) & 255}.{i & 255}/32")));

        var table = PrefixTable<string>.Build(IPAddressFamily.IPv4, entries);
        var stored = prefixes.Select(IPPrefix.Parse).ToList();

        foreach (var address in EdgeAddresses(stored))
        {
            Assert.Equal(LinearScan(stored, address), Longest(table, address));
        }
    }

    [Fact]
    public void ANestedChainAcrossTheDirectArrayEdgeWalksBackLongestFirst()
    {
        // From /8 to /32 around one address, every length, so the chain runs through the direct array and every node.
        var lengths = Enumerable.Range(8, 25).ToArray();
        var prefixes = lengths.Select(l => new IPPrefix(IPAddress.Parse("172.16.201.77"), l).ToString()).ToArray();
        var table = Table(prefixes);

        var node = table.FindNode(0xAC10C94Dul << 32, 0);
        var walked = new List<int>();
        for (; node != 0; node = table.CoveringOf(node))
        {
            walked.Add(table.LengthAt(node));
            Assert.Equal(table.PrefixAt(node).ToString(), table.ValueAt(node));
        }

        Assert.Equal(lengths.Reverse(), walked);
        foreach (var length in lengths)
        {
            // The first address of the next block after each prefix falls back to the prefix one shorter, if stored.
            var beyond = (uint)((0xAC10C94Dul & ~((1ul << (32 - length)) - 1)) + (1ul << (32 - length)));
            var expected = lengths.Where(l => l < length && (beyond >> (32 - l)) == (0xAC10C94Du >> (32 - l))).DefaultIfEmpty(-1).Max();
            Assert.Equal(expected < 0 ? null : new IPPrefix(IPAddress.Parse("172.16.201.77"), expected).ToString(), table.LongestMatch(beyond));
        }
    }

    [Fact]
    public void OnlyTheDefaultRouteAnswersEveryIpv4Address()
    {
        var table = Table("0.0.0.0/0");
        var random = new Random(11);

        foreach (var address in new uint[] { 0, 1, 0x3FFF, 0x4000, 0xFFFFFF, 0x7FFFFFFF, 0x80000000, uint.MaxValue }.Concat(Enumerable.Range(0, 1000).Select(_ => (uint)random.NextInt64(1L << 32))))
        {
            Assert.Equal("0.0.0.0/0", table.LongestMatch(address));
            Assert.Equal(1, table.FindNode((ulong)address << 32, 0));
        }
    }

    [Fact]
    public void DenseHostRoutesAnswerEachAddress()
    {
        // Every /32 of 192.0.2.0/24 under it, every other one of 198.51.100.0/25 with no cover, 64 slots in a row.
        var prefixes = new List<string> { "192.0.2.0/24" };
        prefixes.AddRange(Enumerable.Range(0, 256).Select(i => $"192.0.2.{i}/32"));
        prefixes.AddRange(Enumerable.Range(0, 64).Select(i => $"198.51.100.{2 * i}/32"));
        var table = Table(prefixes.ToArray());

        for (var i = 0; i < 256; i++)
        {
            Assert.Equal($"192.0.2.{i}/32", table.LongestMatch(0xC0000200u + (uint)i));
            Assert.Equal(new[] { $"192.0.2.{i}/32", "192.0.2.0/24" }, Matched(table, $"192.0.2.{i}"));
            Assert.Equal(i < 128 && i % 2 == 0 ? $"198.51.100.{i}/32" : null, table.LongestMatch(0xC6336400u + (uint)i));
        }

        Assert.Null(table.LongestMatch(0xC00001FFu));
        Assert.Null(table.LongestMatch(0xC0000300u));
    }

    [Fact]
    public void ALargeIpv4TableAgreesWithAProbeOfEveryLength()
    {
        // 200,000 prefixes, lengths spread over all 33 and clustered in a few /12s so they nest and crowd the nodes.
        var random = new Random(200_000);
        AgreesWithAProbeOfEveryLength(random, 200_000, () =>
        {
            var length = random.Next(4) == 0 ? random.Next(33) : 16 + random.Next(17);
            var address = random.Next(2) == 0 ? (uint)random.NextInt64(1L << 32) : (0x0A000000u + ((uint)random.Next(4) << 20)) | (uint)random.Next(1 << 20);
            return (address, length);
        });
    }

    [Fact]
    public void ABgpShapedTableInTheSlash24LevelAgreesWithAProbeOfEveryLength()
    {
        // 320,000 prefixes, past the switch to the /24 level: most /19-/24 inside 32.0.0.0/3, about 8 to each 18-bit
        // block, so the blocks' counts spread either side of the level's 14; a few shorter, and /25-/32 that send their
        // /24s to the nodes.
        var random = new Random(320_000);
        AgreesWithAProbeOfEveryLength(random, 320_000, () =>
        {
            var pick = random.Next(100);
            var length = pick < 85 ? 19 + random.Next(6) : pick < 95 ? random.Next(19) : 25 + random.Next(8);
            return (0x20000000u | (uint)random.Next(1 << 29), length);
        });
    }

    // The reference looks each length's network up in a set, which needs no trie.
    private static void AgreesWithAProbeOfEveryLength(Random random, int count, Func<(uint Address, int Length)> next)
    {
        var stored = new Dictionary<(uint Network, int Length), string>();
        while (stored.Count < count)
        {
            var (address, length) = next();
            var network = Network(address, length);
            stored.TryAdd((network, length), $"{new IPAddress(BitConverter.GetBytes(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(network)))}/{length}");
        }

        var table = PrefixTable<string>.Build(IPAddressFamily.IPv4, stored.Select(p => new KeyValuePair<IPPrefix, string>(IPPrefix.Parse(p.Value), p.Value)).ToList());
        var keys = stored.Keys.ToArray();
        for (var i = 0; i < 100_000; i++)
        {
            var (network, length) = keys[random.Next(keys.Length)];
            var span = length == 0 ? uint.MaxValue : (1u << (32 - length)) - 1;
            var address = (i % 5) switch
            {
                0 => (uint)random.NextInt64(1L << 32),
                1 => network,
                2 => network + span,
                3 => network - 1,
                _ => network + (uint)(random.NextInt64(span + 1L)),
            };

            string? expected = null;
            var chain = new List<int>();
            for (var probe = 32; probe >= 0; probe--)
            {
                if (stored.TryGetValue((Network(address, probe), probe), out var value))
                {
                    expected ??= value;
                    chain.Add(probe);
                }
            }

            Assert.Same(expected, table.LongestMatch(address));
            Assert.Equal(table.FindNode((ulong)address << 32, 0), table.FindNode(address));
            if (i % 10 == 0)
            {
                var walked = new List<int>();
                for (var node = table.FindNode((ulong)address << 32, 0); node != 0; node = table.CoveringOf(node))
                {
                    walked.Add(table.LengthAt(node));
                }

                Assert.Equal(chain, walked);
            }
        }
    }

    [Fact]
    public void TheIpv4NodeWalkAnswersAsTheTwoNumberOne()
    {
        // Every index shape (up to 4,096 prefixes, past it, and from 262,145 the /24 level), either side of both
        // switches, nested lengths 0-32, and the tables that answer nothing.
        var random = new Random(4);
        foreach (var size in new[] { 1, 100, 4096, 4097, 30_000, 262_144, 262_145 })
        {
            var stored = new HashSet<(uint Network, int Length)>();
            while (stored.Count < size)
            {
                var length = random.Next(33);
                var address = random.Next(2) == 0 ? (uint)random.NextInt64(1L << 32) : 0xC6000000u | (uint)random.Next(1 << 17);
                stored.Add((Network(address, length), length));
            }

            var table = PrefixTable<string>.Build(IPAddressFamily.IPv4, stored.Select(p => Entry($"{new IPAddress(BitConverter.GetBytes(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(p.Network)))}/{p.Length}")).ToList());
            var found = 0;
            for (var i = 0; i < 20_000; i++)
            {
                var address = i % 2 == 0 ? (uint)random.NextInt64(1L << 32) : 0xC6000000u | (uint)random.Next(1 << 17);
                var node = table.FindNode(address);
                Assert.Equal(table.FindNode((ulong)address << 32, 0), node);
                Assert.Same(table.ValueAt(node), table.LongestMatch(address));
                found += node != 0 ? 1 : 0;
            }

            Assert.InRange(found, 1, 20_000);
        }

        var empty = PrefixTable<string>.Build(IPAddressFamily.IPv4, Array.Empty<KeyValuePair<IPPrefix, string>>());
        Assert.Equal(0, empty.FindNode(0xC0000201u));
        Assert.Equal(0, Table("::/0").FindNode(0xC0000201u));
    }

    [Fact]
    public void PopCountCountsEachSetBit()
    {
        var random = new Random(64);
        var values = new List<ulong> { 0, ulong.MaxValue, 1, 1ul << 63, 0x5555555555555555, 0xAAAAAAAAAAAAAAAA, 0x0F0F0F0F0F0F0F0F, 0xFF00000000000000 };
        values.AddRange(Enumerable.Range(0, 64).Select(i => 1ul << i));
        values.AddRange(Enumerable.Range(0, 64).Select(i => (1ul << i) - 1));
        values.AddRange(Enumerable.Range(0, 2000).Select(_ => (ulong)random.NextInt64() ^ ((ulong)random.Next() << 33)));

        foreach (var value in values)
        {
            var naive = 0;
            for (var bit = 0; bit < 64; bit++)
            {
                naive += (int)((value >> bit) & 1);
            }

            Assert.Equal(naive, Bits128.PopCount(value));
        }
    }

    private static uint Network(uint address, int length) => length == 0 ? 0 : address & (uint.MaxValue << (32 - length));

    private static string? Longest(PrefixTable<string> table, uint address)
    {
        var value = table.LongestMatch(address);
        var node = table.FindNode((ulong)address << 32, 0);
        Assert.Same(value, table.ValueAt(node));
        Assert.Equal(node, table.FindNode(address));
        return value;
    }

    private static string? LinearScan(List<IPPrefix> stored, uint address)
    {
        var ip = new IPAddress(BitConverter.GetBytes(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(address)));
        return stored.Where(p => p.Contains(ip)).OrderByDescending(p => p.Length).Select(p => p.ToString()).FirstOrDefault();
    }

    // Each prefix's first and last address, their neighbours outside, and every 2^k step across the prefix.
    private static IEnumerable<uint> EdgeAddresses(List<IPPrefix> stored)
    {
        foreach (var prefix in stored)
        {
            var network = (uint)(High(prefix.Network) >> 32);
            var span = prefix.Length == 0 ? uint.MaxValue : (1u << (32 - prefix.Length)) - 1;
            yield return network;
            yield return network + span;
            yield return network - 1;
            yield return network + span + 1;
            for (var shift = 0; shift < 32 - prefix.Length; shift++)
            {
                yield return network + (1u << shift);
            }
        }
    }

    private static ulong High(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        return ((ulong)bytes[0] << 56) | ((ulong)bytes[1] << 48) | ((ulong)bytes[2] << 40) | ((ulong)bytes[3] << 32);
    }

    private static PrefixTable<string> Table(params string[] prefixes)
    {
        var family = IPPrefix.Parse(prefixes[0]).AddressFamily;
        return PrefixTable<string>.Build(family, prefixes.Select(Entry).ToList());
    }

    // The value is the prefix's text, normalized, so an assertion names the prefix that matched.
    private static KeyValuePair<IPPrefix, string> Entry(string text)
    {
        var prefix = IPPrefix.Parse(text);
        return new KeyValuePair<IPPrefix, string>(prefix, prefix.ToString());
    }

    private static string[] Matched(PrefixTable<string> table, string address) =>
        table.Matches(IPAddress.Parse(address)).Select(m =>
        {
            Assert.Equal(m.Key.ToString(), m.Value);
            return m.Value;
        }).ToArray();

    private sealed record Stored(IPPrefix Prefix, UInt128 Network, UInt128 Mask, int Length, string Value);

    // A seeded random table in a family, as numbers in the family's width, with a third of its prefixes or more
    // drawn around a few centres so that they nest deeply and sit next to each other.
    private sealed class Scenario
    {
        private readonly Random random;
        private readonly int bits;
        private readonly UInt128[] centres;

        public Scenario(IPAddressFamily family, int seed)
        {
            Family = family;
            bits = family == IPAddressFamily.IPv4 ? 32 : 128;
            random = new Random((seed * 7919) + bits);
            centres = Enumerable.Range(0, random.Next(1, 5)).Select(_ => RandomNumber()).ToArray();

            var wanted = seed % 4 == 0 ? random.Next(1, 40) : random.Next(1, 5001);
            var clustered = 0.3 + (random.NextDouble() * 0.7);
            var seen = new HashSet<(UInt128, int)>();
            Prefixes = new List<Stored>();
            for (var i = 0; i < wanted; i++)
            {
                var (network, length) = random.NextDouble() < clustered ? ClusteredPrefix() : RandomPrefix();
                if (seen.Add((network, length)))
                {
                    Prefixes.Add(new Stored(new IPPrefix(ToAddress(network), length), network, Mask(length), length, "v" + i));
                }
            }
        }

        public IPAddressFamily Family { get; }

        public List<Stored> Prefixes { get; }

        // Uniform addresses, addresses inside stored prefixes, and each side of a stored prefix's edges.
        public IEnumerable<UInt128> Addresses()
        {
            for (var i = 0; i < 2000; i++)
            {
                var stored = Prefixes[random.Next(Prefixes.Count)];
                var first = stored.Network;
                var last = stored.Network | (~stored.Mask & AllOnes);
                yield return (i % 6) switch
                {
                    0 => RandomNumber(),
                    1 => first | (RandomNumber() & ~stored.Mask),
                    2 => first,
                    3 => last,
                    4 => (first - 1) & AllOnes,
                    _ => (last + 1) & AllOnes,
                };
            }
        }

        public IEnumerable<IPPrefix> RandomPrefixes(int count)
        {
            for (var i = 0; i < count; i++)
            {
                var (network, length) = i % 2 == 0 ? ClusteredPrefix() : RandomPrefix();
                yield return new IPPrefix(ToAddress(network), length);
            }
        }

        public IPAddress ToAddress(UInt128 number)
        {
            var bytes = new byte[bits / 8];
            for (var i = 0; i < bytes.Length; i++)
            {
                bytes[i] = (byte)(number >> (bits - (8 * (i + 1))));
            }

            return new IPAddress(bytes);
        }

        private UInt128 AllOnes => bits == 128 ? UInt128.MaxValue : (UInt128.One << bits) - 1;

        private UInt128 Mask(int length) => length == bits ? AllOnes : AllOnes ^ (AllOnes >> length);

        private UInt128 RandomNumber()
        {
            var bytes = new byte[16];
            random.NextBytes(bytes);
            return new UInt128(BitConverter.ToUInt64(bytes, 0), BitConverter.ToUInt64(bytes, 8)) & AllOnes;
        }

        private (UInt128 Network, int Length) RandomPrefix()
        {
            var length = random.Next(bits + 1);
            return (RandomNumber() & Mask(length), length);
        }

        // A centre cut at some length, sometimes with one of its last bits flipped to make a sibling or a neighbour.
        private (UInt128 Network, int Length) ClusteredPrefix()
        {
            var length = random.Next(bits + 1);
            var network = centres[random.Next(centres.Length)] & Mask(length);
            if (length > 0 && random.Next(3) == 0)
            {
                network ^= UInt128.One << (bits - length + random.Next(Math.Min(length, 3)));
            }

            return (network, length);
        }
    }
}

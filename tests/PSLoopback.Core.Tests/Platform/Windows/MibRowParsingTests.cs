using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Runtime.InteropServices;
using PSLoopback.Platform.Windows;
using PSLoopback.Platform.Windows.Native;
using static PSLoopback.Core.Tests.Platform.Windows.IpHelperBytes;

namespace PSLoopback.Core.Tests.Platform.Windows;

public class MibRowParsingTests
{
    public static TheoryData<string> TableKinds() => new(Tables.Keys);

    /// <summary>One valid table of each kind, and the parse that reads it.</summary>
    private static Dictionary<string, (byte[] Table, Func<byte[], int> Parse)> Tables => new()
    {
        ["GetIfTable2"] = (
            Table<MIB_IF_TABLE2, MIB_IF_ROW2>(new[] { IfRow(1, 0x18000000000000), IfRow(7, 0x6000007000000) }),
            t => MibRows.Interfaces(t).Count),
        ["GetUnicastIpAddressTable"] = (
            Table<MIB_UNICASTIPADDRESS_TABLE, MIB_UNICASTIPADDRESS_ROW>(new[] { UnicastRow(1, 1, "127.0.0.1", 8), UnicastRow(7, 7, "fe80::1", 64) }),
            t => MibRows.UnicastAddresses(t).Count),
        ["GetIpInterfaceTable"] = (
            Table<MIB_IPINTERFACE_TABLE, MIB_IPINTERFACE_ROW>(new[] { IPInterfaceRow(1, 1, 2, 75), IPInterfaceRow(1, 1, 23, 75) }),
            t => MibRows.IPInterfaces(t).Count),
        ["GetIpForwardTable2"] = (
            Table<MIB_IPFORWARD_TABLE2, MIB_IPFORWARD_ROW2>(new[] { ForwardRow(7, "0.0.0.0/0", "192.0.2.1"), ForwardRow(1, "::1/128", "::") }),
            t => MibRows.Routes(t).Count),
    };

    [Fact]
    public void InterfaceRowsKeepTheirCountersStatusAndMedium()
    {
        var row = IfRow(12, 0x6000000c000000);
        row.InOctets = 1234567890123;
        row.OutOctets = 42;
        row.InUcastPkts = 10;
        row.InNUcastPkts = 3;
        row.AdminStatus = 2;
        row.OperStatus = 7;
        row.MediaType = 16;
        row.TransmitLinkSpeed = 866_700_000;
        var parsed = Assert.Single(MibRows.Interfaces(Table<MIB_IF_TABLE2, MIB_IF_ROW2>(new[] { row })));
        Assert.Equal(12u, parsed.InterfaceIndex);
        Assert.Equal(0x6000000c000000ul, parsed.InterfaceLuid);
        Assert.Equal(1234567890123ul, parsed.InOctets);
        Assert.Equal(42ul, parsed.OutOctets);
        Assert.Equal(3ul, parsed.InNUcastPkts);
        Assert.Equal(2, parsed.AdminStatus);
        Assert.Equal(7, parsed.OperStatus);
        Assert.Equal(16, parsed.MediaType);
        Assert.Equal(866_700_000ul, parsed.TransmitLinkSpeed);
    }

    [Fact]
    public void UnicastRowsReadBothFamiliesAndTheirStates()
    {
        var v4 = UnicastRow(4, 0x6000004000000, "192.0.2.2", 24);
        v4.PrefixOrigin = 3;
        v4.SuffixOrigin = 3;
        v4.ValidLifetime = 86400;
        var v6 = UnicastRow(4, 0x6000004000000, "2001:db8::1234", 64);
        v6.DadState = 1;
        v6.SkipAsSource = 1;
        var rows = MibRows.UnicastAddresses(Table<MIB_UNICASTIPADDRESS_TABLE, MIB_UNICASTIPADDRESS_ROW>(new[] { v4, v6 }));
        Assert.Equal(new[] { IPAddress.Parse("192.0.2.2"), IPAddress.Parse("2001:db8::1234") }, rows.Select(r => r.Address));
        Assert.Equal(new byte[] { 24, 64 }, rows.Select(r => r.Row.OnLinkPrefixLength));
        Assert.Equal(3, rows[0].Row.PrefixOrigin);
        Assert.Equal(86400u, rows[0].Row.ValidLifetime);
        Assert.Equal(1, rows[1].Row.DadState);
        Assert.Equal(1, rows[1].Row.SkipAsSource);
    }

    [Fact]
    public void IPInterfaceRowsKeepFamilyMetricAndHostModel()
    {
        var row = IPInterfaceRow(9, 0x6000009000000, 23, 25);
        row.UseAutomaticMetric = 1;
        row.NlMtu = 1280;
        row.ForwardingEnabled = 1;
        row.WeakHostSend = 1;
        var parsed = Assert.Single(MibRows.IPInterfaces(Table<MIB_IPINTERFACE_TABLE, MIB_IPINTERFACE_ROW>(new[] { row })));
        Assert.Equal(23, parsed.Family);
        Assert.Equal(25u, parsed.Metric);
        Assert.Equal(1280u, parsed.NlMtu);
        Assert.Equal(1, parsed.ForwardingEnabled);
        Assert.Equal(1, parsed.WeakHostSend);
        Assert.Equal(0, parsed.WeakHostReceive);
        Assert.Equal(1, parsed.Connected);
    }

    [Fact]
    public void ForwardRowsReadPrefixNextHopAndTheRest()
    {
        var gateway = ForwardRow(7, "0.0.0.0/0", "192.0.2.1", metric: 25);
        gateway.Age = 3600;
        gateway.Origin = 2;
        var onLink = ForwardRow(7, "2001:db8:1::/48", "::", metric: 256);
        var host = ForwardRow(1, "127.0.0.1/32", "0.0.0.0");
        var rows = MibRows.Routes(Table<MIB_IPFORWARD_TABLE2, MIB_IPFORWARD_ROW2>(new[] { gateway, onLink, host }));
        Assert.Equal(new[] { "0.0.0.0/0", "2001:db8:1::/48", "127.0.0.1/32" }, rows.Select(r => r.Destination.ToString()));
        Assert.Equal(new[] { "192.0.2.1", "::", "0.0.0.0" }, rows.Select(r => r.NextHop.ToString()));
        Assert.Equal(new[] { 25u, 256u, 0u }, rows.Select(r => r.Row.Metric));
        Assert.Equal(3600u, rows[0].Row.Age);
        Assert.Equal(2, rows[0].Row.Origin);
    }

    [Theory]
    [MemberData(nameof(TableKinds))]
    public void AnEmptyTableHasNoRows(string kind)
    {
        var empty = new byte[Tables[kind].Table.Length];
        Assert.Equal(0, Tables[kind].Parse(empty));
    }

    [Theory]
    [MemberData(nameof(TableKinds))]
    public void EveryTruncationOfATableIsMalformed(string kind)
    {
        var (table, parse) = Tables[kind];
        Assert.Equal(2, parse(table));
        for (var n = 0; n < table.Length; n++)
        {
            var e = Assert.Throws<IpHelperParseException>(() => parse(table[..n]));
            Assert.Contains(n < 4 ? "row count" : "says it has 2 rows", e.Message);
        }
    }

    [Theory]
    [MemberData(nameof(TableKinds))]
    public void ARowCountLargerThanTheBytesIsMalformed(string kind)
    {
        var (table, parse) = Tables[kind];
        foreach (var count in new[] { 3u, 1_000_000u, uint.MaxValue })
        {
            var lying = (byte[])table.Clone();
            BitConverter.GetBytes(count).CopyTo(lying, 0);
            var e = Assert.Throws<IpHelperParseException>(() => parse(lying));
            Assert.Contains($"says it has {count} rows", e.Message);
        }
    }

    [Theory]
    [MemberData(nameof(TableKinds))]
    public void RandomlyCorruptedTablesParseOrAreMalformedNeverWorse(string kind)
    {
        var (table, parse) = Tables[kind];
        ParseCorrupted(table, corrupt => parse(corrupt), seed: 8);
    }

    [Theory]
    [InlineData((ushort)0)]
    [InlineData((ushort)17)]
    [InlineData((ushort)0xffff)]
    public void AnAddressOfAnUnknownFamilyIsMalformed(ushort family)
    {
        var row = UnicastRow(3, 3, "192.0.2.9", 24);
        row.Address.si_family = family;
        var e = Assert.Throws<IpHelperParseException>(() => MibRows.UnicastAddresses(Table<MIB_UNICASTIPADDRESS_TABLE, MIB_UNICASTIPADDRESS_ROW>(new[] { row })));
        Assert.Contains($"address family {family}", e.Message);

        var route = ForwardRow(3, "192.0.2.0/24", "192.0.2.1");
        route.NextHop.si_family = family;
        e = Assert.Throws<IpHelperParseException>(() => MibRows.Routes(Table<MIB_IPFORWARD_TABLE2, MIB_IPFORWARD_ROW2>(new[] { route })));
        Assert.Contains("next hop", e.Message);

        var ip = IPInterfaceRow(3, 3, family, 10);
        e = Assert.Throws<IpHelperParseException>(() => MibRows.IPInterfaces(Table<MIB_IPINTERFACE_TABLE, MIB_IPINTERFACE_ROW>(new[] { ip })));
        Assert.Contains($"address family {family}", e.Message);
    }

    [Theory]
    [InlineData("192.0.2.0/24", 33)]
    [InlineData("2001:db8::/32", 129)]
    [InlineData("2001:db8::/32", 255)]
    public void APrefixLongerThanTheAddressIsMalformed(string prefix, byte length)
    {
        var route = ForwardRow(3, prefix, prefix.Contains(':') ? "::" : "0.0.0.0");
        route.DestinationPrefix.PrefixLength = length;
        var e = Assert.Throws<IpHelperParseException>(() => MibRows.Routes(Table<MIB_IPFORWARD_TABLE2, MIB_IPFORWARD_ROW2>(new[] { route })));
        Assert.Contains($"prefix length {length}", e.Message);

        var address = UnicastRow(3, 3, prefix.Split('/')[0], length);
        e = Assert.Throws<IpHelperParseException>(() => MibRows.UnicastAddresses(Table<MIB_UNICASTIPADDRESS_TABLE, MIB_UNICASTIPADDRESS_ROW>(new[] { address })));
        Assert.Contains($"prefix length {length}", e.Message);
    }

    [Theory]
    [InlineData("192.0.2.0/24", "0.0.0.0")]
    [InlineData("2001:db8::/32", "::")]
    public void AnAllZeroNextHopWithoutFamilyIsOnLink(string prefix, string unspecified)
    {
        // The documentation's "unspecified (all zeros)": no family either, for an on-link or loopback route.
        var route = ForwardRow(3, prefix, unspecified);
        route.NextHop = default;
        var row = Assert.Single(MibRows.Routes(Table<MIB_IPFORWARD_TABLE2, MIB_IPFORWARD_ROW2>(new[] { route })));
        Assert.Equal(IPAddress.Parse(unspecified), row.NextHop);
    }

    [Fact]
    public void ANextHopOfTheOtherFamilyIsMalformed()
    {
        var route = ForwardRow(3, "192.0.2.0/24", "fe80::1");
        var e = Assert.Throws<IpHelperParseException>(() => MibRows.Routes(Table<MIB_IPFORWARD_TABLE2, MIB_IPFORWARD_ROW2>(new[] { route })));
        Assert.Contains("other family", e.Message);
    }

    [Fact]
    public void TheRowsSitWhereTheTableStructurePlacesThem()
    {
        // x64: a ULONG count, then rows aligned to their 8-byte NET_LUID.
        Assert.Equal(8, Marshal.OffsetOf<MIB_IPFORWARD_TABLE2>("Table").ToInt32());
        Assert.Equal(new long[] { 8, 8 + 104 }, MibTable.RowOffsets<MIB_IPFORWARD_TABLE2, MIB_IPFORWARD_ROW2>(Tables["GetIpForwardTable2"].Table, "GetIpForwardTable2"));
    }
}

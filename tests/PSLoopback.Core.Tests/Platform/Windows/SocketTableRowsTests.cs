using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Runtime.InteropServices;
using PSLoopback.Platform.Windows;
using PSLoopback.Platform.Windows.Native;
using PSLoopback.Sockets;
using static PSLoopback.Core.Tests.Platform.Windows.IpHelperBytes;
using static PSLoopback.Core.Tests.Platform.Windows.SocketTableBytes;

namespace PSLoopback.Core.Tests.Platform.Windows;

public class SocketTableRowsTests
{
    public static TheoryData<string> TableKinds() => new(Tables.Keys);

    /// <summary>One valid table of each kind, and the parse that reads it.</summary>
    private static Dictionary<string, (byte[] Table, Func<byte[], IReadOnlyList<SocketRow>> Parse)> Tables => new()
    {
        ["TCP AF_INET"] = (
            Tcp4Table(Tcp4("127.0.0.1", 3000, "0.0.0.0", 0, 2, 812), Tcp4("127.0.0.1", 3000, "127.0.0.1", 50123, 5, 812)),
            SocketTableRows.Tcp4),
        ["TCP AF_INET6"] = (
            Tcp6Table(Tcp6("::", 0, 445, "::", 0, 0, 2, 4), Tcp6("fe80::1", 7, 22, "fe80::2", 7, 50000, 5, 1200)),
            SocketTableRows.Tcp6),
        ["UDP AF_INET"] = (Udp4Table(Udp4("0.0.0.0", 53, 900), Udp4("127.0.0.1", 5353, 901)), SocketTableRows.Udp4),
        ["UDP AF_INET6"] = (Udp6Table(Udp6("::1", 0, 5353, 901), Udp6("fe80::1", 3, 546, 902)), SocketTableRows.Udp6),
    };

    [Fact]
    public void AnIPv4TcpRowWrittenByHandReadsAsWindowsMeansIt()
    {
        // dwNumEntries 1; then MIB_TCPROW_OWNER_PID: LISTEN, 127.0.0.1, port 3000 (0x0bb8) in network byte order
        // in the low 16 bits (garbage above), no peer, pid 812 (0x32c).
        var table = new byte[]
        {
            1, 0, 0, 0,
            2, 0, 0, 0,
            127, 0, 0, 1,
            0x0b, 0xb8, 0xaa, 0x55,
            0, 0, 0, 0,
            0, 0, 0, 0,
            0x2c, 0x03, 0, 0,
        };
        var row = Assert.Single(SocketTableRows.Tcp4(table));
        Assert.Equal(SocketProtocol.Tcp, row.Protocol);
        Assert.Equal(IPAddress.Parse("127.0.0.1"), row.LocalAddress);
        Assert.Equal(3000, row.LocalPort);
        Assert.Equal(IPAddress.Any, row.RemoteAddress);
        Assert.Equal(0, row.RemotePort);
        Assert.Equal(SocketState.Listen, row.State);
        Assert.Equal(812, row.OwningProcess);
    }

    [Fact]
    public void AnIPv6TcpRowWrittenByHandKeepsItsScopeIds()
    {
        var table = new List<byte> { 1, 0, 0, 0 };
        table.AddRange(IPAddress.Parse("fe80::1").GetAddressBytes());
        table.AddRange(new byte[] { 7, 0, 0, 0, 0x01, 0xbb, 0, 0 });
        table.AddRange(IPAddress.Parse("fe80::2").GetAddressBytes());
        table.AddRange(new byte[] { 7, 0, 0, 0, 0xc3, 0x50, 0, 0, 5, 0, 0, 0, 0xb0, 0x04, 0, 0 });
        Assert.Equal(4 + 56, table.Count);

        var row = Assert.Single(SocketTableRows.Tcp6(table.ToArray()));
        Assert.Equal(IPAddress.Parse("fe80::1%7"), row.LocalAddress);
        Assert.Equal(7, row.LocalAddress.ScopeId);
        Assert.Equal(443, row.LocalPort);
        Assert.Equal(IPAddress.Parse("fe80::2%7"), row.RemoteAddress);
        Assert.Equal(50000, row.RemotePort);
        Assert.Equal(SocketState.Established, row.State);
        Assert.Equal(1200, row.OwningProcess);
    }

    [Theory]
    [InlineData("::1", 4096u, "::1")]
    [InlineData("2001:db8::1", 5u, "2001:db8::1")]
    [InlineData("::", 3u, "::")]
    [InlineData("fe80::1", 5u, "fe80::1%5")]
    [InlineData("fec0::1", 2u, "fec0::1%2")]
    [InlineData("fe80::1", 0u, "fe80::1")]
    public void AScopeIdIsKeptOnlyWhereAZoneMeansSomething(string address, uint scope, string expected)
    {
        // Wine 8 writes 4096 as the scope id of ::1; Windows writes 0.
        var tcp = Assert.Single(SocketTableRows.Tcp6(Tcp6Table(Tcp6(address, scope, 80, address, scope, 81, 5, 9))));
        Assert.Equal(IPAddress.Parse(expected), tcp.LocalAddress);
        Assert.Equal(IPAddress.Parse(expected), tcp.RemoteAddress);
        var udp = Assert.Single(SocketTableRows.Udp6(Udp6Table(Udp6(address, scope, 80, 9))));
        Assert.Equal(expected, udp.LocalAddress.ToString());
    }

    [Fact]
    public void UdpRowsOfBothFamiliesListenWithNoPeer()
    {
        var v4 = Assert.Single(SocketTableRows.Udp4(Udp4Table(Udp4("192.0.2.7", 53, 900))));
        Assert.Equal((SocketProtocol.Udp, "192.0.2.7", 53, "0.0.0.0", 0, SocketState.Listen, 900), Describe(v4));

        // dwNumEntries 1; then MIB_UDP6ROW_OWNER_PID: fe80::1, scope 3, port 546, pid 902, by hand.
        var bytes = new List<byte> { 1, 0, 0, 0 };
        bytes.AddRange(IPAddress.Parse("fe80::1").GetAddressBytes());
        bytes.AddRange(new byte[] { 3, 0, 0, 0, 0x02, 0x22, 0, 0, 0x86, 0x03, 0, 0 });
        var v6 = Assert.Single(SocketTableRows.Udp6(bytes.ToArray()));
        Assert.Equal((SocketProtocol.Udp, "fe80::1%3", 546, "::", 0, SocketState.Listen, 902), Describe(v6));
    }

    [Theory]
    [MemberData(nameof(TableKinds))]
    public void EveryRowOfEachTableIsRead(string kind)
    {
        var (table, parse) = Tables[kind];
        var rows = parse(table);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal(kind.StartsWith("TCP", StringComparison.Ordinal) ? SocketProtocol.Tcp : SocketProtocol.Udp, r.Protocol));
    }

    [Fact]
    public void TheRowsOfEachTableAreThoseListed()
    {
        Assert.Equal(
            new[] { ":::445 Listen 4", "fe80::1%7:22 Established 1200" },
            SocketTableRows.Tcp6(Tables["TCP AF_INET6"].Table).Select(r => $"{r.LocalAddress}:{r.LocalPort} {r.State} {r.OwningProcess}"));
        Assert.Equal(
            new[] { "127.0.0.1:3000 0.0.0.0:0 Listen", "127.0.0.1:3000 127.0.0.1:50123 Established" },
            SocketTableRows.Tcp4(Tables["TCP AF_INET"].Table).Select(r => $"{r.LocalAddress}:{r.LocalPort} {r.RemoteAddress}:{r.RemotePort} {r.State}"));
    }

    [Theory]
    [InlineData(1u, SocketState.Closed)]
    [InlineData(2u, SocketState.Listen)]
    [InlineData(3u, SocketState.SynSent)]
    [InlineData(4u, SocketState.SynReceived)]
    [InlineData(5u, SocketState.Established)]
    [InlineData(6u, SocketState.FinWait1)]
    [InlineData(7u, SocketState.FinWait2)]
    [InlineData(8u, SocketState.CloseWait)]
    [InlineData(9u, SocketState.Closing)]
    [InlineData(10u, SocketState.LastAck)]
    [InlineData(11u, SocketState.TimeWait)]
    [InlineData(12u, SocketState.DeleteTcb)]
    public void EachWindowsTcpStateHasGetNetTcpConnectionsName(uint state, SocketState expected)
    {
        Assert.Equal(expected, Assert.Single(SocketTableRows.Tcp4(Tcp4Table(Tcp4("192.0.2.1", 1, "192.0.2.2", 2, state, 5)))).State);
        Assert.Equal(expected, Assert.Single(SocketTableRows.Tcp6(Tcp6Table(Tcp6("2001:db8::1", 0, 1, "2001:db8::2", 0, 2, state, 5)))).State);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(13u)]
    [InlineData(uint.MaxValue)]
    public void AStateWindowsDoesNotDocumentIsMalformed(uint state)
    {
        var e = Assert.Throws<IpHelperParseException>(() => SocketTableRows.Tcp4(Tcp4Table(Tcp4("192.0.2.1", 1, "192.0.2.2", 2, state, 5))));
        Assert.Contains($"TCP state {state}", e.Message);
        Assert.Contains("GetExtendedTcpTable (AF_INET)", e.Message);
        e = Assert.Throws<IpHelperParseException>(() => SocketTableRows.Tcp6(Tcp6Table(Tcp6("::1", 0, 1, "::1", 0, 2, state, 5))));
        Assert.Contains("GetExtendedTcpTable (AF_INET6)", e.Message);
    }

    [Theory]
    [InlineData(0, 0x0000u)]
    [InlineData(1, 0x0100u)]
    [InlineData(80, 0x5000u)]
    [InlineData(3000, 0xb80bu)]
    [InlineData(65535, 0xffffu)]
    [InlineData(443, 0xdeadbb01u)]
    public void APortIsTheLow16BitsInNetworkByteOrder(int port, uint dword)
    {
        Assert.Equal(port, SocketTableRows.Port(dword));
    }

    [Theory]
    [MemberData(nameof(TableKinds))]
    public void AnEmptyTableHasNoRows(string kind)
    {
        var (_, parse) = Tables[kind];
        Assert.Empty(parse(new byte[] { 0, 0, 0, 0 }));
    }

    [Theory]
    [MemberData(nameof(TableKinds))]
    public void TheBytesPastTheLastRowAreNotRead(string kind)
    {
        // Windows fills a buffer of ours that may be larger than the table.
        var (table, parse) = Tables[kind];
        var slack = new byte[table.Length + 1000];
        table.CopyTo(slack, 0);
        for (var i = table.Length; i < slack.Length; i++)
        {
            slack[i] = 0xee;
        }

        Assert.Equal(2, parse(slack).Count);
    }

    [Theory]
    [MemberData(nameof(TableKinds))]
    public void ATruncatedTableIsMalformed(string kind)
    {
        var (table, parse) = Tables[kind];
        var e = Assert.Throws<IpHelperParseException>(() => parse(table.Take(3).ToArray()));
        Assert.Contains("row count", e.Message);
        for (var length = 4; length < table.Length; length += 3)
        {
            e = Assert.Throws<IpHelperParseException>(() => parse(table.Take(length).ToArray()));
            Assert.Contains("says it has 2 rows", e.Message);
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
            Assert.Contains(kind.Replace("TCP ", "GetExtendedTcpTable (", StringComparison.Ordinal).Replace("UDP ", "GetExtendedUdpTable (", StringComparison.Ordinal) + ")", e.Message);
        }
    }

    [Theory]
    [MemberData(nameof(TableKinds))]
    public void RandomlyCorruptedTablesParseOrAreMalformedNeverWorse(string kind)
    {
        var (table, parse) = Tables[kind];
        ParseCorrupted(table, corrupt => parse(corrupt), seed: 10);
    }

    [Fact]
    public void TheRowsHaveTheSizesOfTheWindowsHeaders()
    {
        // Also checked field by field against mingw-w64 by NativeLayoutTests; these are the documented x64 sizes.
        Assert.Equal(24, Marshal.SizeOf<MIB_TCPROW_OWNER_PID>());
        Assert.Equal(56, Marshal.SizeOf<MIB_TCP6ROW_OWNER_PID>());
        Assert.Equal(12, Marshal.SizeOf<MIB_UDPROW_OWNER_PID>());
        Assert.Equal(28, Marshal.SizeOf<MIB_UDP6ROW_OWNER_PID>());
        Assert.Equal(4, Marshal.OffsetOf<MIB_TCP6TABLE_OWNER_PID>("table").ToInt32());
    }

    private static (SocketProtocol, string, int, string, int, SocketState, int) Describe(SocketRow row) =>
        (row.Protocol, row.LocalAddress.ToString(), row.LocalPort, row.RemoteAddress.ToString(), row.RemotePort, row.State, row.OwningProcess);
}

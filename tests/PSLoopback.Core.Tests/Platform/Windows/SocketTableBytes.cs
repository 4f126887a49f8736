using System;
using System.Collections.Generic;
using System.Net;
using System.Runtime.InteropServices;
using PSLoopback.Platform.Windows.Native;
using static PSLoopback.Core.Tests.Platform.Windows.IpHelperBytes;

namespace PSLoopback.Core.Tests.Platform.Windows;

/// <summary>The extended TCP and UDP tables as Windows writes them, built from the parser's own declarations.</summary>
internal static class SocketTableBytes
{
    /// <summary>An extended TCP or UDP table, whose rows field is the older tables' lower-case <c>table</c>.</summary>
    /// <param name="count">The dwNumEntries to write; the number of rows by default.</param>
    public static byte[] Table<TTable, TRow>(IReadOnlyList<TRow> rows, uint? count = null)
        where TTable : struct
        where TRow : struct =>
        IpHelperBytes.Table<TTable, TRow>(rows, count, "table");

    /// <summary>A port as Windows stores it: network byte order in the low 16 bits of a little-endian DWORD.</summary>
    public static uint NetPort(int port) => (uint)(((port & 0xff) << 8) | ((port >> 8) & 0xff));

    /// <summary>An IPv4 address as the DWORD whose bytes in memory are the address's.</summary>
    public static uint Address4(string address) => BitConverter.ToUInt32(IPAddress.Parse(address).GetAddressBytes(), 0);

    public static MIB_TCPROW_OWNER_PID Tcp4(string local, int localPort, string remote, int remotePort, uint state, uint pid) => new()
    {
        dwState = state,
        dwLocalAddr = Address4(local),
        dwLocalPort = NetPort(localPort),
        dwRemoteAddr = Address4(remote),
        dwRemotePort = NetPort(remotePort),
        dwOwningPid = pid,
    };

    public static MIB_TCP6ROW_OWNER_PID Tcp6(string local, uint localScope, int localPort, string remote, uint remoteScope, int remotePort, uint state, uint pid) => new()
    {
        ucLocalAddr = IPAddress.Parse(local).GetAddressBytes(),
        dwLocalScopeId = localScope,
        dwLocalPort = NetPort(localPort),
        ucRemoteAddr = IPAddress.Parse(remote).GetAddressBytes(),
        dwRemoteScopeId = remoteScope,
        dwRemotePort = NetPort(remotePort),
        dwState = state,
        dwOwningPid = pid,
    };

    public static MIB_UDPROW_OWNER_PID Udp4(string local, int localPort, uint pid) => new()
    {
        dwLocalAddr = Address4(local),
        dwLocalPort = NetPort(localPort),
        dwOwningPid = pid,
    };

    public static MIB_UDP6ROW_OWNER_PID Udp6(string local, uint scope, int localPort, uint pid) => new()
    {
        ucLocalAddr = IPAddress.Parse(local).GetAddressBytes(),
        dwLocalScopeId = scope,
        dwLocalPort = NetPort(localPort),
        dwOwningPid = pid,
    };

    public static byte[] Tcp4Table(params MIB_TCPROW_OWNER_PID[] rows) => Table<MIB_TCPTABLE_OWNER_PID, MIB_TCPROW_OWNER_PID>(rows);

    public static byte[] Tcp6Table(params MIB_TCP6ROW_OWNER_PID[] rows) => Table<MIB_TCP6TABLE_OWNER_PID, MIB_TCP6ROW_OWNER_PID>(rows);

    public static byte[] Udp4Table(params MIB_UDPROW_OWNER_PID[] rows) => Table<MIB_UDPTABLE_OWNER_PID, MIB_UDPROW_OWNER_PID>(rows);

    public static byte[] Udp6Table(params MIB_UDP6ROW_OWNER_PID[] rows) => Table<MIB_UDP6TABLE_OWNER_PID, MIB_UDP6ROW_OWNER_PID>(rows);
}

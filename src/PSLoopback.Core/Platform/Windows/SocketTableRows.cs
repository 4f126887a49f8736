using System.Collections.Generic;
using System.Net;
using PSLoopback.Platform.Windows.Native;
using PSLoopback.Sockets;

namespace PSLoopback.Platform.Windows;

/// <summary>
/// Reads the extended TCP and UDP tables (copied by <see cref="IpHelperCalls.TcpTable"/> and
/// <see cref="IpHelperCalls.UdpTable"/>) into rows, checking what the structures cannot: the TCP state.
/// Pure: tests feed it built bytes.
/// </summary>
internal static class SocketTableRows
{
    // The older MIB tables name their rows field in lower case.
    private const string RowsField = "table";

    public static IReadOnlyList<SocketRow> Tcp4(byte[] table)
    {
        const string api = "GetExtendedTcpTable (AF_INET)";
        var rows = new List<SocketRow>();
        foreach (var offset in MibTable.RowOffsets<MIB_TCPTABLE_OWNER_PID, MIB_TCPROW_OWNER_PID>(table, api, RowsField))
        {
            var row = NativeBuffer.Read<MIB_TCPROW_OWNER_PID>(table, offset, "a " + api + " row");
            rows.Add(new SocketRow(
                SocketProtocol.Tcp, Address(row.dwLocalAddr), Port(row.dwLocalPort), Address(row.dwRemoteAddr), Port(row.dwRemotePort),
                State(row.dwState, api), (int)row.dwOwningPid));
        }

        return rows;
    }

    public static IReadOnlyList<SocketRow> Tcp6(byte[] table)
    {
        const string api = "GetExtendedTcpTable (AF_INET6)";
        var rows = new List<SocketRow>();
        foreach (var offset in MibTable.RowOffsets<MIB_TCP6TABLE_OWNER_PID, MIB_TCP6ROW_OWNER_PID>(table, api, RowsField))
        {
            var row = NativeBuffer.Read<MIB_TCP6ROW_OWNER_PID>(table, offset, "a " + api + " row");
            rows.Add(new SocketRow(
                SocketProtocol.Tcp, Address(row.ucLocalAddr, row.dwLocalScopeId), Port(row.dwLocalPort),
                Address(row.ucRemoteAddr, row.dwRemoteScopeId), Port(row.dwRemotePort),
                State(row.dwState, api), (int)row.dwOwningPid));
        }

        return rows;
    }

    /// <summary>UDP rows have no peer and no state: each takes datagrams from anyone, which the model calls Listen.</summary>
    public static IReadOnlyList<SocketRow> Udp4(byte[] table)
    {
        const string api = "GetExtendedUdpTable (AF_INET)";
        var rows = new List<SocketRow>();
        foreach (var offset in MibTable.RowOffsets<MIB_UDPTABLE_OWNER_PID, MIB_UDPROW_OWNER_PID>(table, api, RowsField))
        {
            var row = NativeBuffer.Read<MIB_UDPROW_OWNER_PID>(table, offset, "a " + api + " row");
            rows.Add(new SocketRow(SocketProtocol.Udp, Address(row.dwLocalAddr), Port(row.dwLocalPort), IPAddress.Any, 0, SocketState.Listen, (int)row.dwOwningPid));
        }

        return rows;
    }

    public static IReadOnlyList<SocketRow> Udp6(byte[] table)
    {
        const string api = "GetExtendedUdpTable (AF_INET6)";
        var rows = new List<SocketRow>();
        foreach (var offset in MibTable.RowOffsets<MIB_UDP6TABLE_OWNER_PID, MIB_UDP6ROW_OWNER_PID>(table, api, RowsField))
        {
            var row = NativeBuffer.Read<MIB_UDP6ROW_OWNER_PID>(table, offset, "a " + api + " row");
            rows.Add(new SocketRow(
                SocketProtocol.Udp, Address(row.ucLocalAddr, row.dwLocalScopeId), Port(row.dwLocalPort), IPAddress.IPv6Any, 0, SocketState.Listen, (int)row.dwOwningPid));
        }

        return rows;
    }

    /// <summary>Get-NetTCPConnection's name for a MIB_TCP_STATE; a value Windows does not document is malformed.</summary>
    internal static SocketState State(uint state, string api) => (MIB_TCP_STATE)state switch
    {
        MIB_TCP_STATE.MIB_TCP_STATE_CLOSED => SocketState.Closed,
        MIB_TCP_STATE.MIB_TCP_STATE_LISTEN => SocketState.Listen,
        MIB_TCP_STATE.MIB_TCP_STATE_SYN_SENT => SocketState.SynSent,
        MIB_TCP_STATE.MIB_TCP_STATE_SYN_RCVD => SocketState.SynReceived,
        MIB_TCP_STATE.MIB_TCP_STATE_ESTAB => SocketState.Established,
        MIB_TCP_STATE.MIB_TCP_STATE_FIN_WAIT1 => SocketState.FinWait1,
        MIB_TCP_STATE.MIB_TCP_STATE_FIN_WAIT2 => SocketState.FinWait2,
        MIB_TCP_STATE.MIB_TCP_STATE_CLOSE_WAIT => SocketState.CloseWait,
        MIB_TCP_STATE.MIB_TCP_STATE_CLOSING => SocketState.Closing,
        MIB_TCP_STATE.MIB_TCP_STATE_LAST_ACK => SocketState.LastAck,
        MIB_TCP_STATE.MIB_TCP_STATE_TIME_WAIT => SocketState.TimeWait,
        MIB_TCP_STATE.MIB_TCP_STATE_DELETE_TCB => SocketState.DeleteTcb,
        _ => throw new IpHelperParseException($"a {api} row has TCP state {state}, not a MIB_TCP_STATE (1 to 12)."),
    };

    /// <summary>
    /// A port DWORD: the port in network byte order in its low 16 bits, as Windows (little-endian) reads the
    /// DWORD. The documentation leaves the upper 16 bits undefined, so they are not looked at.
    /// </summary>
    internal static int Port(uint value) => (int)(((value & 0xff) << 8) | ((value >> 8) & 0xff));

    /// <summary>
    /// An IPv6 address with its scope id where a zone means something (RFC 4007: link- and site-local
    /// addresses). Elsewhere it is dropped, so ::1 and global addresses compare equal to what users type; Wine
    /// 8 writes a made-up scope id for them (4096 for ::1), where Windows writes 0.
    /// </summary>
    private static IPAddress Address(byte[] bytes, uint scopeId)
    {
        var address = new IPAddress(bytes);
        return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal ? new IPAddress(bytes, scopeId) : address;
    }

    /// <summary>An IPv4 address DWORD, in network byte order: its bytes in memory, low byte first, are the address's.</summary>
    private static IPAddress Address(uint value) =>
        new(new[] { (byte)value, (byte)(value >> 8), (byte)(value >> 16), (byte)(value >> 24) });
}

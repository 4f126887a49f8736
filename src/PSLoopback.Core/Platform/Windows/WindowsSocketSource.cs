using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Linq;
using PSLoopback.Addressing;
using PSLoopback.Platform.Windows.Native;
using PSLoopback.Sockets;

namespace PSLoopback.Platform.Windows;

/// <summary>
/// Windows' TCP and UDP sockets, as Get-NetTCPConnection and Get-NetUDPEndpoint see them:
/// GetExtendedTcpTable (TCP_TABLE_OWNER_PID_ALL) and GetExtendedUdpTable (UDP_TABLE_OWNER_PID), for
/// AF_INET and AF_INET6, each row with its owning pid; the process names from System.Diagnostics.Process.
/// Only the tables the request needs are read (its protocol and family; no UDP table when the states it
/// asks for leave out Listen).
/// <para>
/// Those tables do not say whether an IPv6 socket has IPV6_V6ONLY, which device a socket is bound to, its
/// queues, or its user, so IPv6Only, BoundInterfaceIndex, the queues and UserName stay null. A table that is
/// missing or fails leaves its sockets out, and <see cref="Warnings"/> names it; when every table it needs
/// fails, <see cref="GetSockets"/> throws <see cref="InvalidOperationException"/>.
/// </para>
/// </summary>
public sealed class WindowsSocketSource : ISocketSource, ISourceWarnings
{
    private readonly Func<ushort, byte[]> tcpTable;
    private readonly Func<ushort, byte[]> udpTable;
    private readonly Func<int, string?> processName;
    private IReadOnlyList<string> warnings = Array.Empty<string>();

    public WindowsSocketSource()
        : this(IpHelperCalls.TcpTable, IpHelperCalls.UdpTable, ProcessNames.Of)
    {
    }

    /// <summary>The table calls, by address family, and the name lookup: a test's own, to answer with built bytes or refuse.</summary>
    internal WindowsSocketSource(Func<ushort, byte[]> tcpTable, Func<ushort, byte[]> udpTable, Func<int, string?> processName)
    {
        this.tcpTable = tcpTable;
        this.udpTable = udpTable;
        this.processName = processName;
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> Warnings => warnings;

    public IReadOnlyList<NetSocketInfo> GetSockets(SocketRequest request)
    {
        var reads = Tables(request).ToList();
        var rows = new List<SocketRow>();
        var failures = new List<Exception>();
        var missing = new List<string>();
        foreach (var (what, read) in reads)
        {
            try
            {
                rows.AddRange(read());
            }
            catch (Exception e) when (e is PlatformNotSupportedException or Win32Exception or IpHelperParseException)
            {
                failures.Add(e);
                missing.Add($"{e.Message.TrimEnd('.')}: no {what} sockets.");
            }
        }

        warnings = missing;
        if (reads.Count > 0 && failures.Count == reads.Count)
        {
            throw new InvalidOperationException(string.Join(" ", failures.Select(e => e.Message)), failures[0]);
        }

        return WindowsSocketBuilder.Build(rows, request, request.IncludeOwners ? processName : null);
    }

    /// <summary>The tables the request needs, each with the words for its sockets.</summary>
    private IEnumerable<(string What, Func<IReadOnlyList<SocketRow>> Read)> Tables(SocketRequest request)
    {
        var v4 = request.Family is null or IPAddressFamily.IPv4;
        var v6 = request.Family is null or IPAddressFamily.IPv6;
        if (request.Protocol is null or SocketProtocol.Tcp)
        {
            if (v4)
            {
                yield return ("IPv4 TCP", () => SocketTableRows.Tcp4(tcpTable(IpHelper.AF_INET)));
            }

            if (v6)
            {
                yield return ("IPv6 TCP", () => SocketTableRows.Tcp6(tcpTable(IpHelper.AF_INET6)));
            }
        }

        var udpWanted = request.States is not { Count: > 0 } states || states.Contains(SocketState.Listen);
        if ((request.Protocol is null or SocketProtocol.Udp) && udpWanted)
        {
            if (v4)
            {
                yield return ("IPv4 UDP", () => SocketTableRows.Udp4(udpTable(IpHelper.AF_INET)));
            }

            if (v6)
            {
                yield return ("IPv6 UDP", () => SocketTableRows.Udp6(udpTable(IpHelper.AF_INET6)));
            }
        }
    }
}

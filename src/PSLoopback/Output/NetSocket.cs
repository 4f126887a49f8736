using System.Globalization;
using System.Text;
using PSLoopback.Sockets;

namespace PSLoopback.Output;

/// <summary>
/// One TCP or UDP socket as Get-NetSocketInfo writes it: addresses, states and enums as text that compares
/// with the strings users type (Where-Object LocalAddress -eq '0.0.0.0') and exports to JSON and CSV as it
/// reads; the properties carry Get-NetTCPConnection's names.
/// </summary>
public sealed class NetSocket
{
    private string? localEndpoint;
    private string? remoteEndpoint;
    private string? text;

    // Only the socket is kept: the text is made when read, since most of ten thousand sockets are filtered or counted, not shown.
    internal NetSocket(NetSocketInfo socket)
    {
        Source = socket;
    }

    /// <summary>The socket this was made from, for Test-Loopback to connect to a piped listener.</summary>
    internal NetSocketInfo Source { get; }

    /// <summary>Tcp or Udp.</summary>
    public string Protocol => Source.Protocol.ToString();

    /// <summary>IPv4 or IPv6, the family of the local address.</summary>
    public string AddressFamily => Source.AddressFamily.ToString();

    public string LocalAddress => Source.LocalAddress.ToString();

    public int LocalPort => Source.LocalPort;

    /// <summary>The peer; 0.0.0.0 or :: and port 0 for a listener or an unconnected UDP socket.</summary>
    public string RemoteAddress => Source.RemoteAddress.ToString();

    public int RemotePort => Source.RemotePort;

    /// <summary>Get-NetTCPConnection's names: Listen, Established, TimeWait, ...; an unconnected UDP socket is Listen.</summary>
    public string State => Source.State.ToString();

    /// <summary>The pid of the process that holds the socket; null when it could not be found or may not be inspected.</summary>
    public int? OwningProcess => Source.OwningProcess;

    public string? ProcessName => Source.ProcessName;

    /// <summary>Linux: the socket's owner uid; null on Windows.</summary>
    public uint? Uid => Source.Uid;

    public string? UserName => Source.UserName;

    /// <summary>The device the socket is bound to (SO_BINDTODEVICE); null when none.</summary>
    public int? BoundInterfaceIndex => Source.BoundInterfaceIndex;

    public string? BoundInterfaceAlias => Source.BoundInterfaceAlias;

    /// <summary>IPv6 sockets: whether IPV6_V6ONLY is set; null for IPv4 and where the OS does not say.</summary>
    public bool? IPv6Only => Source.IPv6Only;

    /// <summary>A `::` socket without IPV6_V6ONLY: it takes IPv4 connections too.</summary>
    public bool TakesIPv4 => Source.TakesIPv4;

    /// <summary>Recv-Q as `ss` shows it: bytes to read, or for a listener the connections waiting to be accepted.</summary>
    public long? ReceiveQueue => Source.ReceiveQueue;

    /// <summary>Send-Q as `ss` shows it: bytes not yet acknowledged, or for a listener its backlog.</summary>
    public long? SendQueue => Source.SendQueue;

    /// <summary>LoopbackOnly, Interface or AllInterfaces: who can reach the socket.</summary>
    public string Exposure => Source.Exposure.ToString();

    /// <summary>Linux: the socket's inode.</summary>
    public ulong? Inode => Source.Inode;

    /// <summary>The local end as `ss` writes it: 127.0.0.1:3000, [::1]:3000, 0.0.0.0%eth0:53, *:3000 for a `::` socket that takes IPv4 too.</summary>
    public string LocalEndpoint => localEndpoint ??= Source.LocalEndpoint;

    /// <summary>The peer as `ss` writes it: 0.0.0.0:*, [::]:* or *:* (a `::` socket that takes IPv4 too) for none.</summary>
    public string RemoteEndpoint => remoteEndpoint ??= Source.RemoteEndpoint;

    /// <summary>The socket in `ss -tuanpe` words: protocol, state, queues, ends, owner, uid and inode.</summary>
    public string Text => text ??= SsLine(Source, LocalEndpoint, RemoteEndpoint);

    public override string ToString() => Text;

    /// <summary>ss's name for a state (TCP's own, UNCONN for an unconnected UDP or a closed TCP socket).</summary>
    internal static string SsState(SocketProtocol protocol, SocketState state) => state switch
    {
        SocketState.Listen => protocol == SocketProtocol.Udp ? "UNCONN" : "LISTEN",
        SocketState.Established => "ESTAB",
        SocketState.SynSent => "SYN-SENT",
        SocketState.SynReceived => "SYN-RECV",
        SocketState.FinWait1 => "FIN-WAIT-1",
        SocketState.FinWait2 => "FIN-WAIT-2",
        SocketState.CloseWait => "CLOSE-WAIT",
        SocketState.Closing => "CLOSING",
        SocketState.LastAck => "LAST-ACK",
        SocketState.TimeWait => "TIME-WAIT",
        SocketState.DeleteTcb => "DELETE-TCB",
        _ => "UNCONN",
    };

    private static string SsLine(NetSocketInfo socket, string local, string remote)
    {
        var line = new StringBuilder()
            .Append(socket.Protocol == SocketProtocol.Tcp ? "tcp" : "udp").Append(' ')
            .Append(SsState(socket.Protocol, socket.State)).Append(' ')
            .Append(Number(socket.ReceiveQueue)).Append(' ')
            .Append(Number(socket.SendQueue)).Append(' ')
            .Append(local).Append(' ')
            .Append(remote);
        if (socket.OwningProcess is int pid)
        {
            line.Append(" users:((\"").Append(socket.ProcessName ?? "?").Append("\",pid=").Append(pid.ToString(CultureInfo.InvariantCulture)).Append("))");
        }

        if (socket.Uid is uint uid)
        {
            line.Append(" uid:").Append(uid.ToString(CultureInfo.InvariantCulture));
        }

        if (socket.Inode is ulong inode)
        {
            line.Append(" ino:").Append(inode.ToString(CultureInfo.InvariantCulture));
        }

        if (socket.IPv6Only is bool v6only)
        {
            line.Append(" v6only:").Append(v6only ? '1' : '0');
        }

        return line.ToString();
    }

    private static string Number(long? value) => value is long n ? n.ToString(CultureInfo.InvariantCulture) : "?";
}

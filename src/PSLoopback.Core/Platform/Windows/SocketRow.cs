using System.Net;
using PSLoopback.Sockets;

namespace PSLoopback.Platform.Windows;

/// <summary>One row of an extended TCP or UDP table, decoded: addresses (IPv6 with their scope ids), host-order ports, state and pid.</summary>
internal sealed class SocketRow
{
    public SocketRow(SocketProtocol protocol, IPAddress localAddress, int localPort, IPAddress remoteAddress, int remotePort, SocketState state, int owningProcess)
    {
        Protocol = protocol;
        LocalAddress = localAddress;
        LocalPort = localPort;
        RemoteAddress = remoteAddress;
        RemotePort = remotePort;
        State = state;
        OwningProcess = owningProcess;
    }

    public SocketProtocol Protocol { get; }

    public IPAddress LocalAddress { get; }

    public int LocalPort { get; }

    public IPAddress RemoteAddress { get; }

    public int RemotePort { get; }

    public SocketState State { get; }

    public int OwningProcess { get; }
}

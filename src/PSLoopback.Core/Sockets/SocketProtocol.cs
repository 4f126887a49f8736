namespace PSLoopback.Sockets;

/// <summary>The transport of a socket.</summary>
public enum SocketProtocol
{
    Tcp,
    Udp,
}

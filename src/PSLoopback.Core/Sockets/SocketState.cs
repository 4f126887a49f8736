namespace PSLoopback.Sockets;

/// <summary>
/// A socket's state in the names Get-NetTCPConnection uses. A UDP socket has no state of its own: one that is
/// not connected is <see cref="Listen"/> (it takes datagrams from anyone, as `ss -l` counts it), a connected one
/// <see cref="Established"/>.
/// </summary>
public enum SocketState
{
    Closed,
    Listen,
    SynSent,
    SynReceived,
    Established,
    FinWait1,
    FinWait2,
    CloseWait,
    Closing,
    LastAck,
    TimeWait,
    DeleteTcb,

    /// <summary>A TCP socket bound to a port that neither listens nor connects.</summary>
    Bound,
}

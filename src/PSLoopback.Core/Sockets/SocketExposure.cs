namespace PSLoopback.Sockets;

/// <summary>Who can reach a socket: only this host through loopback, the hosts of one interface, or every interface's.</summary>
public enum SocketExposure
{
    /// <summary>Bound to a loopback address (127.0.0.0/8, ::1, ::ffff:127.x) or to the loopback device.</summary>
    LoopbackOnly,

    /// <summary>Bound to one address of another interface, or to one interface's device (SO_BINDTODEVICE).</summary>
    Interface,

    /// <summary>Bound to the wildcard address (0.0.0.0 or ::) on no device: reachable through every interface.</summary>
    AllInterfaces,
}

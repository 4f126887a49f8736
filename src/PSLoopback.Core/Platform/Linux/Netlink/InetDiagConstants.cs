namespace PSLoopback.Platform.Linux.Netlink;

/// <summary>Numbers from linux/sock_diag.h, linux/inet_diag.h, net/tcp_states.h and netinet/in.h.</summary>
public static class InetDiagConstants
{
    public const ushort SOCK_DIAG_BY_FAMILY = 20;

    public const byte IPPROTO_TCP = 6;
    public const byte IPPROTO_UDP = 17;

    /// <summary>struct inet_diag_sockid: ports, two 16-byte addresses, interface, cookie.</summary>
    public const int SockIdLength = 48;

    /// <summary>struct inet_diag_req_v2: family, protocol, ext, pad, states, then the sockid.</summary>
    public const int RequestLength = 8 + SockIdLength;

    /// <summary>struct inet_diag_msg: family, state, timer, retrans, the sockid, then expires, rqueue, wqueue, uid, inode.</summary>
    public const int MessageLength = 4 + SockIdLength + 20;

    public const ushort INET_DIAG_SKV6ONLY = 11;

    /// <summary>idiag_timer of a time-wait socket (inet_twsk_diag_fill), whatever its substate.</summary>
    public const byte TimeWaitTimer = 3;

    public const byte TCP_ESTABLISHED = 1;
    public const byte TCP_SYN_SENT = 2;
    public const byte TCP_SYN_RECV = 3;
    public const byte TCP_FIN_WAIT1 = 4;
    public const byte TCP_FIN_WAIT2 = 5;
    public const byte TCP_TIME_WAIT = 6;
    public const byte TCP_CLOSE = 7;
    public const byte TCP_CLOSE_WAIT = 8;
    public const byte TCP_LAST_ACK = 9;
    public const byte TCP_LISTEN = 10;
    public const byte TCP_CLOSING = 11;
    public const byte TCP_NEW_SYN_RECV = 12;

    /// <summary>
    /// Not a state a socket is in but a filter bit (Linux 6.6+): bound TCP sockets that neither listen nor
    /// connect, which the kernel then reports in TCP_CLOSE. Older kernels ignore the bit.
    /// </summary>
    public const byte TCP_BOUND_INACTIVE = 13;
}

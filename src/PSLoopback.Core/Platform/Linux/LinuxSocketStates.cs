using System.Collections.Generic;
using PSLoopback.Platform.Linux.Netlink;
using PSLoopback.Sockets;
using static PSLoopback.Platform.Linux.Netlink.InetDiagConstants;

namespace PSLoopback.Platform.Linux;

/// <summary>Between the kernel's TCP state numbers (net/tcp_states.h) and <see cref="SocketState"/>, both ways.</summary>
public static class LinuxSocketStates
{
    /// <summary>
    /// A socket's state. UDP uses TCP_CLOSE for an unconnected socket (Listen, as `ss -l` counts it) and
    /// TCP_ESTABLISHED for a connected one. A TCP socket in TCP_CLOSE with a local port is bound only.
    /// </summary>
    public static SocketState ToSocketState(byte state, SocketProtocol protocol, int localPort)
    {
        if (protocol == SocketProtocol.Udp)
        {
            return state switch
            {
                TCP_CLOSE => SocketState.Listen,
                TCP_ESTABLISHED => SocketState.Established,
                _ => throw new NetlinkParseException($"a UDP socket is in kernel state {state}; UDP uses only TCP_CLOSE and TCP_ESTABLISHED."),
            };
        }

        return state switch
        {
            TCP_ESTABLISHED => SocketState.Established,
            TCP_SYN_SENT => SocketState.SynSent,
            TCP_SYN_RECV or TCP_NEW_SYN_RECV => SocketState.SynReceived,
            TCP_FIN_WAIT1 => SocketState.FinWait1,
            TCP_FIN_WAIT2 => SocketState.FinWait2,
            TCP_TIME_WAIT => SocketState.TimeWait,
            TCP_CLOSE => localPort != 0 ? SocketState.Bound : SocketState.Closed,
            TCP_CLOSE_WAIT => SocketState.CloseWait,
            TCP_LAST_ACK => SocketState.LastAck,
            TCP_LISTEN => SocketState.Listen,
            TCP_CLOSING => SocketState.Closing,
            _ => throw new NetlinkParseException($"kernel TCP state {state} is not one this project knows."),
        };
    }

    /// <summary>The idiag_states mask that asks for the given states of one protocol; null or empty asks for all.</summary>
    public static uint KernelMask(SocketProtocol protocol, IReadOnlyCollection<SocketState>? states)
    {
        if (states is null || states.Count == 0)
        {
            return protocol == SocketProtocol.Udp ? Bit(TCP_CLOSE) | Bit(TCP_ESTABLISHED) : uint.MaxValue;
        }

        var mask = 0u;
        foreach (var state in states)
        {
            mask |= protocol == SocketProtocol.Udp ? UdpBits(state) : TcpBits(state);
        }

        return mask;
    }

    private static uint UdpBits(SocketState state) => state switch
    {
        SocketState.Listen => Bit(TCP_CLOSE),
        SocketState.Established => Bit(TCP_ESTABLISHED),
        _ => 0,
    };

    // DeleteTcb is Windows' alone; Closed and Bound share TCP_CLOSE, which the caller tells apart by the port.
    private static uint TcpBits(SocketState state) => state switch
    {
        SocketState.Closed => Bit(TCP_CLOSE),
        SocketState.Listen => Bit(TCP_LISTEN),
        SocketState.SynSent => Bit(TCP_SYN_SENT),
        SocketState.SynReceived => Bit(TCP_SYN_RECV) | Bit(TCP_NEW_SYN_RECV),
        SocketState.Established => Bit(TCP_ESTABLISHED),
        SocketState.FinWait1 => Bit(TCP_FIN_WAIT1),
        SocketState.FinWait2 => Bit(TCP_FIN_WAIT2),
        SocketState.CloseWait => Bit(TCP_CLOSE_WAIT),
        SocketState.Closing => Bit(TCP_CLOSING),
        SocketState.LastAck => Bit(TCP_LAST_ACK),
        SocketState.TimeWait => Bit(TCP_TIME_WAIT),
        SocketState.Bound => Bit(TCP_CLOSE) | Bit(TCP_BOUND_INACTIVE),
        _ => 0,
    };

    private static uint Bit(byte state) => 1u << state;
}

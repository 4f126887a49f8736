using System.Net;

namespace PSLoopback.Platform.Linux.Netlink;

/// <summary>One struct inet_diag_msg of a sock_diag dump, with the attributes this project reads.</summary>
public sealed class InetDiagMessage
{
    /// <summary>AF_INET or AF_INET6.</summary>
    public byte Family { get; set; }

    /// <summary>The kernel's TCP state number (UDP sockets use TCP_CLOSE and TCP_ESTABLISHED too).</summary>
    public byte State { get; set; }

    /// <summary>
    /// idiag_timer: the timer pending. 3 only for a time-wait socket, whose State is its substate
    /// (TCP_TIME_WAIT or TCP_FIN_WAIT2); full and request sockets give 0, 1, 2 or 4.
    /// </summary>
    public byte Timer { get; set; }

    public int SourcePort { get; set; }

    public int DestinationPort { get; set; }

    public IPAddress Source { get; set; } = IPAddress.Any;

    public IPAddress Destination { get; set; } = IPAddress.Any;

    /// <summary>idiag_if: the device the socket is bound to, 0 for none.</summary>
    public int Interface { get; set; }

    public uint ReceiveQueue { get; set; }

    public uint SendQueue { get; set; }

    public uint Uid { get; set; }

    /// <summary>0 for time-wait and request sockets, which the kernel gives uid 0 too, and for a connection not yet accepted.</summary>
    public uint Inode { get; set; }

    /// <summary>
    /// INET_DIAG_SKV6ONLY, which the kernel sends only for IPv6 sockets in TCP_LISTEN or TCP_CLOSE (listeners,
    /// bound and UDP sockets); null for every other message, established IPv6 connections included.
    /// </summary>
    public bool? V6Only { get; set; }
}

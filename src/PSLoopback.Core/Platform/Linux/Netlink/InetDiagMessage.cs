using System.Net;

namespace PSLoopback.Platform.Linux.Netlink;

/// <summary>One struct inet_diag_msg of a sock_diag dump, with the attributes this project reads.</summary>
public sealed class InetDiagMessage
{
    /// <summary>AF_INET or AF_INET6.</summary>
    public byte Family { get; set; }

    /// <summary>The kernel's TCP state number (UDP sockets use TCP_CLOSE and TCP_ESTABLISHED too).</summary>
    public byte State { get; set; }

    public int SourcePort { get; set; }

    public int DestinationPort { get; set; }

    public IPAddress Source { get; set; } = IPAddress.Any;

    public IPAddress Destination { get; set; } = IPAddress.Any;

    /// <summary>idiag_if: the device the socket is bound to, 0 for none.</summary>
    public int Interface { get; set; }

    public uint ReceiveQueue { get; set; }

    public uint SendQueue { get; set; }

    public uint Uid { get; set; }

    /// <summary>0 where the kernel has no inode to give (time-wait and request sockets).</summary>
    public uint Inode { get; set; }

    /// <summary>INET_DIAG_SKV6ONLY; null when the message does not carry it (IPv4, time-wait sockets).</summary>
    public bool? V6Only { get; set; }
}

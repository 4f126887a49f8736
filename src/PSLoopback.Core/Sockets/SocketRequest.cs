using System.Collections.Generic;
using PSLoopback.Addressing;

namespace PSLoopback.Sockets;

/// <summary>
/// Which sockets to read. The source asks the OS for only these where it can (sock_diag takes the protocol,
/// family and states), so a narrow question stays cheap; the cmdlet filters the rest.
/// </summary>
public sealed class SocketRequest
{
    /// <summary>Null for TCP and UDP.</summary>
    public SocketProtocol? Protocol { get; set; }

    /// <summary>Null for IPv4 and IPv6.</summary>
    public IPAddressFamily? Family { get; set; }

    /// <summary>Null or empty for every state.</summary>
    public IReadOnlyCollection<SocketState>? States { get; set; }

    /// <summary>Whether to find each socket's process (Linux: a walk of /proc/*/fd), the costly part of a read.</summary>
    public bool IncludeOwners { get; set; } = true;
}

using System.Collections.Generic;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;

namespace PSLoopback.Sockets;

/// <summary>
/// The filters of Get-NetSocketInfo other than process names, as one pure test over a socket. Each filter
/// left null or empty keeps every socket; one given keeps the sockets that match any of its values.
/// </summary>
public sealed class SocketFilter
{
    public IReadOnlyCollection<SocketProtocol>? Protocols { get; set; }

    public IReadOnlyCollection<SocketState>? States { get; set; }

    public IReadOnlyCollection<int>? LocalPorts { get; set; }

    public IReadOnlyCollection<int>? RemotePorts { get; set; }

    /// <summary>
    /// Addresses match as addresses (0.0.0.0 is the IPv4 wildcard, ::0 is ::); a prefix matches every address in it.
    /// An IPv4 address or prefix also matches the IPv4-mapped IPv6 addresses in it (::ffff:127.0.0.1), as ss's
    /// kernel filter does; :: is not mapped, so 0.0.0.0 and :: stay apart.
    /// </summary>
    public IReadOnlyCollection<IPPrefix>? LocalAddresses { get; set; }

    public IReadOnlyCollection<IPPrefix>? RemoteAddresses { get; set; }

    public IReadOnlyCollection<int>? OwningProcesses { get; set; }

    public bool Matches(NetSocketInfo socket) =>
        Allows(Protocols, socket.Protocol)
        && Allows(States, socket.State)
        && Allows(LocalPorts, socket.LocalPort)
        && Allows(RemotePorts, socket.RemotePort)
        && In(LocalAddresses, socket.LocalAddress)
        && In(RemoteAddresses, socket.RemoteAddress)
        && (OwningProcesses is not { Count: > 0 } || (socket.OwningProcess is int pid && OwningProcesses.Contains(pid)));

    /// <summary>The SocketRequest that asks the OS for no more than this filter keeps (protocol, states).</summary>
    public SocketRequest ToRequest() => new()
    {
        Protocol = Protocols is { Count: 1 } ? Protocols.First() : null,
        States = States is { Count: > 0 } ? States : null,
    };

    private static bool Allows<T>(IReadOnlyCollection<T>? wanted, T value) => wanted is not { Count: > 0 } || wanted.Contains(value);

    // A dual-stack socket's IPv4 peers are ::ffff:a.b.c.d (the local end of every connection it accepts too), and
    // ss matches them with an IPv4 filter; an IPv6 prefix never matches an IPv4 address, as in the kernel.
    private static bool In(IReadOnlyCollection<IPPrefix>? wanted, IPAddress address) =>
        wanted is not { Count: > 0 }
        || wanted.Any(p => p.Contains(address) || (address.IsIPv4MappedToIPv6 && p.Contains(address.MapToIPv4())));
}

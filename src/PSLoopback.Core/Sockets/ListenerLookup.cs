using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using PSLoopback.Addressing;

namespace PSLoopback.Sockets;

/// <summary>Which listening sockets take a connection that this host makes, picked as the kernel picks them: pure, over a socket table.</summary>
public static class ListenerLookup
{
    /// <summary>The sockets that listen on the port, on any address.</summary>
    public static IReadOnlyList<NetSocketInfo> OnPort(IEnumerable<NetSocketInfo> sockets, SocketProtocol protocol, int port) =>
        sockets.Where(s => s.Protocol == protocol && s.State == SocketState.Listen && s.LocalPort == port).ToList();

    /// <summary>
    /// Of the listeners on one port, the ones a connection from this host to <paramref name="address"/> reaches:
    /// those bound to the address itself, else the family's wildcard, else, for IPv4, a `::` socket without
    /// IPV6_V6ONLY. Several only when they share the port (SO_REUSEPORT); empty when the connection is refused.
    /// </summary>
    public static IReadOnlyList<NetSocketInfo> Acceptors(IEnumerable<NetSocketInfo> listenersOnPort, IPAddress address)
    {
        var sent = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        var local = listenersOnPort.Where(FromThisHost).ToList();
        var exact = local.Where(s => Unmapped(s.LocalAddress).Equals(sent) && !(s.LocalAddress.IsIPv4MappedToIPv6 && s.IPv6Only == true)).ToList();
        if (exact.Count > 0)
        {
            return exact;
        }

        var wildcard = local.Where(s => s.LocalAddress.AddressFamily == sent.AddressFamily && AddressClass.IsUnspecified(s.LocalAddress)).ToList();
        if (wildcard.Count > 0 || sent.AddressFamily != AddressFamily.InterNetwork)
        {
            return wildcard;
        }

        return local.Where(s => s.TakesIPv4).ToList();
    }

    /// <summary>The address a client on this host connects to for this listener: its own, or the family's loopback for a wildcard.</summary>
    public static IPAddress LocalTarget(NetSocketInfo listener) =>
        listener.LocalAddress.Equals(IPAddress.Any) ? IPAddress.Loopback
        : listener.LocalAddress.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback
        : Unmapped(listener.LocalAddress);

    private static IPAddress Unmapped(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    // Linux delivers what this host sends to itself through lo, so a socket bound to another device
    // (SO_BINDTODEVICE) never sees it; one bound to lo does.
    private static bool FromThisHost(NetSocketInfo socket) =>
        socket.BoundInterfaceIndex is null && socket.BoundInterfaceAlias is null || socket.Exposure == SocketExposure.LoopbackOnly;
}

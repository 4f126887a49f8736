using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;

namespace PSLoopback.Sockets;

/// <summary>Which listening sockets take a connection that this host makes, picked as the kernel picks them: pure, over a socket table.</summary>
public static class ListenerLookup
{
    /// <summary>The sockets that listen on the port, on any address.</summary>
    public static IReadOnlyList<NetSocketInfo> OnPort(IEnumerable<NetSocketInfo> sockets, SocketProtocol protocol, int port) =>
        sockets.Where(s => s.Protocol == protocol && s.State == SocketState.Listen && s.LocalPort == port).ToList();

    /// <summary>
    /// Of the listeners on one port, the ones a connection from this host to <paramref name="address"/> reaches:
    /// those bound to the address itself, else the family's wildcard, else, for IPv4, a `::` socket that may
    /// take IPv4 (IPV6_V6ONLY off, or not known). A socket bound to a device takes only the addresses that
    /// device holds (lo: 127.0.0.0/8 and ::1), as found in <paramref name="interfaces"/>. Several only when they
    /// share the port (SO_REUSEPORT); empty when the connection is refused.
    /// </summary>
    public static IReadOnlyList<NetSocketInfo> Acceptors(IEnumerable<NetSocketInfo> listenersOnPort, IPAddress address, IReadOnlyList<NetInterfaceInfo> interfaces)
    {
        var sent = Bare(address);
        var local = listenersOnPort.Where(s => DeviceHolds(s, sent, interfaces)).ToList();
        var exact = local.Where(s => Bare(s.LocalAddress).Equals(sent) && !(s.LocalAddress.IsIPv4MappedToIPv6 && s.IPv6Only == true)).ToList();
        if (exact.Count > 0)
        {
            return exact;
        }

        var wildcard = local.Where(s => s.LocalAddress.AddressFamily == sent.AddressFamily && AddressClass.IsUnspecified(s.LocalAddress)).ToList();
        if (wildcard.Count > 0 || sent.AddressFamily != AddressFamily.InterNetwork)
        {
            return wildcard;
        }

        return local.Where(MayTakeIPv4).ToList();
    }

    /// <summary>A `::` socket that takes IPv4 connections, or may: IPV6_V6ONLY is off, or the OS does not say (Windows, macOS).</summary>
    public static bool MayTakeIPv4(NetSocketInfo socket) => socket.LocalAddress.Equals(IPAddress.IPv6Any) && socket.IPv6Only != true;

    /// <summary>The address a client on this host connects to for this listener: its own, or the family's loopback for a wildcard.</summary>
    public static IPAddress LocalTarget(NetSocketInfo listener) =>
        listener.LocalAddress.Equals(IPAddress.Any) ? IPAddress.Loopback
        : listener.LocalAddress.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback
        : Unmapped(listener.LocalAddress);

    /// <summary>
    /// Whether a socket's device is the one that holds the address: the kernel matches a device-bound socket
    /// against the device a connection arrives for, which is the device holding its address even when this host
    /// connects to itself. A socket bound to no device matches any.
    /// </summary>
    public static bool DeviceHolds(NetSocketInfo socket, IPAddress address, IReadOnlyList<NetInterfaceInfo> interfaces)
    {
        if (socket.BoundInterfaceIndex is null && socket.BoundInterfaceAlias is null)
        {
            return true;
        }

        var device = interfaces.FirstOrDefault(i => socket.BoundInterfaceIndex is int index ? i.InterfaceIndex == index : i.Name == socket.BoundInterfaceAlias);
        var sent = Bare(address);
        if (AddressClass.IsLoopback(sent))
        {
            return device?.IsLoopback ?? socket.BoundInterfaceAlias == "lo";
        }

        return device is not null && device.Addresses.Any(a => Bare(a.IPAddress).Equals(sent));
    }

    private static IPAddress Unmapped(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    // The scope of a link-local address is the device, which DeviceHolds compares; addresses compare without it.
    private static IPAddress Bare(IPAddress address)
    {
        var unmapped = Unmapped(address);
        return unmapped.AddressFamily == AddressFamily.InterNetworkV6 && unmapped.ScopeId != 0 ? new IPAddress(unmapped.GetAddressBytes()) : unmapped;
    }
}

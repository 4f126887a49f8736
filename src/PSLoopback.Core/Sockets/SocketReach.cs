using System.Net;
using PSLoopback.Addressing;

namespace PSLoopback.Sockets;

/// <summary>Who can reach a socket: pure, from its local address and bound device.</summary>
public static class SocketReach
{
    public static SocketExposure Of(NetSocketInfo socket)
    {
        var address = socket.LocalAddress;
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (AddressClass.IsLoopback(address) || IsLoopbackDevice(socket))
        {
            return SocketExposure.LoopbackOnly;
        }

        return AddressClass.IsUnspecified(address) && socket.BoundInterfaceIndex is null ? SocketExposure.AllInterfaces : SocketExposure.Interface;
    }

    // Linux numbers lo 1, and names it lo; Windows' loopback pseudo-interface is "Loopback Pseudo-Interface 1".
    private static bool IsLoopbackDevice(NetSocketInfo socket) =>
        socket.BoundInterfaceAlias is string name && (name == "lo" || name.StartsWith("Loopback", System.StringComparison.OrdinalIgnoreCase));
}

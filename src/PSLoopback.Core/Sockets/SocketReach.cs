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

        // Only Linux names a bound device, and it names the loopback device lo.
        if (AddressClass.IsLoopback(address) || socket.BoundInterfaceAlias == "lo")
        {
            return SocketExposure.LoopbackOnly;
        }

        return AddressClass.IsUnspecified(address) && socket.BoundInterfaceIndex is null ? SocketExposure.AllInterfaces : SocketExposure.Interface;
    }
}

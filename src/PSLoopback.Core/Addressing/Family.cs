using System.Net;
using System.Net.Sockets;

namespace PSLoopback.Addressing;

/// <summary>An address's family in the names Windows' networking cmdlets use.</summary>
public static class Family
{
    public static IPAddressFamily Of(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddressFamily.IPv6 : IPAddressFamily.IPv4;
}

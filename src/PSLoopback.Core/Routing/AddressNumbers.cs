using System.Net;
using System.Net.Sockets;
using PSLoopback.Addressing;

namespace PSLoopback.Routing;

/// <summary>An address as the two numbers prefix tables take: most significant first, an IPv4 address in the top 32 bits.</summary>
internal static class AddressNumbers
{
    public static (ulong High, ulong Low) Of(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            // Without GetAddressBytes, which allocates: IPv4 is the common question.
            return ((ulong)AddressClass.ToUInt32(address) << 32, 0);
        }

        // netstandard2.0 has no TryWriteBytes: one small array per IPv6 address.
        var bytes = address.GetAddressBytes();
        ulong high = 0, low = 0;
        for (var i = 0; i < 8; i++)
        {
            high = (high << 8) | bytes[i];
            low = (low << 8) | bytes[8 + i];
        }

        return (high, low);
    }
}

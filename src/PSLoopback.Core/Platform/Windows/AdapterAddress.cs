using System.Net;

namespace PSLoopback.Platform.Windows;

/// <summary>One entry of an adapter's unicast list: the address and its on-link prefix length.</summary>
internal sealed class AdapterAddress
{
    public AdapterAddress(IPAddress address, int prefixLength)
    {
        Address = address;
        PrefixLength = prefixLength;
    }

    public IPAddress Address { get; }

    public int PrefixLength { get; }
}

using System.Net;
using PSLoopback.Addressing;

namespace PSLoopback.Routing;

/// <summary>One interface address as a saved snapshot carries it: the facts source selection reads.</summary>
public sealed class SavedAddress
{
    public SavedAddress(IPAddress ipAddress, int prefixLength)
    {
        IPAddress = ipAddress;
        PrefixLength = prefixLength;
    }

    public IPAddress IPAddress { get; }

    public int PrefixLength { get; }

    /// <summary>Null when the saving OS did not say.</summary>
    public AddressScope? Scope { get; set; }

    public IPAddress? Peer { get; set; }

    /// <summary>Secondary (IPv4) or temporary (IPv6), deprecated, tentative, optimistic: what RFC 6724 and inet_select_addr weigh.</summary>
    public AddressFlags Flags { get; set; }

    /// <summary>Windows: excluded from source selection.</summary>
    public bool SkipAsSource { get; set; }
}

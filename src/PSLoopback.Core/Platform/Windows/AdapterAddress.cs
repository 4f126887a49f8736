using System.Net;

namespace PSLoopback.Platform.Windows;

/// <summary>One entry of an adapter's unicast list: the address, its on-link prefix length, whether DNS may name it.</summary>
internal sealed class AdapterAddress
{
    public AdapterAddress(IPAddress address, int prefixLength, bool dnsEligible = true)
    {
        Address = address;
        PrefixLength = prefixLength;
        DnsEligible = dnsEligible;
    }

    public IPAddress Address { get; }

    public int PrefixLength { get; }

    /// <summary>IP_ADAPTER_ADDRESS_DNS_ELIGIBLE: Windows registers the address in DNS (never a temporary one).</summary>
    public bool DnsEligible { get; }
}

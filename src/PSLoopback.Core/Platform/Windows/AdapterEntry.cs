using System.Collections.Generic;
using PSLoopback.Platform.Windows.Native;

namespace PSLoopback.Platform.Windows;

/// <summary>One adapter of GetAdaptersAddresses, with the strings and lists its pointers lead to read.</summary>
internal sealed class AdapterEntry
{
    public AdapterEntry(IP_ADAPTER_ADDRESSES_LH adapter, string friendlyName, string? description, string? dnsSuffix, byte[] physicalAddress, IReadOnlyList<AdapterAddress> unicastAddresses)
    {
        Adapter = adapter;
        FriendlyName = friendlyName;
        Description = description;
        DnsSuffix = dnsSuffix;
        PhysicalAddress = physicalAddress;
        UnicastAddresses = unicastAddresses;
    }

    public IP_ADAPTER_ADDRESSES_LH Adapter { get; }

    /// <summary>The interface's index: IfIndex, or for an interface without IPv4 (IfIndex 0), Ipv6IfIndex.</summary>
    public int InterfaceIndex => (int)(Adapter.IfIndex != 0 ? Adapter.IfIndex : Adapter.Ipv6IfIndex);

    public string FriendlyName { get; }

    public string? Description { get; }

    public string? DnsSuffix { get; }

    /// <summary>The first PhysicalAddressLength bytes of PhysicalAddress; empty for a link without one (the loopback).</summary>
    public byte[] PhysicalAddress { get; }

    public IReadOnlyList<AdapterAddress> UnicastAddresses { get; }
}

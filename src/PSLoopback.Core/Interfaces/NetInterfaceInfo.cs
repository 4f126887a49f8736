using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;

namespace PSLoopback.Interfaces;

/// <summary>One network interface as the OS reports it. Facts the OS does not give stay null.</summary>
public sealed class NetInterfaceInfo
{
    private IReadOnlyList<NetInterfaceAddress> addresses = Array.Empty<NetInterfaceAddress>();
    private IReadOnlyList<NetIPInterfaceInfo> ipInterfaces = Array.Empty<NetIPInterfaceInfo>();

    public NetInterfaceInfo(int interfaceIndex, string name)
    {
        InterfaceIndex = interfaceIndex;
        Name = name ?? throw new ArgumentNullException(nameof(name));
    }

    public int InterfaceIndex { get; }

    public string Name { get; }

    /// <summary>Windows' adapter description, or the alias an administrator set on Linux (ip link set alias).</summary>
    public string? Description { get; internal set; }

    public InterfaceType InterfaceType { get; internal set; }

    /// <summary>The Linux driver kind (veth, bridge, wireguard, ...); null for plain hardware and on other OSes.</summary>
    public string? LinkKind { get; internal set; }

    /// <summary>Linux: the index of the device this one is enslaved to (a bridge, bond or VRF); null when none and on other OSes.</summary>
    public int? MasterIndex { get; internal set; }

    /// <summary>Linux: the routing table of a VRF device (ip link add NAME type vrf table N); null for every other interface.</summary>
    public uint? VrfTable { get; internal set; }

    /// <summary>An L3 master device (a VRF): its table answers for the interfaces enslaved to it.</summary>
    public bool IsVrf => VrfTable is not null;

    /// <summary>The operational status (RFC 2863), exactly as the OS reports it.</summary>
    public InterfaceStatus Status { get; internal set; }

    public AdminStatus AdminStatus { get; internal set; }

    public bool IsLoopback => InterfaceType == InterfaceType.Loopback;

    /// <summary>The link-layer address, lower-case hex pairs joined by colons; null where the link has none.</summary>
    public string? MacAddress { get; internal set; }

    public int? Mtu { get; internal set; }

    /// <summary>Link speed in bits per second; null where the driver does not know it.</summary>
    public long? Speed { get; internal set; }

    public InterfaceFlags Flags { get; internal set; }

    /// <summary>Linux: the interface group (ip link's "group", 0 is "default"), which suppress_ifgroup rules name; null elsewhere and where not read.</summary>
    public uint? Group { get; internal set; }

    /// <summary>Windows' NET_LUID, the interface's stable identity (the index may be reused); null elsewhere.</summary>
    public ulong? Luid { get; internal set; }

    /// <summary>Windows: the interface's DNS suffix (ipconfig's "Connection-specific DNS Suffix"); null elsewhere.</summary>
    public string? DnsSuffix { get; internal set; }

    /// <summary>Windows: the NDIS medium (Get-NetAdapter's MediaType: 802.3, Native 802.11, ...); null elsewhere.</summary>
    public string? MediaType { get; internal set; }

    /// <summary>Windows: the interface's per-family IP settings (Get-NetIPInterface); empty elsewhere and where not read.</summary>
    public IReadOnlyList<NetIPInterfaceInfo> IPInterfaces
    {
        get => ipInterfaces;
        internal set => ipInterfaces = value ?? throw new ArgumentNullException(nameof(value));
    }

    public IReadOnlyList<NetInterfaceAddress> Addresses
    {
        get => addresses;
        internal set => addresses = value ?? throw new ArgumentNullException(nameof(value));
    }

    public IPAddress[] IPv4Address => AddressesOf(IPAddressFamily.IPv4);

    public IPAddress[] IPv6Address => AddressesOf(IPAddressFamily.IPv6);

    public ulong? ReceivedBytes { get; internal set; }

    public ulong? SentBytes { get; internal set; }

    public ulong? ReceivedPackets { get; internal set; }

    public ulong? SentPackets { get; internal set; }

    public ulong? ReceiveErrors { get; internal set; }

    public ulong? SendErrors { get; internal set; }

    public ulong? ReceiveDrops { get; internal set; }

    public ulong? SendDrops { get; internal set; }

    /// <summary>A copy that keeps only the addresses of these families, as `ip -4 addr` shows them.</summary>
    public NetInterfaceInfo WithAddressesOf(IReadOnlyCollection<IPAddressFamily> families)
    {
        var copy = (NetInterfaceInfo)MemberwiseClone();
        copy.addresses = addresses.Where(a => families.Contains(a.AddressFamily)).ToArray();
        return copy;
    }

    /// <summary>This interface's IP settings in one family; null where the OS gave none.</summary>
    public NetIPInterfaceInfo? IPInterface(IPAddressFamily family) => ipInterfaces.FirstOrDefault(i => i.AddressFamily == family);

    public override string ToString() => Name;

    private IPAddress[] AddressesOf(IPAddressFamily family) =>
        addresses.Where(a => a.AddressFamily == family).Select(a => a.IPAddress).ToArray();
}

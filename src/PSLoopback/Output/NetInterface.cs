using System.Collections.Generic;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;

namespace PSLoopback.Output;

/// <summary>
/// One network interface as Get-NetInterfaceInfo writes it: text and numbers that filter with the strings
/// users type, export to JSON and CSV as they read, and survive remoting whole.
/// </summary>
public sealed class NetInterface
{
    internal NetInterface(NetInterfaceInfo nic)
    {
        InterfaceIndex = nic.InterfaceIndex;
        Name = nic.Name;
        Description = nic.Description;
        InterfaceType = nic.InterfaceType.ToString();
        LinkKind = nic.LinkKind;
        MasterIndex = nic.MasterIndex;
        VrfTable = nic.VrfTable;
        Status = nic.Status.ToString();
        AdminStatus = nic.AdminStatus.ToString();
        IsLoopback = nic.IsLoopback;
        MacAddress = nic.MacAddress;
        Mtu = nic.Mtu;
        Speed = nic.Speed;
        Flags = nic.Flags.ToString();
        Group = nic.Group;
        Luid = nic.Luid;
        DnsSuffix = nic.DnsSuffix;
        MediaType = nic.MediaType;
        IPInterfaces = new TextList<NetIPInterface>(IPInterfacesOf(nic), "; ");

        // One pass and arrays, not LINQ: a listing makes these for every interface on every call.
        var addresses = new NetIPAddress[nic.Addresses.Count];
        var ipv4 = new List<string>(addresses.Length);
        var ipv6 = new List<string>(addresses.Length);
        for (var i = 0; i < addresses.Length; i++)
        {
            var address = new NetIPAddress(nic.Addresses[i]);
            addresses[i] = address;
            (nic.Addresses[i].AddressFamily == IPAddressFamily.IPv6 ? ipv6 : ipv4).Add(address.IPAddress);
        }

        Addresses = new TextList<NetIPAddress>(addresses);
        IPv4Address = new TextList<string>(ipv4);
        IPv6Address = new TextList<string>(ipv6);
        ReceivedBytes = nic.ReceivedBytes;
        SentBytes = nic.SentBytes;
        ReceivedPackets = nic.ReceivedPackets;
        SentPackets = nic.SentPackets;
        ReceiveErrors = nic.ReceiveErrors;
        SendErrors = nic.SendErrors;
        ReceiveDrops = nic.ReceiveDrops;
        SendDrops = nic.SendDrops;
    }

    public int InterfaceIndex { get; }

    /// <summary>Windows' name for the index, which admins filter on.</summary>
    public int ifIndex => InterfaceIndex;

    public string Name { get; }

    /// <summary>Windows' name for the interface name, which admins filter on.</summary>
    public string InterfaceAlias => Name;

    /// <summary>Windows' adapter description, or the alias an administrator set on Linux (ip link set alias).</summary>
    public string? Description { get; }

    public string InterfaceType { get; }

    /// <summary>The Linux driver kind (veth, bridge, wireguard, ...); null for plain hardware and on other OSes.</summary>
    public string? LinkKind { get; }

    /// <summary>Linux: the index of the device this one is enslaved to (a bridge, bond or VRF); null when none.</summary>
    public int? MasterIndex { get; }

    /// <summary>Linux: the routing table of a VRF device; null for every other interface.</summary>
    public uint? VrfTable { get; }

    /// <summary>The operational status (RFC 2863), exactly as the OS reports it.</summary>
    public string Status { get; }

    public string AdminStatus { get; }

    public bool IsLoopback { get; }

    /// <summary>The link-layer address, lower-case hex pairs joined by colons; null where the link has none.</summary>
    public string? MacAddress { get; }

    public int? Mtu { get; }

    /// <summary>Link speed in bits per second; null where the driver does not know it.</summary>
    public long? Speed { get; }

    public string Flags { get; }

    /// <summary>Linux: the interface group (ip link's "group", 0 is "default"); null on other OSes.</summary>
    public uint? Group { get; }

    /// <summary>Windows' NET_LUID, the interface's stable identity; null elsewhere.</summary>
    public ulong? Luid { get; }

    /// <summary>Windows: the connection-specific DNS suffix; null elsewhere.</summary>
    public string? DnsSuffix { get; }

    /// <summary>Windows: the NDIS medium (802.3, Native 802.11, ...); null elsewhere.</summary>
    public string? MediaType { get; }

    /// <summary>Windows: the per-family settings (Get-NetIPInterface): metric, MTU, forwarding, host model; empty elsewhere.</summary>
    public TextList<NetIPInterface> IPInterfaces { get; }

    /// <summary>Every address with its prefix length and facts; as text, "127.0.0.1/8 ::1/128".</summary>
    public TextList<NetIPAddress> Addresses { get; }

    public TextList<string> IPv4Address { get; }

    public TextList<string> IPv6Address { get; }

    public ulong? ReceivedBytes { get; }

    public ulong? SentBytes { get; }

    public ulong? ReceivedPackets { get; }

    public ulong? SentPackets { get; }

    public ulong? ReceiveErrors { get; }

    public ulong? SendErrors { get; }

    public ulong? ReceiveDrops { get; }

    public ulong? SendDrops { get; }

    public override string ToString() => Name;

    private static NetIPInterface[] IPInterfacesOf(NetInterfaceInfo nic)
    {
        var settings = new NetIPInterface[nic.IPInterfaces.Count];
        for (var i = 0; i < settings.Length; i++)
        {
            settings[i] = new NetIPInterface(nic.IPInterfaces[i]);
        }

        return settings;
    }
}

namespace PSLoopback.Platform.Linux.Netlink;

/// <summary>An RTM_NEWLINK message: struct ifinfomsg and the IFLA_* attributes PSLoopback uses.</summary>
public sealed class LinkMessage
{
    public int Index { get; internal set; }

    /// <summary>The ARPHRD_* link type.</summary>
    public ushort DeviceType { get; internal set; }

    /// <summary>The IFF_* flags.</summary>
    public uint Flags { get; internal set; }

    public string? Name { get; internal set; }

    public uint? Mtu { get; internal set; }

    public byte[]? Address { get; internal set; }

    /// <summary>The IF_OPER_* state (RFC 2863).</summary>
    public byte? OperState { get; internal set; }

    public string? Kind { get; internal set; }

    /// <summary>IFLA_MASTER: the index of the device this one is enslaved to (a bridge, bond or VRF); null when none.</summary>
    public int? MasterIndex { get; internal set; }

    /// <summary>IFLA_VRF_TABLE inside IFLA_INFO_DATA: the routing table of a VRF device; null for any other kind.</summary>
    public uint? VrfTable { get; internal set; }

    public string? Alias { get; internal set; }

    public LinkStatistics? Statistics { get; internal set; }

    /// <summary>IFLA_GROUP, the interface group (`ip link set ... group N`) that suppress_ifgroup rules name; 0 is "default".</summary>
    public uint? Group { get; internal set; }
}

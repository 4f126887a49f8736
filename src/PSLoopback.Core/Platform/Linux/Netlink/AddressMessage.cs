namespace PSLoopback.Platform.Linux.Netlink;

/// <summary>An RTM_NEWADDR message: struct ifaddrmsg and its IFA_* attributes.</summary>
public sealed class AddressMessage
{
    public byte Family { get; internal set; }

    public byte PrefixLength { get; internal set; }

    /// <summary>IFA_F_* flags: the 32-bit IFA_FLAGS attribute where present, else the header's 8 bits.</summary>
    public uint Flags { get; internal set; }

    public byte Scope { get; internal set; }

    public int Index { get; internal set; }

    /// <summary>IFA_ADDRESS: the address, or on a point-to-point link the peer's.</summary>
    public byte[]? Address { get; internal set; }

    /// <summary>IFA_LOCAL: the local address where it differs from IFA_ADDRESS (IPv4 point-to-point).</summary>
    public byte[]? Local { get; internal set; }

    public byte[]? Broadcast { get; internal set; }

    public string? Label { get; internal set; }

    /// <summary>Seconds, from IFA_CACHEINFO; uint.MaxValue means forever.</summary>
    public uint? PreferredLifetime { get; internal set; }

    public uint? ValidLifetime { get; internal set; }
}

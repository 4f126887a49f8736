namespace PSLoopback.Platform.Linux.Netlink;

/// <summary>An RTM_NEWNEIGH message: struct ndmsg and its NDA_DST and NDA_LLADDR.</summary>
public sealed class NeighborMessage
{
    public byte Family { get; internal set; }

    public int InterfaceIndex { get; internal set; }

    /// <summary>NUD_* state bits.</summary>
    public ushort State { get; internal set; }

    /// <summary>NTF_* flags (router, proxy, ...).</summary>
    public byte Flags { get; internal set; }

    public byte Type { get; internal set; }

    /// <summary>NDA_DST, 4 or 16 bytes by <see cref="Family"/>.</summary>
    public byte[]? Destination { get; internal set; }

    /// <summary>NDA_LLADDR: the link-layer address, of whatever length the device uses.</summary>
    public byte[]? LinkLayerAddress { get; internal set; }
}

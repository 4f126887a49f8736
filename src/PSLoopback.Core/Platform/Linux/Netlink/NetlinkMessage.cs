namespace PSLoopback.Platform.Linux.Netlink;

/// <summary>One message of a netlink datagram: its header fields and a copy of its payload.</summary>
public sealed class NetlinkMessage
{
    public NetlinkMessage(ushort type, ushort flags, uint sequence, uint portId, byte[] payload)
    {
        Type = type;
        Flags = flags;
        Sequence = sequence;
        PortId = portId;
        Payload = payload;
    }

    public ushort Type { get; }

    public ushort Flags { get; }

    public uint Sequence { get; }

    public uint PortId { get; }

    public byte[] Payload { get; }
}

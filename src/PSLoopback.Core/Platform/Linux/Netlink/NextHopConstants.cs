namespace PSLoopback.Platform.Linux.Netlink;

/// <summary>Numbers from linux/nexthop.h, linux/neighbour.h and linux/rtnetlink.h for nexthop objects and neighbours.</summary>
internal static class NextHopConstants
{
    public const ushort RTM_NEWNEIGH = 28;
    public const ushort RTM_GETNEIGH = 30;
    public const ushort RTM_NEWNEXTHOP = 104;
    public const ushort RTM_GETNEXTHOP = 106;

    /// <summary>struct nhmsg: family, scope, protocol, reserved, then u32 flags.</summary>
    public const int NhMsgLength = 8;

    /// <summary>struct ndmsg: family, 3 bytes of padding, s32 ifindex, u16 state, u8 flags, u8 type.</summary>
    public const int NdMsgLength = 12;

    /// <summary>struct nexthop_grp: u32 id, u8 weight, u8 weight_high, u16 reserved.</summary>
    public const int NextHopGroupEntryLength = 8;

    public const ushort NHA_ID = 1;
    public const ushort NHA_GROUP = 2;
    public const ushort NHA_GROUP_TYPE = 3;
    public const ushort NHA_BLACKHOLE = 4;
    public const ushort NHA_OIF = 5;
    public const ushort NHA_GATEWAY = 6;
    public const ushort NHA_ENCAP_TYPE = 7;
    public const ushort NHA_ENCAP = 8;
    public const ushort NHA_FDB = 11;
    public const ushort NHA_RES_GROUP = 12;

    public const ushort NHA_RES_GROUP_BUCKETS = 1;

    public const ushort NDA_DST = 1;
    public const ushort NDA_LLADDR = 2;
}

namespace PSLoopback.Platform.Linux.Netlink;

/// <summary>Numbers from linux/netlink.h, linux/rtnetlink.h, linux/if_link.h and linux/if_addr.h.</summary>
internal static class NetlinkConstants
{
    public const int HeaderLength = 16;

    public const ushort NLMSG_NOOP = 1;
    public const ushort NLMSG_ERROR = 2;
    public const ushort NLMSG_DONE = 3;

    public const ushort NLM_F_REQUEST = 0x1;
    public const ushort NLM_F_MULTI = 0x2;
    public const ushort NLM_F_DUMP_INTR = 0x10;
    public const ushort NLM_F_DUMP = 0x300;

    public const ushort RTM_NEWLINK = 16;
    public const ushort RTM_GETLINK = 18;
    public const ushort RTM_NEWADDR = 20;
    public const ushort RTM_GETADDR = 22;

    public const byte AF_INET = 2;
    public const byte AF_INET6 = 10;

    public const int IfInfoMsgLength = 16;
    public const int IfAddrMsgLength = 8;

    public const ushort IFLA_ADDRESS = 1;
    public const ushort IFLA_IFNAME = 3;
    public const ushort IFLA_MTU = 4;
    public const ushort IFLA_STATS = 7;
    public const ushort IFLA_MASTER = 10;
    public const ushort IFLA_OPERSTATE = 16;
    public const ushort IFLA_LINKINFO = 18;
    public const ushort IFLA_IFALIAS = 20;
    public const ushort IFLA_STATS64 = 23;
    public const ushort IFLA_GROUP = 27;
    public const ushort IFLA_EXT_MASK = 29;

    /// <summary>IFLA_EXT_MASK's bit that leaves out the per-family statistics of IFLA_AF_SPEC (IPv6's and ICMPv6's); IFLA_STATS64 stays.</summary>
    public const uint RTEXT_FILTER_SKIP_STATS = 1 << 3;
    public const ushort IFLA_INFO_KIND = 1;
    public const ushort IFLA_INFO_DATA = 2;
    public const ushort IFLA_VRF_TABLE = 1;

    public const ushort IFA_ADDRESS = 1;
    public const ushort IFA_LOCAL = 2;
    public const ushort IFA_LABEL = 3;
    public const ushort IFA_BROADCAST = 4;
    public const ushort IFA_CACHEINFO = 6;
    public const ushort IFA_FLAGS = 8;

    /// <summary>The top two bits of an attribute type mark nesting and byte order, not the type.</summary>
    public const ushort NLA_TYPE_MASK = 0x3FFF;

    public const ushort ARPHRD_ETHER = 1;
    public const ushort ARPHRD_INFINIBAND = 32;
    public const ushort ARPHRD_CAN = 280;
    public const ushort ARPHRD_PPP = 512;
    public const ushort ARPHRD_TUNNEL = 768;
    public const ushort ARPHRD_TUNNEL6 = 769;
    public const ushort ARPHRD_LOOPBACK = 772;
    public const ushort ARPHRD_SIT = 776;
    public const ushort ARPHRD_IPGRE = 778;
    public const ushort ARPHRD_IEEE80211 = 801;
    public const ushort ARPHRD_IEEE80211_RADIOTAP = 803;
    public const ushort ARPHRD_IP6GRE = 823;
    public const ushort ARPHRD_NONE = 0xFFFE;
}

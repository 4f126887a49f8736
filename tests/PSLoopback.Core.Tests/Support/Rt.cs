namespace PSLoopback.Core.Tests.Support;

/// <summary>
/// Numbers from the kernel headers, written out again here rather than taken from the library, so that a
/// wrong constant in the library shows up as a failing test instead of agreeing with itself.
/// </summary>
internal static class Rt
{
    public const ushort NLMSG_NOOP = 1;
    public const ushort NLMSG_DONE = 3;
    public const ushort NLM_F_MULTI = 0x2;
    public const ushort RTM_NEWLINK = 16;
    public const ushort RTM_NEWADDR = 20;

    public const byte AF_INET = 2;
    public const byte AF_INET6 = 10;

    public const ushort ARPHRD_ETHER = 1;
    public const ushort ARPHRD_LOOPBACK = 772;
    public const ushort ARPHRD_IEEE80211 = 801;
    public const ushort ARPHRD_NONE = 0xFFFE;

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
    public const ushort IFLA_INFO_KIND = 1;
    public const ushort IFLA_INFO_DATA = 2;
    public const ushort IFLA_INFO_SLAVE_KIND = 4;
    public const ushort IFLA_INFO_SLAVE_DATA = 5;
    public const ushort IFLA_VRF_TABLE = 1;

    public const ushort IFA_ADDRESS = 1;
    public const ushort IFA_LOCAL = 2;
    public const ushort IFA_LABEL = 3;
    public const ushort IFA_BROADCAST = 4;
    public const ushort IFA_CACHEINFO = 6;
    public const ushort IFA_FLAGS = 8;

    public const ushort NLA_F_NESTED = 0x8000;
    public const ushort NLA_F_NET_BYTEORDER = 0x4000;

    public const byte IF_OPER_DOWN = 2;
    public const byte IF_OPER_UP = 6;

    public const byte RT_SCOPE_UNIVERSE = 0;
    public const byte RT_SCOPE_LINK = 253;
    public const byte RT_SCOPE_HOST = 254;

    public const uint IFF_UP = 0x1;
    public const uint IFF_LOOPBACK = 0x8;
}

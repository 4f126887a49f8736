namespace PSLoopback.Platform.Linux.Netlink;

/// <summary>Numbers from linux/rtnetlink.h and linux/fib_rules.h for routes and policy rules.</summary>
internal static class RouteConstants
{
    public const ushort RTM_NEWROUTE = 24;
    public const ushort RTM_GETROUTE = 26;
    public const ushort RTM_NEWRULE = 32;
    public const ushort RTM_GETRULE = 34;

    public const int RtMsgLength = 12;
    public const int FibRuleHdrLength = 12;
    public const int RtNextHopLength = 8;

    /// <summary>The leading fields of struct rta_cacheinfo that are read: clntref, lastuse, expires, error.</summary>
    public const int RtCacheInfoUsedLength = 16;

    public const ushort RTA_DST = 1;
    public const ushort RTA_SRC = 2;
    public const ushort RTA_IIF = 3;
    public const ushort RTA_OIF = 4;
    public const ushort RTA_GATEWAY = 5;
    public const ushort RTA_PRIORITY = 6;
    public const ushort RTA_PREFSRC = 7;
    public const ushort RTA_METRICS = 8;
    public const ushort RTA_MULTIPATH = 9;
    public const ushort RTA_CACHEINFO = 12;
    public const ushort RTA_TABLE = 15;
    public const ushort RTA_MARK = 16;
    public const ushort RTA_VIA = 18;
    public const ushort RTA_PREF = 20;
    public const ushort RTA_EXPIRES = 23;
    public const ushort RTA_UID = 25;
    public const ushort RTA_IP_PROTO = 27;
    public const ushort RTA_SPORT = 28;
    public const ushort RTA_DPORT = 29;
    public const ushort RTA_NH_ID = 30;
    public const ushort RTA_FLOWLABEL = 31;

    /// <summary>The bit mask of metrics the route locks (1 &lt;&lt; RTAX_MTU: "mtu lock", no path MTU discovery below it).</summary>
    public const ushort RTAX_LOCK = 1;
    public const ushort RTAX_MTU = 2;
    public const ushort RTAX_ADVMSS = 8;

    /// <summary>The one metric whose value is a string (the congestion control algorithm's name), not a u32.</summary>
    public const ushort RTAX_CC_ALGO = 16;

    public const uint RTM_F_CLONED = 0x200;
    public const uint RTM_F_LOOKUP_TABLE = 0x1000;
    public const uint RTM_F_FIB_MATCH = 0x2000;

    /// <summary>RTCF_REDIRECTED (linux/in_route.h): an IPv4 cache entry whose gateway an ICMP redirect gave.</summary>
    public const uint RTCF_REDIRECTED = 0x00040000;

    public const ushort FRA_DST = 1;
    public const ushort FRA_SRC = 2;
    public const ushort FRA_IIFNAME = 3;
    public const ushort FRA_GOTO = 4;
    public const ushort FRA_PRIORITY = 6;
    public const ushort FRA_FWMARK = 10;
    public const ushort FRA_FLOW = 11;
    public const ushort FRA_TUN_ID = 12;
    public const ushort FRA_SUPPRESS_IFGROUP = 13;
    public const ushort FRA_SUPPRESS_PREFIXLEN = 14;
    public const ushort FRA_TABLE = 15;
    public const ushort FRA_FWMASK = 16;
    public const ushort FRA_OIFNAME = 17;
    public const ushort FRA_L3MDEV = 19;
    public const ushort FRA_UID_RANGE = 20;
    public const ushort FRA_PROTOCOL = 21;
    public const ushort FRA_IP_PROTO = 22;
    public const ushort FRA_SPORT_RANGE = 23;
    public const ushort FRA_DPORT_RANGE = 24;
    public const ushort FRA_DSCP = 25;
    public const ushort FRA_FLOWLABEL = 26;
    public const ushort FRA_FLOWLABEL_MASK = 27;
    public const ushort FRA_SPORT_MASK = 28;
    public const ushort FRA_DPORT_MASK = 29;
    public const ushort FRA_DSCP_MASK = 30;

    public const uint FIB_RULE_INVERT = 0x2;
    public const uint FIB_RULE_UNRESOLVED = 0x4;
    public const uint FIB_RULE_IIF_DETACHED = 0x8;
    public const uint FIB_RULE_OIF_DETACHED = 0x10;

    /// <summary>The kernel's "not set" for FRA_SUPPRESS_PREFIXLEN and FRA_SUPPRESS_IFGROUP, which it always or often sends.</summary>
    public const uint FibRuleUnset = 0xFFFFFFFF;
}

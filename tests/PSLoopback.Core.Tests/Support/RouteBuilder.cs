using System;
using System.Net;

namespace PSLoopback.Core.Tests.Support;

/// <summary>
/// struct rtmsg, struct fib_rule_hdr, struct rtnexthop and struct rtvia for <see cref="NetlinkBuilder"/>, with the
/// numbers of linux/rtnetlink.h and linux/fib_rules.h written out again (see <see cref="Rt"/> for why).
/// </summary>
internal static class RouteBuilder
{
    public const ushort NLMSG_ERROR = 2;
    public const ushort NLM_F_REQUEST = 0x1;
    public const ushort RTM_NEWROUTE = 24;
    public const ushort RTM_GETROUTE = 26;
    public const ushort RTM_NEWRULE = 32;

    public const byte RT_TABLE_COMPAT = 252;
    public const byte RT_TABLE_MAIN = 254;
    public const byte RT_TABLE_LOCAL = 255;

    public const byte RTPROT_KERNEL = 2;
    public const byte RTPROT_BOOT = 3;
    public const byte RTPROT_STATIC = 4;

    public const byte RTN_UNICAST = 1;
    public const byte RTN_LOCAL = 2;
    public const byte RTN_BROADCAST = 3;
    public const byte RTN_ANYCAST = 4;
    public const byte RTN_MULTICAST = 5;
    public const byte RTN_BLACKHOLE = 6;
    public const byte RTN_UNREACHABLE = 7;
    public const byte RTN_PROHIBIT = 8;
    public const byte RTN_THROW = 9;

    public const ushort RTA_DST = 1;
    public const ushort RTA_SRC = 2;
    public const ushort RTA_IIF = 3;
    public const ushort RTA_OIF = 4;
    public const ushort RTA_GATEWAY = 5;
    public const ushort RTA_PRIORITY = 6;
    public const ushort RTA_PREFSRC = 7;
    public const ushort RTA_METRICS = 8;
    public const ushort RTA_MULTIPATH = 9;
    public const ushort RTA_FLOW = 11;
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

    public const ushort RTAX_LOCK = 1;
    public const ushort RTAX_MTU = 2;
    public const ushort RTAX_WINDOW = 3;
    public const ushort RTAX_ADVMSS = 8;
    public const ushort RTAX_CC_ALGO = 16;

    public const uint RTM_F_CLONED = 0x200;
    public const uint RTM_F_LOOKUP_TABLE = 0x1000;
    public const uint RTM_F_FIB_MATCH = 0x2000;
    public const byte RTNH_F_ONLINK = 0x4;

    public const byte ICMPV6_ROUTER_PREF_MEDIUM = 0;
    public const byte ICMPV6_ROUTER_PREF_HIGH = 1;
    public const byte ICMPV6_ROUTER_PREF_LOW = 3;

    public const byte FR_ACT_TO_TBL = 1;
    public const byte FR_ACT_GOTO = 2;
    public const byte FR_ACT_NOP = 3;
    public const byte FR_ACT_BLACKHOLE = 6;
    public const byte FR_ACT_UNREACHABLE = 7;
    public const byte FR_ACT_PROHIBIT = 8;
    public const uint FIB_RULE_INVERT = 0x2;

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
    public const ushort FRA_PAD = 18;
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

    public const byte IPPROTO_TCP = 6;

    /// <summary>struct rtmsg (12 bytes).</summary>
    public static NetlinkBuilder RtMsg(
        byte family,
        byte destinationLength = 0,
        byte sourceLength = 0,
        byte tos = 0,
        byte table = RT_TABLE_MAIN,
        byte protocol = RTPROT_BOOT,
        byte scope = Rt.RT_SCOPE_UNIVERSE,
        byte type = RTN_UNICAST,
        uint flags = 0) =>
        NetlinkBuilder.Attributes().Raw(NetlinkBuilder.Concat(
            new[] { family, destinationLength, sourceLength, tos, table, protocol, scope, type },
            BitConverter.GetBytes(flags)));

    /// <summary>A minimal unicast route: the header for the destination's family, and RTA_DST.</summary>
    public static NetlinkBuilder Route(string destination, byte prefixLength, byte type = RTN_UNICAST) =>
        RtMsg(FamilyOf(destination), prefixLength, type: type).Ip(RTA_DST, destination);

    /// <summary>struct fib_rule_hdr (12 bytes).</summary>
    public static NetlinkBuilder FibRuleHdr(
        byte family,
        byte destinationLength = 0,
        byte sourceLength = 0,
        byte tos = 0,
        byte table = 0,
        byte action = FR_ACT_TO_TBL,
        uint flags = 0) =>
        NetlinkBuilder.Attributes().Raw(NetlinkBuilder.Concat(
            new[] { family, destinationLength, sourceLength, tos, table, (byte)0, (byte)0, action },
            BitConverter.GetBytes(flags)));

    /// <summary>struct rtvia: a 16-bit family, then the address.</summary>
    public static byte[] Via(string address) =>
        NetlinkBuilder.Concat(BitConverter.GetBytes((ushort)FamilyOf(address)), IPAddress.Parse(address).GetAddressBytes());

    /// <summary>
    /// struct rtnexthop followed by its attributes; rtnh_len is their sum unless <paramref name="declaredLength"/>
    /// says otherwise. The result is a whole number of 4-byte words, as the attributes are padded.
    /// </summary>
    public static byte[] NextHop(int index, byte hops = 0, byte flags = 0, NetlinkBuilder? attributes = null, ushort? declaredLength = null)
    {
        var tail = attributes?.ToPayload() ?? Array.Empty<byte>();
        return NetlinkBuilder.Concat(
            BitConverter.GetBytes(declaredLength ?? checked((ushort)(8 + tail.Length))),
            new[] { flags, hops },
            BitConverter.GetBytes(index),
            tail);
    }

    public static NetlinkBuilder Multipath(this NetlinkBuilder builder, params byte[][] nextHops) =>
        builder.Attribute(RTA_MULTIPATH, NetlinkBuilder.Concat(nextHops));

    public static NetlinkBuilder U16Pair(this NetlinkBuilder builder, ushort type, ushort first, ushort second) =>
        builder.Attribute(type, NetlinkBuilder.Concat(BitConverter.GetBytes(first), BitConverter.GetBytes(second)));

    public static NetlinkBuilder U32Pair(this NetlinkBuilder builder, ushort type, uint first, uint second) =>
        builder.Attribute(type, NetlinkBuilder.Concat(BitConverter.GetBytes(first), BitConverter.GetBytes(second)));

    /// <summary>struct rta_cacheinfo (eight u32): clntref, lastuse, expires, error, used, id, ts, tsage.</summary>
    public static NetlinkBuilder RouteCacheInfo(this NetlinkBuilder builder, int expires, int error) =>
        builder.Attribute(RTA_CACHEINFO, NetlinkBuilder.Concat(
            new byte[8], BitConverter.GetBytes(expires), BitConverter.GetBytes(error), new byte[16]));

    public static byte FamilyOf(string address) =>
        IPAddress.Parse(address).AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? Rt.AF_INET : Rt.AF_INET6;
}

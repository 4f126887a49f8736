using System;
using System.Collections.Generic;
using System.Globalization;

namespace PSLoopback.Routing;

/// <summary>
/// The names iproute2 gives numbers when it prints them: its built-in ones and those of the files Debian ships
/// (/etc/iproute2/rt_protos, rt_dsfield, rt_realms, group, and /etc/protocols). Fixed here rather than read
/// from the files so the text is the same on every OS and for a table rebuilt from CSV; a machine whose
/// files name more numbers shows those as numbers here.
/// </summary>
internal static class IprouteNames
{
    private static readonly Dictionary<byte, string> Protocols = new()
    {
        [0] = "unspec", [1] = "redirect", [2] = "kernel", [3] = "boot", [4] = "static", [8] = "gated", [9] = "ra",
        [10] = "mrt", [11] = "zebra", [12] = "bird", [13] = "dnrouted", [14] = "xorp", [15] = "ntk", [16] = "dhcp",
        [18] = "keepalived", [42] = "babel", [99] = "openr", [186] = "bgp", [187] = "isis", [188] = "ospf",
        [189] = "rip", [192] = "eigrp",
    };

    private static readonly Dictionary<byte, string> DsFields = new()
    {
        [0x00] = "default", [0x20] = "CS1", [0x28] = "AF11", [0x30] = "AF12", [0x38] = "AF13", [0x40] = "CS2",
        [0x48] = "AF21", [0x50] = "AF22", [0x58] = "AF23", [0x60] = "CS3", [0x68] = "AF31", [0x70] = "AF32",
        [0x78] = "AF33", [0x80] = "CS4", [0x88] = "AF41", [0x90] = "AF42", [0x98] = "AF43", [0xA0] = "CS5",
        [0xB8] = "EF", [0xC0] = "CS6", [0xE0] = "CS7",
    };

    // The first name /etc/protocols gives each number, as getprotobynumber returns it.
    private static readonly Dictionary<byte, string> IPProtocols = new()
    {
        [0] = "ip", [1] = "icmp", [2] = "igmp", [3] = "ggp", [4] = "ipencap", [5] = "st", [6] = "tcp", [8] = "egp",
        [9] = "igp", [12] = "pup", [17] = "udp", [20] = "hmp", [22] = "xns-idp", [27] = "rdp", [29] = "iso-tp4",
        [33] = "dccp", [36] = "xtp", [37] = "ddp", [38] = "idpr-cmtp", [41] = "ipv6", [43] = "ipv6-route",
        [44] = "ipv6-frag", [45] = "idrp", [46] = "rsvp", [47] = "gre", [50] = "esp", [51] = "ah", [57] = "skip",
        [58] = "ipv6-icmp", [59] = "ipv6-nonxt", [60] = "ipv6-opts", [73] = "rspf", [81] = "vmtp", [88] = "eigrp",
        [89] = "ospf", [93] = "ax.25", [94] = "ipip", [97] = "etherip", [98] = "encap", [103] = "pim",
        [108] = "ipcomp", [112] = "vrrp", [115] = "l2tp", [124] = "isis", [132] = "sctp", [133] = "fc",
        [135] = "mobility-header", [136] = "udplite", [137] = "mpls-in-ip", [138] = "manet", [139] = "hip",
        [140] = "shim6", [141] = "wesp", [142] = "rohc", [143] = "ethernet",
    };

    // iproute2's names of the RTN_* route types, which it also uses for a rule's other actions.
    private static readonly string[] RouteTypes =
    {
        "none", "unicast", "local", "broadcast", "anycast", "multicast", "blackhole", "unreachable", "prohibit",
        "throw", "nat", "xresolve",
    };

    public static string Protocol(byte protocol) => Protocols.TryGetValue(protocol, out var name) ? name : Number(protocol);

    /// <summary>A TOS or traffic class byte: a DiffServ name where the byte has one, else two hex digits.</summary>
    public static string DsField(byte value) => DsFields.TryGetValue(value, out var name) ? name : "0x" + value.ToString("x2", CultureInfo.InvariantCulture);

    /// <summary>A 6-bit DSCP: the name of the DS field it makes, else decimal.</summary>
    public static string Dscp(byte dscp) => dscp < 64 && DsFields.TryGetValue((byte)(dscp << 2), out var name) ? name : Number(dscp);

    public static string IPProtocol(byte protocol) => IPProtocols.TryGetValue(protocol, out var name) ? name : "ipproto-" + Number(protocol);

    /// <summary>The number of a protocol name /etc/protocols gives first (tcp, ipv6-icmp), in any case.</summary>
    public static bool TryParseIPProtocolName(string name, out byte protocol)
    {
        foreach (var entry in IPProtocols)
        {
            if (string.Equals(entry.Value, name, StringComparison.OrdinalIgnoreCase))
            {
                protocol = entry.Key;
                return true;
            }
        }

        protocol = 0;
        return false;
    }

    public static string Realm(uint realm) => realm == 0 ? "cosmos" : Number(realm);

    public static string InterfaceGroup(uint group) => group == 0 ? "default" : unchecked((int)group).ToString(CultureInfo.InvariantCulture);

    public static string RouteType(byte type) => type < RouteTypes.Length ? RouteTypes[type] : Number(type);

    private static string Number(uint value) => value.ToString(CultureInfo.InvariantCulture);
}

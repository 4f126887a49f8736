using System;
using System.Collections.Generic;
using System.Text;
using static PSLoopback.Platform.Linux.Netlink.NetlinkConstants;
using static PSLoopback.Platform.Linux.Netlink.RouteConstants;

using static PSLoopback.Platform.Linux.Netlink.AttributeValues;

namespace PSLoopback.Platform.Linux.Netlink;

/// <summary>Turns RTM_NEWROUTE and RTM_NEWRULE payloads into messages, checking every attribute's size.</summary>
public static class RouteParser
{
    public static RouteMessage ParseRoute(byte[] payload)
    {
        RequireFixedHeader(payload, RtMsgLength, "rtmsg");
        var route = new RouteMessage
        {
            Family = payload[0],
            DestinationLength = payload[1],
            SourceLength = payload[2],
            Tos = payload[3],
            Table = payload[4],
            Protocol = payload[5],
            Scope = payload[6],
            Type = payload[7],
            Flags = BitConverter.ToUInt32(payload, 8),
        };

        var addressLength = AddressLength(route.Family);
        RequirePrefixLength(route.DestinationLength, addressLength, "rtm_dst_len");
        RequirePrefixLength(route.SourceLength, addressLength, "rtm_src_len");

        foreach (var attribute in NetlinkReader.ReadAttributes(payload, RtMsgLength, payload.Length))
        {
            var value = attribute.Value;
            switch (attribute.Key)
            {
                case RTA_DST:
                    route.Destination = ReadAddress(value, addressLength, "RTA_DST");
                    break;
                case RTA_SRC:
                    route.Source = ReadAddress(value, addressLength, "RTA_SRC");
                    break;
                case RTA_IIF:
                    route.InputInterface = unchecked((int)ReadUInt32(value, "RTA_IIF"));
                    break;
                case RTA_OIF:
                    route.OutputInterface = unchecked((int)ReadUInt32(value, "RTA_OIF"));
                    break;
                case RTA_GATEWAY:
                    route.Gateway = ReadAddress(value, addressLength, "RTA_GATEWAY");
                    route.GatewayFamily = route.Family;
                    break;
                case RTA_VIA:
                    route.Gateway = ReadVia(value, addressLength, out var viaFamily);
                    route.GatewayFamily = viaFamily;
                    break;
                case RTA_PRIORITY:
                    route.Priority = ReadUInt32(value, "RTA_PRIORITY");
                    break;
                case RTA_PREFSRC:
                    route.PreferredSource = ReadAddress(value, addressLength, "RTA_PREFSRC");
                    break;
                case RTA_METRICS:
                    ReadMetrics(value, route);
                    break;
                case RTA_MULTIPATH:
                    route.NextHops = ReadNextHops(value, route.Family, addressLength);
                    break;
                case RTA_CACHEINFO:
                    // struct rta_cacheinfo: clntref, lastuse, expires, error, then counters nobody needs.
                    RequireLength(value, RtCacheInfoUsedLength, "RTA_CACHEINFO");
                    route.CacheExpires = BitConverter.ToInt32(value.Array!, value.Offset + 8);
                    route.CacheError = BitConverter.ToInt32(value.Array!, value.Offset + 12);
                    break;
                case RTA_TABLE:
                    route.Table = ReadUInt32(value, "RTA_TABLE");
                    break;
                case RTA_MARK:
                    route.Mark = ReadUInt32(value, "RTA_MARK");
                    break;
                case RTA_PREF:
                    route.Preference = ReadByte(value, "RTA_PREF");
                    break;
                case RTA_EXPIRES:
                    route.Expires = ReadUInt32(value, "RTA_EXPIRES");
                    break;
                case RTA_NH_ID:
                    route.NextHopId = ReadUInt32(value, "RTA_NH_ID");
                    break;
            }
        }

        return route;
    }

    public static RuleMessage ParseRule(byte[] payload)
    {
        RequireFixedHeader(payload, FibRuleHdrLength, "fib_rule_hdr");
        var rule = new RuleMessage
        {
            Family = payload[0],
            DestinationLength = payload[1],
            SourceLength = payload[2],
            Tos = payload[3],
            Table = payload[4],
            Action = payload[7],
            Flags = BitConverter.ToUInt32(payload, 8),
        };

        var addressLength = AddressLength(rule.Family);
        RequirePrefixLength(rule.DestinationLength, addressLength, "dst_len");
        RequirePrefixLength(rule.SourceLength, addressLength, "src_len");

        foreach (var attribute in NetlinkReader.ReadAttributes(payload, FibRuleHdrLength, payload.Length))
        {
            var value = attribute.Value;
            switch (attribute.Key)
            {
                case FRA_DST:
                    rule.Destination = ReadAddress(value, addressLength, "FRA_DST");
                    break;
                case FRA_SRC:
                    rule.Source = ReadAddress(value, addressLength, "FRA_SRC");
                    break;
                case FRA_IIFNAME:
                    rule.InputInterfaceName = ReadString(value);
                    break;
                case FRA_OIFNAME:
                    rule.OutputInterfaceName = ReadString(value);
                    break;
                case FRA_GOTO:
                    rule.GotoTarget = ReadUInt32(value, "FRA_GOTO");
                    break;
                case FRA_PRIORITY:
                    rule.Priority = ReadUInt32(value, "FRA_PRIORITY");
                    break;
                case FRA_FWMARK:
                    rule.FirewallMark = ReadUInt32(value, "FRA_FWMARK");
                    break;
                case FRA_FWMASK:
                    rule.FirewallMask = ReadUInt32(value, "FRA_FWMASK");
                    break;
                case FRA_FLOW:
                    rule.Flow = ReadUInt32(value, "FRA_FLOW");
                    break;
                case FRA_TUN_ID:
                    rule.TunnelId = ReadBigEndianUInt64(value, "FRA_TUN_ID");
                    break;
                case FRA_SUPPRESS_IFGROUP:
                    rule.SuppressInterfaceGroup = ReadUnlessUnset(value, "FRA_SUPPRESS_IFGROUP");
                    break;
                case FRA_SUPPRESS_PREFIXLEN:
                    rule.SuppressPrefixLength = ReadUnlessUnset(value, "FRA_SUPPRESS_PREFIXLEN");
                    break;
                case FRA_TABLE:
                    rule.Table = ReadUInt32(value, "FRA_TABLE");
                    break;
                case FRA_L3MDEV:
                    rule.L3MasterDevice = ReadByte(value, "FRA_L3MDEV") != 0;
                    break;
                case FRA_UID_RANGE:
                    RequireLength(value, 8, "FRA_UID_RANGE");
                    rule.UidRange = (BitConverter.ToUInt32(value.Array!, value.Offset), BitConverter.ToUInt32(value.Array!, value.Offset + 4));
                    break;
                case FRA_PROTOCOL:
                    rule.Protocol = ReadByte(value, "FRA_PROTOCOL");
                    break;
                case FRA_IP_PROTO:
                    rule.IpProtocol = ReadByte(value, "FRA_IP_PROTO");
                    break;
                case FRA_SPORT_RANGE:
                    rule.SourcePortRange = ReadPortRange(value, "FRA_SPORT_RANGE");
                    break;
                case FRA_DPORT_RANGE:
                    rule.DestinationPortRange = ReadPortRange(value, "FRA_DPORT_RANGE");
                    break;
                case FRA_DSCP:
                    rule.Dscp = ReadByte(value, "FRA_DSCP");
                    break;
                case FRA_DSCP_MASK:
                    rule.DscpMask = ReadByte(value, "FRA_DSCP_MASK");
                    break;
                case FRA_FLOWLABEL:
                    rule.FlowLabel = ReadBigEndianUInt32(value, "FRA_FLOWLABEL");
                    break;
                case FRA_FLOWLABEL_MASK:
                    rule.FlowLabelMask = ReadBigEndianUInt32(value, "FRA_FLOWLABEL_MASK");
                    break;
                case FRA_SPORT_MASK:
                    rule.SourcePortMask = ReadUInt16(value, "FRA_SPORT_MASK");
                    break;
                case FRA_DPORT_MASK:
                    rule.DestinationPortMask = ReadUInt16(value, "FRA_DPORT_MASK");
                    break;
            }
        }

        return rule;
    }

    private static int AddressLength(ushort family) => family switch
    {
        AF_INET => 4,
        AF_INET6 => 16,
        _ => -1,
    };

    private static void ReadMetrics(ArraySegment<byte> value, RouteMessage route)
    {
        var metrics = new Dictionary<ushort, uint>();
        foreach (var metric in NetlinkReader.ReadAttributes(value.Array!, value.Offset, value.Offset + value.Count))
        {
            if (metric.Key == RTAX_CC_ALGO)
            {
                route.CongestionControl = ReadString(metric.Value);
            }
            else
            {
                metrics[metric.Key] = ReadUInt32(metric.Value, $"RTA_METRICS entry {metric.Key}");
            }
        }

        route.Metrics = metrics;
    }

    /// <summary>struct rtnexthop records, each followed by its own attributes up to its rtnh_len.</summary>
    private static List<RouteNextHop> ReadNextHops(ArraySegment<byte> value, byte family, int addressLength)
    {
        var data = value.Array!;
        var end = value.Offset + value.Count;
        var nextHops = new List<RouteNextHop>();
        var offset = value.Offset;
        while (offset < end)
        {
            var remaining = end - offset;
            if (remaining < RtNextHopLength)
            {
                throw new NetlinkParseException($"{remaining} bytes left in RTA_MULTIPATH, too few for a {RtNextHopLength}-byte struct rtnexthop.");
            }

            var length = BitConverter.ToUInt16(data, offset);
            if (length < RtNextHopLength || length > remaining)
            {
                throw new NetlinkParseException($"a next hop of RTA_MULTIPATH gives a length of {length} bytes, but {remaining} remain.");
            }

            var nextHop = new RouteNextHop
            {
                Flags = data[offset + 2],
                Hops = data[offset + 3],
                InterfaceIndex = BitConverter.ToInt32(data, offset + 4),
            };
            foreach (var attribute in NetlinkReader.ReadAttributes(data, offset + RtNextHopLength, offset + length))
            {
                switch (attribute.Key)
                {
                    case RTA_GATEWAY:
                        nextHop.Gateway = ReadAddress(attribute.Value, addressLength, "RTA_GATEWAY of a next hop");
                        nextHop.GatewayFamily = family;
                        break;
                    case RTA_VIA:
                        nextHop.Gateway = ReadVia(attribute.Value, addressLength, out var viaFamily);
                        nextHop.GatewayFamily = viaFamily;
                        break;
                }
            }

            nextHops.Add(nextHop);
            offset += NetlinkReader.Align(length);
        }

        return nextHops;
    }

    /// <summary>
    /// struct rtvia: a 16-bit address family, then an address of that family. An IPv4 or IPv6 route's gateway is
    /// itself IPv4 or IPv6; other families (MPLS) are taken as they are.
    /// </summary>
    private static byte[] ReadVia(ArraySegment<byte> value, int routeAddressLength, out ushort family)
    {
        RequireLength(value, 2, "RTA_VIA");
        family = BitConverter.ToUInt16(value.Array!, value.Offset);
        var addressLength = AddressLength(family);
        if (routeAddressLength >= 0 && addressLength < 0)
        {
            throw new NetlinkParseException($"RTA_VIA gives address family {family}, neither IPv4 nor IPv6.");
        }

        return ReadAddress(new ArraySegment<byte>(value.Array!, value.Offset + 2, value.Count - 2), addressLength, "RTA_VIA");
    }

    private static (ushort Start, ushort End) ReadPortRange(ArraySegment<byte> value, string name)
    {
        RequireLength(value, 4, name);
        return (BitConverter.ToUInt16(value.Array!, value.Offset), BitConverter.ToUInt16(value.Array!, value.Offset + 2));
    }

    private static uint? ReadUnlessUnset(ArraySegment<byte> value, string name)
    {
        var number = ReadUInt32(value, name);
        return number == FibRuleUnset ? null : number;
    }

    private static uint ReadBigEndianUInt32(ArraySegment<byte> value, string name) => (uint)ReadBigEndian(value, 4, name);

    private static ulong ReadBigEndianUInt64(ArraySegment<byte> value, string name) => ReadBigEndian(value, 8, name);

    private static ulong ReadBigEndian(ArraySegment<byte> value, int length, string name)
    {
        RequireLength(value, length, name);
        var number = 0UL;
        for (var i = 0; i < length; i++)
        {
            number = (number << 8) | value.Array![value.Offset + i];
        }

        return number;
    }
}

using System;
using System.Collections.Generic;
using static PSLoopback.Platform.Linux.Netlink.AttributeValues;
using static PSLoopback.Platform.Linux.Netlink.NetlinkConstants;
using static PSLoopback.Platform.Linux.Netlink.NextHopConstants;

namespace PSLoopback.Platform.Linux.Netlink;

/// <summary>Turns RTM_NEWNEXTHOP and RTM_NEWNEIGH payloads into messages, checking every attribute's size.</summary>
public static class NextHopParser
{
    public static NextHopMessage ParseNextHop(byte[] payload)
    {
        RequireFixedHeader(payload, NhMsgLength, "nhmsg");
        var nextHop = new NextHopMessage
        {
            Family = payload[0],
            Scope = payload[1],
            Protocol = payload[2],
            Flags = BitConverter.ToUInt32(payload, 4),
        };

        uint? id = null;
        foreach (var attribute in NetlinkReader.ReadAttributes(payload, NhMsgLength, payload.Length))
        {
            var value = attribute.Value;
            switch (attribute.Key)
            {
                case NHA_ID:
                    id = ReadUInt32(value, "NHA_ID");
                    break;
                case NHA_GROUP:
                    nextHop.Group = ReadGroup(value);
                    break;
                case NHA_GROUP_TYPE:
                    RequireLength(value, 2, "NHA_GROUP_TYPE");
                    nextHop.GroupType = BitConverter.ToUInt16(value.Array!, value.Offset);
                    break;
                case NHA_BLACKHOLE:
                    nextHop.Blackhole = true;
                    break;
                case NHA_FDB:
                    nextHop.Fdb = true;
                    break;
                case NHA_OIF:
                    nextHop.OutputInterface = unchecked((int)ReadUInt32(value, "NHA_OIF"));
                    break;
                case NHA_GATEWAY:
                    nextHop.Gateway = ReadAddress(value, AddressLength(nextHop.Family, "NHA_GATEWAY"), "NHA_GATEWAY");
                    break;
                case NHA_ENCAP_TYPE:
                    RequireLength(value, 2, "NHA_ENCAP_TYPE");
                    nextHop.EncapsulationType = BitConverter.ToUInt16(value.Array!, value.Offset);
                    break;
                case NHA_RES_GROUP:
                    nextHop.Buckets = ReadBuckets(value);
                    break;
            }
        }

        nextHop.Id = id ?? throw new NetlinkParseException("a nexthop message has no NHA_ID.");
        return nextHop;
    }

    public static NeighborMessage ParseNeighbor(byte[] payload)
    {
        RequireFixedHeader(payload, NdMsgLength, "ndmsg");
        var neighbor = new NeighborMessage
        {
            Family = payload[0],
            InterfaceIndex = BitConverter.ToInt32(payload, 4),
            State = BitConverter.ToUInt16(payload, 8),
            Flags = payload[10],
            Type = payload[11],
        };

        foreach (var attribute in NetlinkReader.ReadAttributes(payload, NdMsgLength, payload.Length))
        {
            switch (attribute.Key)
            {
                case NDA_DST:
                    neighbor.Destination = ReadAddress(attribute.Value, AddressLength(neighbor.Family, "NDA_DST"), "NDA_DST");
                    break;
                case NDA_LLADDR:
                    neighbor.LinkLayerAddress = ToArray(attribute.Value);
                    break;
            }
        }

        return neighbor;
    }

    /// <summary>An address of an unknown family could not be compared with any gateway, so it is refused, not kept.</summary>
    private static int AddressLength(byte family, string name) => family switch
    {
        AF_INET => 4,
        AF_INET6 => 16,
        _ => throw new NetlinkParseException($"{name} comes with address family {family}, neither IPv4 nor IPv6."),
    };

    private static List<(uint Id, int Weight)> ReadGroup(ArraySegment<byte> value)
    {
        if (value.Count == 0 || value.Count % NextHopGroupEntryLength != 0)
        {
            throw new NetlinkParseException($"NHA_GROUP is {value.Count} bytes, not a whole number of {NextHopGroupEntryLength}-byte struct nexthop_grp.");
        }

        var members = new List<(uint Id, int Weight)>();
        for (var offset = value.Offset; offset < value.Offset + value.Count; offset += NextHopGroupEntryLength)
        {
            // The weight is sent less one, its low byte first and (since Linux 6.12) its high byte after it.
            var weight = (value.Array![offset + 5] << 8 | value.Array[offset + 4]) + 1;
            members.Add((BitConverter.ToUInt32(value.Array, offset), weight));
        }

        return members;
    }

    private static ushort? ReadBuckets(ArraySegment<byte> value)
    {
        foreach (var attribute in NetlinkReader.ReadAttributes(value.Array!, value.Offset, value.Offset + value.Count))
        {
            if (attribute.Key == NHA_RES_GROUP_BUCKETS)
            {
                RequireLength(attribute.Value, 2, "NHA_RES_GROUP_BUCKETS");
                return BitConverter.ToUInt16(attribute.Value.Array!, attribute.Value.Offset);
            }
        }

        return null;
    }
}

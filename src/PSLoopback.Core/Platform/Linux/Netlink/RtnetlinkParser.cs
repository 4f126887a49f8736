using System;
using System.Collections.Generic;
using System.Text;
using static PSLoopback.Platform.Linux.Netlink.NetlinkConstants;

using static PSLoopback.Platform.Linux.Netlink.AttributeValues;

namespace PSLoopback.Platform.Linux.Netlink;

/// <summary>Turns RTM_NEWLINK and RTM_NEWADDR payloads into messages, checking every attribute's size.</summary>
public static class RtnetlinkParser
{
    public static LinkMessage ParseLink(byte[] payload)
    {
        RequireFixedHeader(payload, IfInfoMsgLength, "ifinfomsg");
        var link = new LinkMessage
        {
            DeviceType = BitConverter.ToUInt16(payload, 2),
            Index = BitConverter.ToInt32(payload, 4),
            Flags = BitConverter.ToUInt32(payload, 8),
        };

        foreach (var attribute in NetlinkReader.ReadAttributes(payload, IfInfoMsgLength, payload.Length))
        {
            var value = attribute.Value;
            switch (attribute.Key)
            {
                case IFLA_IFNAME:
                    link.Name = ReadString(value);
                    break;
                case IFLA_MTU:
                    link.Mtu = ReadUInt32(value, "IFLA_MTU");
                    break;
                case IFLA_ADDRESS:
                    link.Address = ToArray(value);
                    break;
                case IFLA_OPERSTATE:
                    RequireLength(value, 1, "IFLA_OPERSTATE");
                    link.OperState = value.Array![value.Offset];
                    break;
                case IFLA_IFALIAS:
                    link.Alias = ReadString(value);
                    break;
                case IFLA_LINKINFO:
                    link.Kind = ReadLinkKind(value);
                    break;
                case IFLA_STATS64:
                    link.Statistics = ReadStatistics(value, 8);
                    break;
                case IFLA_STATS:
                    link.Statistics ??= ReadStatistics(value, 4);
                    break;
                case IFLA_GROUP:
                    link.Group = ReadUInt32(value, "IFLA_GROUP");
                    break;
            }
        }

        if (link.Name is null)
        {
            throw new NetlinkParseException($"the link with index {link.Index} has no IFLA_IFNAME attribute.");
        }

        return link;
    }

    public static AddressMessage ParseAddress(byte[] payload)
    {
        RequireFixedHeader(payload, IfAddrMsgLength, "ifaddrmsg");
        var address = new AddressMessage
        {
            Family = payload[0],
            PrefixLength = payload[1],
            Flags = payload[2],
            Scope = payload[3],
            Index = BitConverter.ToInt32(payload, 4),
        };

        var addressLength = address.Family switch
        {
            AF_INET => 4,
            AF_INET6 => 16,
            _ => -1,
        };
        RequirePrefixLength(address.PrefixLength, addressLength, "ifa_prefixlen");

        foreach (var attribute in NetlinkReader.ReadAttributes(payload, IfAddrMsgLength, payload.Length))
        {
            var value = attribute.Value;
            switch (attribute.Key)
            {
                case IFA_ADDRESS:
                    address.Address = ReadAddress(value, addressLength, "IFA_ADDRESS");
                    break;
                case IFA_LOCAL:
                    address.Local = ReadAddress(value, addressLength, "IFA_LOCAL");
                    break;
                case IFA_BROADCAST:
                    address.Broadcast = ReadAddress(value, addressLength, "IFA_BROADCAST");
                    break;
                case IFA_LABEL:
                    address.Label = ReadString(value);
                    break;
                case IFA_FLAGS:
                    address.Flags = ReadUInt32(value, "IFA_FLAGS");
                    break;
                case IFA_CACHEINFO:
                    RequireLength(value, 8, "IFA_CACHEINFO");
                    address.PreferredLifetime = BitConverter.ToUInt32(value.Array!, value.Offset);
                    address.ValidLifetime = BitConverter.ToUInt32(value.Array!, value.Offset + 4);
                    break;
            }
        }

        return address;
    }

    private static string? ReadLinkKind(ArraySegment<byte> linkInfo)
    {
        var nested = ToArray(linkInfo);
        foreach (var attribute in NetlinkReader.ReadAttributes(nested, 0, nested.Length))
        {
            if (attribute.Key == IFLA_INFO_KIND)
            {
                return ReadString(attribute.Value);
            }
        }

        return null;
    }

    private static LinkStatistics ReadStatistics(ArraySegment<byte> value, int width)
    {
        const int FieldsUsed = 8;
        RequireLength(value, FieldsUsed * width, width == 8 ? "IFLA_STATS64" : "IFLA_STATS");
        ulong Field(int i) => width == 8
            ? BitConverter.ToUInt64(value.Array!, value.Offset + (i * 8))
            : BitConverter.ToUInt32(value.Array!, value.Offset + (i * 4));

        return new LinkStatistics
        {
            ReceivedPackets = Field(0),
            SentPackets = Field(1),
            ReceivedBytes = Field(2),
            SentBytes = Field(3),
            ReceiveErrors = Field(4),
            SendErrors = Field(5),
            ReceiveDrops = Field(6),
            SendDrops = Field(7),
        };
    }
}

using System;
using System.Collections.Generic;
using System.Text;
using System.Runtime.CompilerServices;
using static PSLoopback.Platform.Linux.Netlink.NetlinkConstants;

using static PSLoopback.Platform.Linux.Netlink.AttributeValues;

namespace PSLoopback.Platform.Linux.Netlink;

/// <summary>Turns RTM_NEWLINK and RTM_NEWADDR payloads into messages, checking every attribute's size.</summary>
public static class RtnetlinkParser
{
    [MethodImpl(HotPath.Optimized)]
    public static LinkMessage ParseLink(byte[] payload)
    {
        RequireFixedHeader(payload, IfInfoMsgLength, "ifinfomsg");
        var link = new LinkMessage
        {
            DeviceType = BitConverter.ToUInt16(payload, 2),
            Index = BitConverter.ToInt32(payload, 4),
            Flags = BitConverter.ToUInt32(payload, 8),
        };

        var attributes = new AttributeCursor(payload, IfInfoMsgLength, payload.Length);
        while (attributes.MoveNext())
        {
            var value = attributes.Value;
            switch (attributes.Type)
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
                case IFLA_MASTER:
                    link.MasterIndex = ReadMaster(value);
                    break;
                case IFLA_LINKINFO:
                    (link.Kind, link.VrfTable) = ReadLinkInfo(value);
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

    [MethodImpl(HotPath.Optimized)]
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

        var attributes = new AttributeCursor(payload, IfAddrMsgLength, payload.Length);
        while (attributes.MoveNext())
        {
            var value = attributes.Value;
            switch (attributes.Type)
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

    /// <summary>The kind, and for a VRF its table: IFLA_INFO_DATA is read by the kind, which may come after it.</summary>
    [MethodImpl(HotPath.Optimized)]
    private static (string? Kind, uint? VrfTable) ReadLinkInfo(ArraySegment<byte> linkInfo)
    {
        string? kind = null;
        ArraySegment<byte>? data = null;
        var nested = Nested(linkInfo);
        while (nested.MoveNext())
        {
            if (nested.Type == IFLA_INFO_KIND)
            {
                kind ??= ReadString(nested.Value);
            }
            else if (nested.Type == IFLA_INFO_DATA)
            {
                data = nested.Value;
            }
        }

        return (kind, kind == "vrf" && data is ArraySegment<byte> vrf ? ReadVrfTable(vrf) : null);
    }

    private static uint ReadVrfTable(ArraySegment<byte> infoData)
    {
        var nested = Nested(infoData);
        while (nested.MoveNext())
        {
            if (nested.Type == IFLA_VRF_TABLE)
            {
                return ReadUInt32(nested.Value, "IFLA_VRF_TABLE");
            }
        }

        throw new NetlinkParseException("a vrf link's IFLA_INFO_DATA has no IFLA_VRF_TABLE.");
    }

    /// <summary>The attributes nested in one attribute's value, walked where they lie.</summary>
    private static AttributeCursor Nested(ArraySegment<byte> value) =>
        new(value.Array!, value.Offset, value.Offset + value.Count);

    /// <summary>Index 0 means no master (the kernel omits the attribute then, but a 0 says the same).</summary>
    private static int? ReadMaster(ArraySegment<byte> value)
    {
        var index = ReadUInt32(value, "IFLA_MASTER");
        if (index > int.MaxValue)
        {
            throw new NetlinkParseException($"IFLA_MASTER {index} is not an interface index.");
        }

        return index == 0 ? null : (int)index;
    }

    [MethodImpl(HotPath.Optimized)]
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

using System;
using System.Collections.Generic;
using System.Net;
using System.Runtime.CompilerServices;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;
using PSLoopback.Platform.Linux.Netlink;
using static PSLoopback.Platform.Linux.Netlink.NetlinkConstants;

namespace PSLoopback.Platform.Linux;

/// <summary>Joins parsed link and address messages into the interface model. Pure: the OS is not touched.</summary>
public static class LinuxInterfaceBuilder
{
    private const uint Forever = uint.MaxValue;

    /// <param name="links">RTM_NEWLINK messages.</param>
    /// <param name="addresses">RTM_NEWADDR messages; those of links not in <paramref name="links"/> are dropped.</param>
    /// <param name="sysfs">Facts netlink does not carry, by interface; null to leave them unknown.</param>
    [MethodImpl(HotPath.Optimized)]
    public static IReadOnlyList<NetInterfaceInfo> Build(
        IEnumerable<LinkMessage> links,
        IEnumerable<AddressMessage> addresses,
        Func<LinkMessage, SysfsFacts>? sysfs = null)
    {
        var byIndex = new Dictionary<int, List<AddressMessage>>();
        foreach (var address in addresses)
        {
            if (address.Family != AF_INET && address.Family != AF_INET6)
            {
                continue;
            }

            if (!byIndex.TryGetValue(address.Index, out var own))
            {
                own = new List<AddressMessage>();
                byIndex.Add(address.Index, own);
            }

            own.Add(address);
        }

        var interfaces = new List<NetInterfaceInfo>();
        foreach (var link in InIndexOrder(links))
        {
            var facts = sysfs?.Invoke(link) ?? SysfsFacts.Unknown;
            var info = new NetInterfaceInfo(link.Index, link.Name ?? string.Empty)
            {
                Description = link.Alias,
                InterfaceType = Classify(link, facts.IsWireless),
                LinkKind = link.Kind,
                MasterIndex = link.MasterIndex,
                VrfTable = link.VrfTable,
                Status = link.OperState is byte state && state <= (byte)InterfaceStatus.Up
                    ? (InterfaceStatus)state
                    : InterfaceStatus.Unknown,
                AdminStatus = (link.Flags & (uint)InterfaceFlags.Up) != 0 ? AdminStatus.Up : AdminStatus.Down,
                Flags = (InterfaceFlags)link.Flags,
                MacAddress = FormatLinkAddress(link.Address),
                Mtu = link.Mtu is uint mtu ? (int)Math.Min(mtu, int.MaxValue) : null,
                Speed = facts.SpeedBitsPerSecond,
                Group = link.Group,
            };

            if (link.Statistics is LinkStatistics stats)
            {
                info.ReceivedBytes = stats.ReceivedBytes;
                info.SentBytes = stats.SentBytes;
                info.ReceivedPackets = stats.ReceivedPackets;
                info.SentPackets = stats.SentPackets;
                info.ReceiveErrors = stats.ReceiveErrors;
                info.SendErrors = stats.SendErrors;
                info.ReceiveDrops = stats.ReceiveDrops;
                info.SendDrops = stats.SendDrops;
            }

            info.Addresses = byIndex.TryGetValue(link.Index, out var own)
                ? ToAddresses(own, info.Name)
                : Array.Empty<NetInterfaceAddress>();
            interfaces.Add(info);
        }

        return interfaces;
    }

    [MethodImpl(HotPath.Optimized)]
    private static NetInterfaceAddress[] ToAddresses(List<AddressMessage> messages, string interfaceName)
    {
        var converted = new NetInterfaceAddress[messages.Count];
        for (var i = 0; i < converted.Length; i++)
        {
            converted[i] = ToAddress(messages[i], interfaceName);
        }

        return converted;
    }

    /// <summary>The links sorted by index; links of one index keep the order they came in.</summary>
    [MethodImpl(HotPath.Optimized)]
    private static LinkMessage[] InIndexOrder(IEnumerable<LinkMessage> links)
    {
        var sorted = new List<LinkMessage>(links).ToArray();
        var keys = new long[sorted.Length];
        for (var i = 0; i < sorted.Length; i++)
        {
            keys[i] = ((long)sorted[i].Index << 32) | (uint)i;
        }

        Array.Sort(keys, sorted);
        return sorted;
    }

    [MethodImpl(HotPath.Optimized)]
    internal static InterfaceType Classify(LinkMessage link, bool isWireless)
    {
        if (link.DeviceType == ARPHRD_LOOPBACK)
        {
            return InterfaceType.Loopback;
        }

        if (isWireless || link.DeviceType == ARPHRD_IEEE80211 || link.DeviceType == ARPHRD_IEEE80211_RADIOTAP)
        {
            return InterfaceType.Wireless;
        }

        switch (link.Kind)
        {
            case "bridge":
                return InterfaceType.Bridge;
            case "bond":
            case "team":
                return InterfaceType.Bond;
            case "vlan":
                return InterfaceType.Vlan;
            case "tun":
                // A tap device is kind "tun" too, but carries Ethernet frames: a virtual NIC, not a tunnel.
                return link.DeviceType == ARPHRD_ETHER ? InterfaceType.Virtual : InterfaceType.Tunnel;
            case "wireguard":
            case "vxlan":
            case "geneve":
            case "gre":
            case "gretap":
            case "ip6gre":
            case "ip6gretap":
            case "ipip":
            case "ip6tnl":
            case "sit":
            case "vti":
            case "vti6":
                return InterfaceType.Tunnel;
            case "veth":
            case "dummy":
            case "ifb":
            case "macvlan":
            case "macvtap":
            case "ipvlan":
            case "vrf":
            case "netkit":
                return InterfaceType.Virtual;
        }

        return link.DeviceType switch
        {
            ARPHRD_ETHER => link.Kind is null ? InterfaceType.Ethernet : InterfaceType.Virtual,
            ARPHRD_PPP => InterfaceType.Ppp,
            ARPHRD_INFINIBAND => InterfaceType.Infiniband,
            ARPHRD_CAN => InterfaceType.Can,
            ARPHRD_TUNNEL or ARPHRD_TUNNEL6 or ARPHRD_SIT or ARPHRD_IPGRE or ARPHRD_IP6GRE => InterfaceType.Tunnel,
            // A layer-3 device without link-layer header: tun and WireGuard without a kind we know.
            ARPHRD_NONE => InterfaceType.Tunnel,
            _ => InterfaceType.Other,
        };
    }

    [MethodImpl(HotPath.Optimized)]
    private static NetInterfaceAddress ToAddress(AddressMessage message, string interfaceName)
    {
        // On IPv4 point-to-point links IFA_LOCAL is this host's address and IFA_ADDRESS the peer's.
        var local = message.Local ?? message.Address
            ?? throw new NetlinkParseException($"an address of interface {message.Index} has neither IFA_LOCAL nor IFA_ADDRESS.");
        var address = new NetInterfaceAddress(message.Index, interfaceName, new IPAddress(local), message.PrefixLength)
        {
            Scope = (AddressScope)message.Scope,
            Broadcast = message.Broadcast is byte[] broadcast ? new IPAddress(broadcast) : null,
            Peer = message.Local is not null && message.Address is not null && !Bytes.Same(message.Local, message.Address)
                ? new IPAddress(message.Address)
                : null,
            Label = message.Label,
            Flags = (AddressFlags)message.Flags,
            ValidLifetime = ToLifetime(message.ValidLifetime),
            PreferredLifetime = ToLifetime(message.PreferredLifetime),
        };
        return address;
    }

    private static TimeSpan? ToLifetime(uint? seconds) => seconds switch
    {
        null => null,
        Forever => TimeSpan.MaxValue,
        uint s => TimeSpan.FromSeconds(s),
    };


    /// <summary>Lower-case hex pairs joined by colons, as ip writes a link address.</summary>
    [MethodImpl(HotPath.Optimized)]
    private static string? FormatLinkAddress(byte[]? address)
    {
        if (address is null || address.Length == 0)
        {
            return null;
        }

        const string Hex = "0123456789abcdef";
        var text = new char[(address.Length * 3) - 1];
        for (var i = 0; i < address.Length; i++)
        {
            if (i > 0)
            {
                text[(i * 3) - 1] = ':';
            }

            text[i * 3] = Hex[address[i] >> 4];
            text[(i * 3) + 1] = Hex[address[i] & 0xf];
        }

        return new string(text);
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.NetworkInformation;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;
using PSLoopback.Platform.Windows.Native;

namespace PSLoopback.Platform.Windows;

/// <summary>
/// Joins the four IP Helper answers into the interface model, by each interface's LUID. The adapter list
/// (GetAdaptersAddresses) is the interface list; a table that could not be read is null, and the facts only
/// it gives stay empty. Pure: the OS is not touched.
/// </summary>
internal static class WindowsInterfaceBuilder
{
    // IANA ifType values (ipifcons.h).
    private const uint IfTypeEthernet = 6;
    private const uint IfTypePpp = 23;
    private const uint IfTypeSoftwareLoopback = 24;
    private const uint IfTypePropVirtual = 53;
    private const uint IfTypeIeee80211 = 71;
    private const uint IfTypeTunnel = 131;
    private const uint IfTypeL2Vlan = 135;
    private const uint IfTypeIeee8023adLag = 161;
    private const uint IfTypeInfiniband = 199;
    private const uint IfTypeBridge = 209;

    /// <param name="interfaceRows">GetIfTable2's rows: counters, speed, media type, admin status.</param>
    /// <param name="unicastRows">GetUnicastIpAddressTable's rows: DAD state, origins, lifetimes, SkipAsSource.</param>
    /// <param name="ipInterfaceRows">GetIpInterfaceTable's rows: per-family metric, MTU, forwarding, host model.</param>
    public static IReadOnlyList<NetInterfaceInfo> Build(
        IReadOnlyList<AdapterEntry> adapters,
        IReadOnlyList<MIB_IF_ROW2>? interfaceRows,
        IReadOnlyList<UnicastAddressRow>? unicastRows,
        IReadOnlyList<MIB_IPINTERFACE_ROW>? ipInterfaceRows)
    {
        var ifByLuid = (interfaceRows ?? Array.Empty<MIB_IF_ROW2>())
            .GroupBy(r => r.InterfaceLuid)
            .ToDictionary(g => g.Key, g => g.First());
        var unicastByLuid = (unicastRows ?? Array.Empty<UnicastAddressRow>())
            .ToLookup(r => r.Row.InterfaceLuid);
        var ipByLuid = (ipInterfaceRows ?? Array.Empty<MIB_IPINTERFACE_ROW>())
            .ToLookup(r => r.InterfaceLuid);

        var interfaces = new List<NetInterfaceInfo>();
        foreach (var entry in adapters)
        {
            var adapter = entry.Adapter;
            var info = new NetInterfaceInfo(entry.InterfaceIndex, entry.FriendlyName)
            {
                Description = string.IsNullOrEmpty(entry.Description) ? null : entry.Description,
                InterfaceType = Classify(adapter.IfType),
                Status = ToStatus(adapter.OperStatus),
                MacAddress = entry.PhysicalAddress.Length == 0
                    ? null
                    : string.Join(":", entry.PhysicalAddress.Select(b => b.ToString("x2", CultureInfo.InvariantCulture))),

                // The loopback pseudo-interface reports 4294967295, no limit, which an int cannot hold.
                Mtu = adapter.Mtu <= int.MaxValue ? (int)adapter.Mtu : null,
                Luid = adapter.Luid,
                DnsSuffix = entry.DnsSuffix,
            };

            if (ifByLuid.TryGetValue(adapter.Luid, out var row))
            {
                ReadInterfaceRow(info, row);
            }
            else
            {
                // Without GetIfTable2 only RFC 2863's rule is known: an interface that is operationally up is
                // administratively up. Anything else (an enabled adapter unplugged, or one disabled) is not known.
                info.AdminStatus = info.Status == InterfaceStatus.Up ? AdminStatus.Up : AdminStatus.Unknown;
            }

            info.Flags = DerivedFlags.Of(info, multicast: (adapter.Flags & IpHelper.IP_ADAPTER_NO_MULTICAST) == 0);
            info.IPInterfaces = ipByLuid[adapter.Luid].Select(r => ToIPInterface(info.InterfaceIndex, r)).ToArray();
            var rows = unicastByLuid[adapter.Luid].ToList();
            info.Addresses = entry.UnicastAddresses
                .Select(a => ToAddress(info, a, rows.FirstOrDefault(r => r.Address.Equals(a.Address))))
                .ToArray();
            interfaces.Add(info);
        }

        return interfaces.OrderBy(i => i.InterfaceIndex).ToList();
    }

    internal static InterfaceType Classify(uint ifType) => ifType switch
    {
        IfTypeSoftwareLoopback => InterfaceType.Loopback,
        IfTypeEthernet => InterfaceType.Ethernet,
        IfTypeIeee80211 => InterfaceType.Wireless,
        IfTypeTunnel => InterfaceType.Tunnel,
        IfTypePpp => InterfaceType.Ppp,
        IfTypeBridge => InterfaceType.Bridge,
        IfTypeIeee8023adLag => InterfaceType.Bond,
        IfTypeL2Vlan => InterfaceType.Vlan,
        IfTypePropVirtual => InterfaceType.Virtual,
        IfTypeInfiniband => InterfaceType.Infiniband,
        _ => InterfaceType.Other,
    };

    /// <summary>IF_OPER_STATUS (1 up ... 7 lowerLayerDown, RFC 2863's numbering) to the model's.</summary>
    internal static InterfaceStatus ToStatus(uint operStatus) => operStatus switch
    {
        1 => InterfaceStatus.Up,
        2 => InterfaceStatus.Down,
        3 => InterfaceStatus.Testing,
        5 => InterfaceStatus.Dormant,
        6 => InterfaceStatus.NotPresent,
        7 => InterfaceStatus.LowerLayerDown,
        _ => InterfaceStatus.Unknown,
    };

    /// <summary>NDIS_MEDIUM in Get-NetAdapter's words; a value newer than this list, as its number.</summary>
    internal static string MediaTypeName(int medium) => medium switch
    {
        0 => "802.3",
        1 => "802.5",
        2 => "FDDI",
        3 => "WAN",
        4 => "LocalTalk",
        5 => "DIX",
        6 => "ARCNET",
        7 => "ARCNET 878.2",
        8 => "ATM",
        9 => "Wireless WAN",
        10 => "IRDA",
        11 => "BPC",
        12 => "CoWAN",
        13 => "1394",
        14 => "InfiniBand",
        15 => "Tunnel",
        16 => "Native 802.11",
        17 => "Loopback",
        18 => "WiMAX",
        19 => "IP",
        _ => medium.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>0xffffffff is infinite; other values are seconds.</summary>
    internal static TimeSpan Lifetime(uint seconds) =>
        seconds == IpHelper.InfiniteLifetime ? TimeSpan.MaxValue : TimeSpan.FromSeconds(seconds);

    private static void ReadInterfaceRow(NetInterfaceInfo info, MIB_IF_ROW2 row)
    {
        // NET_IF_ADMIN_STATUS: 1 up, 2 down, 3 testing (no traffic passes, so not up).
        info.AdminStatus = row.AdminStatus == 1 ? AdminStatus.Up : AdminStatus.Down;
        info.MediaType = MediaTypeName(row.MediaType);

        // 0 and all ones are how drivers say "unknown".
        info.Speed = row.TransmitLinkSpeed is 0 or ulong.MaxValue || row.TransmitLinkSpeed > long.MaxValue
            ? null
            : (long)row.TransmitLinkSpeed;
        info.ReceivedBytes = row.InOctets;
        info.SentBytes = row.OutOctets;
        info.ReceivedPackets = row.InUcastPkts + row.InNUcastPkts;
        info.SentPackets = row.OutUcastPkts + row.OutNUcastPkts;
        info.ReceiveErrors = row.InErrors;
        info.SendErrors = row.OutErrors;
        info.ReceiveDrops = row.InDiscards;
        info.SendDrops = row.OutDiscards;
    }


    private static NetIPInterfaceInfo ToIPInterface(int index, MIB_IPINTERFACE_ROW row) =>
        new(index, row.Family == IpHelper.AF_INET6 ? IPAddressFamily.IPv6 : IPAddressFamily.IPv4)
        {
            InterfaceMetric = row.Metric,
            AutomaticMetric = row.UseAutomaticMetric != 0,
            NlMtu = row.NlMtu,
            Forwarding = row.ForwardingEnabled != 0,
            WeakHostSend = row.WeakHostSend != 0,
            WeakHostReceive = row.WeakHostReceive != 0,
            Connected = row.Connected != 0,
        };

    private static NetInterfaceAddress ToAddress(NetInterfaceInfo info, AdapterAddress entry, UnicastAddressRow? unicast)
    {
        var address = new NetInterfaceAddress(info.InterfaceIndex, info.Name, entry.Address, entry.PrefixLength);
        if (unicast is null)
        {
            return address;
        }

        var row = unicast.Row;
        address.PrefixOrigin = row.PrefixOrigin is >= 0 and <= 4 ? (PrefixOrigin)row.PrefixOrigin : null;
        address.SuffixOrigin = row.SuffixOrigin is >= 0 and <= 5 ? (SuffixOrigin)row.SuffixOrigin : null;
        address.SkipAsSource = row.SkipAsSource != 0;
        address.ValidLifetime = Lifetime(row.ValidLifetime);
        address.PreferredLifetime = Lifetime(row.PreferredLifetime);

        // NL_DAD_STATE: 0 invalid, 1 tentative, 2 duplicate, 3 deprecated, 4 preferred.
        address.Flags = row.DadState switch
        {
            1 => AddressFlags.Tentative,
            2 => AddressFlags.DadFailed,
            3 => AddressFlags.Deprecated,
            _ => AddressFlags.None,
        };

        // No field says "temporary"; a privacy address (RFC 8981) is the one with a router-advertised prefix, a
        // random suffix, and no place in DNS (stable random suffixes of RFC 7217 are registered). Derived from
        // Windows' documentation of these fields, not yet seen on real Windows.
        if (address.AddressFamily == IPAddressFamily.IPv6 && address.PrefixOrigin == PrefixOrigin.RouterAdvertisement
            && address.SuffixOrigin == SuffixOrigin.Random && !entry.DnsEligible)
        {
            address.Flags |= AddressFlags.Secondary;
        }

        return address;
    }
}

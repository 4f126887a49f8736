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
    // IANA ifType values past the 145 where mingw-w64 10's ipifcons.h stops, so no test checks them against a
    // header: ieee8023adLag, infiniband and bridge in IANA's ifType registry.
    private const uint IfTypeIeee8023adLag = 161;
    private const uint IfTypeInfiniband = 199;
    private const uint IfTypeBridge = 209;

    /// <summary>A lifetime of 0xffffffff is "infinite" (MIB_UNICASTIPADDRESS_ROW's documentation; no header names it).</summary>
    private const uint InfiniteLifetime = uint.MaxValue;

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
        IpHelper.IF_TYPE_SOFTWARE_LOOPBACK => InterfaceType.Loopback,
        IpHelper.IF_TYPE_ETHERNET_CSMACD => InterfaceType.Ethernet,
        IpHelper.IF_TYPE_IEEE80211 => InterfaceType.Wireless,
        IpHelper.IF_TYPE_TUNNEL => InterfaceType.Tunnel,
        IpHelper.IF_TYPE_PPP => InterfaceType.Ppp,
        IfTypeBridge => InterfaceType.Bridge,
        IfTypeIeee8023adLag => InterfaceType.Bond,
        IpHelper.IF_TYPE_L2_VLAN => InterfaceType.Vlan,
        IpHelper.IF_TYPE_PROP_VIRTUAL => InterfaceType.Virtual,
        IfTypeInfiniband => InterfaceType.Infiniband,
        _ => InterfaceType.Other,
    };

    /// <summary>IF_OPER_STATUS (RFC 2863's numbering, which the model's own enumeration does not share) to the model's.</summary>
    internal static InterfaceStatus ToStatus(uint operStatus) => (IF_OPER_STATUS)operStatus switch
    {
        IF_OPER_STATUS.IfOperStatusUp => InterfaceStatus.Up,
        IF_OPER_STATUS.IfOperStatusDown => InterfaceStatus.Down,
        IF_OPER_STATUS.IfOperStatusTesting => InterfaceStatus.Testing,
        IF_OPER_STATUS.IfOperStatusDormant => InterfaceStatus.Dormant,
        IF_OPER_STATUS.IfOperStatusNotPresent => InterfaceStatus.NotPresent,
        IF_OPER_STATUS.IfOperStatusLowerLayerDown => InterfaceStatus.LowerLayerDown,
        _ => InterfaceStatus.Unknown,
    };

    /// <summary>NDIS_MEDIUM in Get-NetAdapter's words; a value newer than this list, as its number.</summary>
    internal static string MediaTypeName(int medium) => (NDIS_MEDIUM)medium switch
    {
        NDIS_MEDIUM.NdisMedium802_3 => "802.3",
        NDIS_MEDIUM.NdisMedium802_5 => "802.5",
        NDIS_MEDIUM.NdisMediumFddi => "FDDI",
        NDIS_MEDIUM.NdisMediumWan => "WAN",
        NDIS_MEDIUM.NdisMediumLocalTalk => "LocalTalk",
        NDIS_MEDIUM.NdisMediumDix => "DIX",
        NDIS_MEDIUM.NdisMediumArcnetRaw => "ARCNET",
        NDIS_MEDIUM.NdisMediumArcnet878_2 => "ARCNET 878.2",
        NDIS_MEDIUM.NdisMediumAtm => "ATM",
        NDIS_MEDIUM.NdisMediumWirelessWan => "Wireless WAN",
        NDIS_MEDIUM.NdisMediumIrda => "IRDA",
        NDIS_MEDIUM.NdisMediumBpc => "BPC",
        NDIS_MEDIUM.NdisMediumCoWan => "CoWAN",
        NDIS_MEDIUM.NdisMedium1394 => "1394",
        NDIS_MEDIUM.NdisMediumInfiniBand => "InfiniBand",
        NDIS_MEDIUM.NdisMediumTunnel => "Tunnel",
        NDIS_MEDIUM.NdisMediumNative802_11 => "Native 802.11",
        NDIS_MEDIUM.NdisMediumLoopback => "Loopback",
        NDIS_MEDIUM.NdisMediumWiMAX => "WiMAX",
        NDIS_MEDIUM.NdisMediumIP => "IP",
        _ => medium.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>0xffffffff is infinite; other values are seconds.</summary>
    internal static TimeSpan Lifetime(uint seconds) =>
        seconds == InfiniteLifetime ? TimeSpan.MaxValue : TimeSpan.FromSeconds(seconds);

    private static void ReadInterfaceRow(NetInterfaceInfo info, MIB_IF_ROW2 row)
    {
        // Testing passes no traffic, so it is not up.
        info.AdminStatus = (NET_IF_ADMIN_STATUS)row.AdminStatus == NET_IF_ADMIN_STATUS.NET_IF_ADMIN_STATUS_UP ? AdminStatus.Up : AdminStatus.Down;
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
        // .NET's PrefixOrigin and SuffixOrigin number their members as NL_PREFIX_ORIGIN and NL_SUFFIX_ORIGIN do;
        // the "Unchanged" value (16), only ever an input to Windows, has no member and stays null.
        address.PrefixOrigin = Enum.IsDefined(typeof(PrefixOrigin), row.PrefixOrigin) ? (PrefixOrigin)row.PrefixOrigin : null;
        address.SuffixOrigin = Enum.IsDefined(typeof(SuffixOrigin), row.SuffixOrigin) ? (SuffixOrigin)row.SuffixOrigin : null;
        address.SkipAsSource = row.SkipAsSource != 0;
        address.ValidLifetime = Lifetime(row.ValidLifetime);
        address.PreferredLifetime = Lifetime(row.PreferredLifetime);

        address.Flags = (NL_DAD_STATE)row.DadState switch
        {
            NL_DAD_STATE.IpDadStateTentative => AddressFlags.Tentative,
            NL_DAD_STATE.IpDadStateDuplicate => AddressFlags.DadFailed,
            NL_DAD_STATE.IpDadStateDeprecated => AddressFlags.Deprecated,
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

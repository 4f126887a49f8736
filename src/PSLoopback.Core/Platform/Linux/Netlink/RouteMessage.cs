using System;
using System.Collections.Generic;

namespace PSLoopback.Platform.Linux.Netlink;

/// <summary>An RTM_NEWROUTE message: struct rtmsg and the RTA_* attributes PSLoopback uses.</summary>
public sealed class RouteMessage
{
    // Most routes have no metrics: one empty dictionary for all of them, not one each.
    private static readonly IReadOnlyDictionary<ushort, uint> NoMetrics = new Dictionary<ushort, uint>();

    public byte Family { get; internal set; }

    public byte DestinationLength { get; internal set; }

    public byte SourceLength { get; internal set; }

    public byte Tos { get; internal set; }

    /// <summary>RTA_TABLE where present; else rtm_table, which reads RT_TABLE_COMPAT (252) for any table above 255.</summary>
    public uint Table { get; internal set; }

    /// <summary>The RTPROT_* origin (kernel, boot, static, ra, dhcp, ...).</summary>
    public byte Protocol { get; internal set; }

    /// <summary>The RT_SCOPE_* scope; IPv6 routes always say universe.</summary>
    public byte Scope { get; internal set; }

    /// <summary>The RTN_* type (unicast, local, broadcast, anycast, multicast, blackhole, unreachable, prohibit, throw, ...).</summary>
    public byte Type { get; internal set; }

    /// <summary>RTM_F_* flags, and for a single-path route its RTNH_F_* next-hop flags.</summary>
    public uint Flags { get; internal set; }

    /// <summary>RTA_DST; absent for a default route (<see cref="DestinationLength"/> 0).</summary>
    public byte[]? Destination { get; internal set; }

    public byte[]? Source { get; internal set; }

    public int? InputInterface { get; internal set; }

    public int? OutputInterface { get; internal set; }

    /// <summary>RTA_GATEWAY (in the route's family) or the address of RTA_VIA (in <see cref="GatewayFamily"/>).</summary>
    public byte[]? Gateway { get; internal set; }

    /// <summary>The AF_* family of <see cref="Gateway"/>: the route's own, or RTA_VIA's (IPv6 for an IPv4 route via inet6).</summary>
    public ushort? GatewayFamily { get; internal set; }

    /// <summary>RTA_PRIORITY, the metric. IPv4 leaves it out when it is 0, so absent reads 0.</summary>
    public uint Priority { get; internal set; }

    public byte[]? PreferredSource { get; internal set; }

    /// <summary>The numeric RTAX_* metrics of RTA_METRICS, by RTAX number (RTAX_LOCK is the bit mask of locked ones).</summary>
    public IReadOnlyDictionary<ushort, uint> Metrics { get; internal set; } = NoMetrics;

    /// <summary>RTAX_CC_ALGO, the congestion control algorithm's name, the one metric that is a string.</summary>
    public string? CongestionControl { get; internal set; }

    public uint? Mtu => Metrics.TryGetValue(RouteConstants.RTAX_MTU, out var mtu) ? mtu : null;

    /// <summary>Whether RTAX_LOCK locks <see cref="Mtu"/> ("mtu lock").</summary>
    public bool MtuLocked => Metrics.TryGetValue(RouteConstants.RTAX_LOCK, out var locked) && (locked & (1u << RouteConstants.RTAX_MTU)) != 0;

    /// <summary>RTM_F_CLONED: a routing-cache entry (an exception such as a redirect or a path MTU), not a FIB route.</summary>
    public bool IsCloned => (Flags & RouteConstants.RTM_F_CLONED) != 0;

    /// <summary>RTCF_REDIRECTED: an IPv4 cache entry whose gateway came from an ICMP redirect.</summary>
    public bool IsRedirected => (Flags & RouteConstants.RTCF_REDIRECTED) != 0;

    public uint? AdvertisedMss => Metrics.TryGetValue(RouteConstants.RTAX_ADVMSS, out var mss) ? mss : null;

    /// <summary>RTA_MULTIPATH's next hops, in the kernel's order; empty for a single-path route.</summary>
    public IReadOnlyList<RouteNextHop> NextHops { get; internal set; } = Array.Empty<RouteNextHop>();

    public uint? Mark { get; internal set; }

    /// <summary>RTA_PREF, the ICMPV6_ROUTER_PREF_* of an IPv6 route: 0 medium, 1 high, 3 low.</summary>
    public byte? Preference { get; internal set; }

    /// <summary>RTA_EXPIRES in seconds. The kernel takes it on input; dumps report expiry in <see cref="CacheExpires"/>.</summary>
    public uint? Expires { get; internal set; }

    /// <summary>rta_expires of RTA_CACHEINFO: clock ticks (USER_HZ, 100 a second) until the route expires, 0 if it does not.</summary>
    public int? CacheExpires { get; internal set; }

    /// <summary>rta_error of RTA_CACHEINFO: the error of the kernel's cached route, 0 or a negative errno.</summary>
    public int? CacheError { get; internal set; }

    /// <summary>RTA_NH_ID: the nexthop object (`ip nexthop`) the route uses.</summary>
    public uint? NextHopId { get; internal set; }
}

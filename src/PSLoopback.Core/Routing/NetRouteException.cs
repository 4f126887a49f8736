using System;
using System.Globalization;
using System.Net;
using PSLoopback.Addressing;

namespace PSLoopback.Routing;

/// <summary>
/// One entry of Linux's route exception cache (`ip route show cache`): what the kernel learned about one
/// destination on one next hop of a route, from an ICMP redirect (a better gateway) or from "fragmentation
/// needed" / "packet too big" (a smaller path MTU). It overrides the route for that destination until it expires.
/// Settable, so a saved snapshot can carry it.
/// </summary>
public sealed class NetRouteException
{
    public IPAddress Destination { get; set; } = IPAddress.Any;

    public IPAddressFamily AddressFamily => Destination.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
        ? IPAddressFamily.IPv6
        : IPAddressFamily.IPv4;

    /// <summary>
    /// IPv6: the source the entry is keyed by as well, for a route with a source prefix (a subtree); null when the
    /// entry is for every source.
    /// </summary>
    public IPAddress? Source { get; set; }

    /// <summary>The gateway packets to <see cref="Destination"/> take, or the unspecified address when on-link.</summary>
    public IPAddress NextHop { get; set; } = IPAddress.Any;

    public int InterfaceIndex { get; set; }

    public string? InterfaceAlias { get; set; }

    /// <summary>The table of the route the entry belongs to.</summary>
    public uint Table { get; set; } = RouteTables.Main;

    /// <summary>IPv6: the metric of the route the entry belongs to (the dump names the route by it); 0 for IPv4.</summary>
    public uint RouteMetric { get; set; }

    /// <summary>
    /// IPv4: the gateway came from an ICMP redirect (RTCF_REDIRECTED, ip's "cache &lt;redirected&gt;"). IPv6 does
    /// not mark redirected entries; one whose gateway is not the route's is one.
    /// </summary>
    public bool Redirected { get; set; }

    /// <summary>The path MTU learned, or the route's own MTU metric copied into the entry; null when neither.</summary>
    public int? Mtu { get; set; }

    /// <summary>The MTU is locked ("mtu lock"): the learned value was below net.ipv4.route.min_pmtu.</summary>
    public bool MtuLocked { get; set; }

    /// <summary>How long the entry had left when it was read; null when it does not expire.</summary>
    public TimeSpan? Expires { get; set; }

    /// <summary>When the entry was read (UTC): <see cref="Expires"/> counts from then.</summary>
    public DateTime? ReadAt { get; set; }

    /// <summary>When the kernel drops the entry (UTC); null when it does not expire or the reading time is not known.</summary>
    public DateTime? ExpiresAt => Expires is TimeSpan left && ReadAt is DateTime read ? read + left : null;

    public bool IsOnLink => NextHop.Equals(IPAddress.Any) || NextHop.Equals(IPAddress.IPv6Any);

    /// <summary>As `ip route show cache` prints it.</summary>
    public override string ToString()
    {
        var text = Destination.ToString();
        if (Source is not null)
        {
            text += " from " + Source;
        }

        if (!IsOnLink)
        {
            text += " via " + NextHop;
        }

        text += " dev " + (InterfaceAlias ?? InterfaceIndex.ToString(CultureInfo.InvariantCulture));
        if (Table != RouteTables.Main)
        {
            text += " table " + RouteTables.Name(Table);
        }

        text += " cache" + (Redirected ? " <redirected>" : string.Empty);
        if (Expires is TimeSpan left)
        {
            text += " expires " + ((long)left.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "sec";
        }

        if (Mtu is int mtu)
        {
            text += " mtu " + (MtuLocked ? "lock " : string.Empty) + mtu.ToString(CultureInfo.InvariantCulture);
        }

        return text;
    }
}

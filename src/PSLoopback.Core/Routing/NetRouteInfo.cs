using System;
using System.Collections.Generic;
using System.Net;
using PSLoopback.Addressing;

namespace PSLoopback.Routing;

/// <summary>
/// One route of one routing table. Names follow Windows' Get-NetRoute where the concept is shared
/// (DestinationPrefix, NextHop, RouteMetric, InterfaceIndex, InterfaceAlias) and Linux's where only Linux
/// has it (Table, Scope, Protocol). Settable, so a table can be rebuilt from CSV or CLIXML for what-if
/// questions to Resolve-NetRoute.
/// </summary>
public sealed class NetRouteInfo
{
    private IReadOnlyList<NetRouteNextHop> nextHops = Array.Empty<NetRouteNextHop>();

    public IPPrefix DestinationPrefix { get; set; }

    public IPAddressFamily AddressFamily => DestinationPrefix.AddressFamily;

    /// <summary>An IPv6 source-specific route's source prefix (ip's "from"); null for ordinary routes.</summary>
    public IPPrefix? SourcePrefix { get; set; }

    /// <summary>The gateway, or the unspecified address (0.0.0.0 or ::) when the destination is on-link.</summary>
    public IPAddress NextHop { get; set; } = IPAddress.Any;

    public int InterfaceIndex { get; set; }

    public string? InterfaceAlias { get; set; }

    public uint RouteMetric { get; set; }

    /// <summary>
    /// Windows: the metric of the route's interface in its family (Get-NetIPInterface), which Windows adds to
    /// <see cref="RouteMetric"/> to rank routes; null on Linux, which has no such thing, and where not read.
    /// </summary>
    public uint? InterfaceMetric { get; set; }

    /// <summary>Windows: how the route came to be (NL_ROUTE_ORIGIN); null on Linux.</summary>
    public RouteOrigin? Origin { get; set; }

    /// <summary>Windows: who installed the route (NL_ROUTE_PROTOCOL), Get-NetRoute's Protocol; null on Linux, which uses <see cref="Protocol"/>.</summary>
    public WindowsRouteProtocol? WindowsProtocol { get; set; }

    /// <summary>Windows: how long the route has existed; null where the OS does not say.</summary>
    public TimeSpan? Age { get; set; }

    /// <summary>Windows: TimeSpan.MaxValue means forever ("Infinite"); null where the OS does not say.</summary>
    public TimeSpan? ValidLifetime { get; set; }

    /// <summary>Windows: TimeSpan.MaxValue means forever; null where the OS does not say.</summary>
    public TimeSpan? PreferredLifetime { get; set; }

    /// <summary>Linux's table; <see cref="RouteTables.Unspecified"/> on Windows, which has one table and no rules.</summary>
    public uint Table { get; set; } = RouteTables.Main;

    public string TableName => RouteTables.Name(Table);

    /// <summary>False for a Windows route: Windows keeps one table, and no route of a Linux dump is in table 0.</summary>
    public bool HasTable => Table != RouteTables.Unspecified;

    public RouteType RouteType { get; set; } = RouteType.Unicast;

    public RouteProtocol Protocol { get; set; } = RouteProtocol.Unspecified;

    /// <summary>RT_SCOPE_*: Host for local routes, Link for on-link ones, Global for routes through a gateway.</summary>
    public AddressScope Scope { get; set; } = AddressScope.Global;

    /// <summary>The source address the route asks for (ip's "src"); null when the kernel chooses.</summary>
    public IPAddress? PreferredSource { get; set; }

    public RouteFlags Flags { get; set; }

    /// <summary>The type-of-service byte the route is limited to; 0 for every packet.</summary>
    public byte Tos { get; set; }

    /// <summary>IPv6 router preference; null for IPv4.</summary>
    public RoutePreference? Preference { get; set; }

    public int? Mtu { get; set; }

    /// <summary>Linux: the nexthop object the route uses (ip's "nhid"); its paths are in <see cref="NextHops"/> however the kernel dumped them.</summary>
    public uint? NextHopId { get; set; }

    /// <summary>The paths of a multipath (ECMP) route; empty for a route with one path.</summary>
    public IReadOnlyList<NetRouteNextHop> NextHops
    {
        get => nextHops;
        set => nextHops = value ?? Array.Empty<NetRouteNextHop>();
    }

    public bool IsDefault => DestinationPrefix.IsDefault;

    public bool IsOnLink => NextHop.Equals(IPAddress.Any) || NextHop.Equals(IPAddress.IPv6Any);

    public override string ToString()
    {
        var text = (RouteType == RouteType.Unicast ? string.Empty : RouteType.ToString().ToLowerInvariant() + " ")
            + (IsDefault ? "default" : DestinationPrefix.ToString());
        if (NextHops.Count > 0)
        {
            return text + " " + string.Join(" ", NextHops);
        }

        if (!IsOnLink)
        {
            text += " via " + NextHop;
        }

        if (InterfaceAlias is not null)
        {
            text += " dev " + InterfaceAlias;
        }

        return text + (Table == RouteTables.Main || !HasTable ? string.Empty : " table " + TableName);
    }
}

using System.Net;

namespace PSLoopback.Routing;

/// <summary>What the kernel itself answered to a route query (`ip route get`): a route, or an errno.</summary>
public sealed class KernelRouteAnswer
{
    public RouteType RouteType { get; set; } = RouteType.NoRoute;

    public RouteError Error { get; set; }

    /// <summary>The raw errno when <see cref="Error"/> is not one PSLoopback names; on Windows the Win32 error code.</summary>
    public int Errno { get; set; }

    /// <summary>What <see cref="Errno"/> is called where it came from: "errno" (Linux) or "Win32 error" (Windows).</summary>
    public string ErrnoName { get; set; } = "errno";

    public int? InterfaceIndex { get; set; }

    public string? InterfaceAlias { get; set; }

    /// <summary>The gateway, or null when the kernel gave none (on-link).</summary>
    public IPAddress? Gateway { get; set; }

    public IPAddress? PreferredSource { get; set; }

    public uint? Table { get; set; }

    /// <summary>Linux: the MTU the answer carries (RTAX_MTU: an exception's path MTU or the route's metric); null when none, as `ip route get` prints none.</summary>
    public int? Mtu { get; set; }

    /// <summary>Linux IPv4: the gateway came from an ICMP redirect (cache &lt;redirected&gt;).</summary>
    public bool Redirected { get; set; }

    /// <summary>Linux: how long the cache entry that answered has left; null when it does not expire.</summary>
    public System.TimeSpan? Expires { get; set; }

    public override string ToString()
    {
        if (Error != RouteError.None)
        {
            return $"error {Error} ({ErrnoName} {Errno})";
        }

        return (RouteType == RouteType.Unicast ? string.Empty : RouteType.ToString().ToLowerInvariant() + " ")
            + (Gateway is null ? string.Empty : $"via {Gateway} ")
            + $"dev {InterfaceAlias ?? InterfaceIndex?.ToString(System.Globalization.CultureInfo.InvariantCulture)}"
            + (PreferredSource is null ? string.Empty : $" src {PreferredSource}")
            + (Table is uint table ? " table " + RouteTables.Name(table) : string.Empty)
            + (Redirected ? " cache <redirected>" : string.Empty)
            + (Expires is System.TimeSpan left ? $" expires {(long)left.TotalSeconds}sec" : string.Empty)
            + (Mtu is int mtu ? $" mtu {mtu}" : string.Empty);
    }
}

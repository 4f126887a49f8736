using System.Globalization;
using PSLoopback.Routing;

namespace PSLoopback.Output;

/// <summary>
/// One entry of Linux's route exception cache, as Get-NetRouteInfo -Cache writes it (`ip route show cache`): a
/// redirect's gateway or a learned path MTU for one destination. Get-NetRouteSnapshot keeps them, and
/// Resolve-NetRoute -Snapshot reads them back.
/// </summary>
public sealed class NetRouteCacheEntry
{
    internal NetRouteCacheEntry(NetRouteException exception)
    {
        Destination = exception.Destination.ToString();
        AddressFamily = exception.AddressFamily.ToString();
        Source = OutputText.Of(exception.Source);
        NextHop = exception.NextHop.ToString();
        InterfaceIndex = exception.InterfaceIndex;
        InterfaceAlias = exception.InterfaceAlias;
        Table = exception.Table;
        TableName = RouteTables.Name(exception.Table);
        RouteMetric = exception.RouteMetric;
        Redirected = exception.Redirected;
        Mtu = exception.Mtu;
        MtuLocked = exception.MtuLocked;
        ExpiresSeconds = OutputText.Seconds(exception.Expires);
        ReadAt = exception.ReadAt?.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        ExpiresAt = exception.ExpiresAt?.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        Text = exception.ToString();
    }

    public string Destination { get; }

    public string AddressFamily { get; }

    /// <summary>IPv6: the source the entry is keyed by too (a route with a source prefix); null otherwise.</summary>
    public string? Source { get; }

    /// <summary>The gateway, or the unspecified address when on-link.</summary>
    public string NextHop { get; }

    public int InterfaceIndex { get; }

    public int ifIndex => InterfaceIndex;

    public string? InterfaceAlias { get; }

    public uint Table { get; }

    public string TableName { get; }

    /// <summary>IPv6: the metric of the route the entry belongs to; 0 for IPv4.</summary>
    public uint RouteMetric { get; }

    /// <summary>IPv4: the gateway came from an ICMP redirect (cache &lt;redirected&gt;).</summary>
    public bool Redirected { get; }

    public int? Mtu { get; }

    public bool MtuLocked { get; }

    /// <summary>Whole seconds the entry had left when read (ip's "expires"); null when it does not expire.</summary>
    public long? ExpiresSeconds { get; }

    /// <summary>When the entry was read, in UTC, as ISO 8601 text; ExpiresSeconds counts from then.</summary>
    public string? ReadAt { get; }

    /// <summary>When the kernel drops the entry, in UTC, as ISO 8601 text.</summary>
    public string? ExpiresAt { get; }

    /// <summary>As `ip route show cache` prints it.</summary>
    public string Text { get; }

    public override string ToString() => Text;
}

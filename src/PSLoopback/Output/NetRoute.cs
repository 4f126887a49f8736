using System.Globalization;
using System.Linq;
using System.Text;
using PSLoopback.Addressing;
using PSLoopback.Routing;

namespace PSLoopback.Output;

/// <summary>
/// One route as Get-NetRouteInfo writes it. Names follow Windows' Get-NetRoute where the concept is shared
/// and Linux's where only Linux has it (Table, Scope, Protocol); -RouteTable reads it back, from CSV too.
/// </summary>
public sealed class NetRoute
{
    internal NetRoute(NetRouteInfo route)
    {
        DestinationPrefix = OutputText.Of(route.DestinationPrefix)!;
        AddressFamily = route.AddressFamily.ToString();
        SourcePrefix = OutputText.Of(route.SourcePrefix);
        NextHop = OutputText.Of(route.NextHop)!;
        InterfaceIndex = route.InterfaceIndex;
        InterfaceAlias = route.InterfaceAlias;
        RouteMetric = route.RouteMetric;
        InterfaceMetric = route.InterfaceMetric;
        Table = route.HasTable ? route.Table : null;
        TableName = route.HasTable ? route.TableName : null;
        RouteType = route.HasTable ? route.RouteType.ToString() : null;
        Protocol = route.WindowsProtocol?.ToString() ?? route.Protocol.ToString();
        Origin = OutputText.Of(route.Origin);
        Scope = route.HasTable ? route.Scope.ToString() : null;
        AgeSeconds = OutputText.Seconds(route.Age);
        ValidLifetimeSeconds = OutputText.Seconds(route.ValidLifetime);
        PreferredLifetimeSeconds = OutputText.Seconds(route.PreferredLifetime);
        PreferredSource = OutputText.Of(route.PreferredSource);
        Flags = route.HasTable ? route.Flags.ToString() : null;
        Tos = route.HasTable ? route.Tos : null;
        Preference = OutputText.Of(route.Preference);
        Mtu = route.Mtu;
        NextHopId = route.NextHopId;
        NextHops = new TextList<NetNextHop>(route.NextHops.Select(h => new NetNextHop(h)), NextHopText.Separator);
        IsDefault = route.IsDefault;
        Text = IpText(route);
    }

    public string DestinationPrefix { get; }

    public string AddressFamily { get; }

    /// <summary>An IPv6 source-specific route's source prefix (ip's "from"); null for ordinary routes.</summary>
    public string? SourcePrefix { get; }

    /// <summary>The gateway, or the unspecified address (0.0.0.0 or ::) when on-link; see NextHops for multipath.</summary>
    public string NextHop { get; }

    public int InterfaceIndex { get; }

    public int ifIndex => InterfaceIndex;

    public string? InterfaceAlias { get; }

    public uint RouteMetric { get; }

    /// <summary>Windows: the interface's metric, which Windows adds to RouteMetric to rank routes (route print's Metric is the sum); null on Linux.</summary>
    public uint? InterfaceMetric { get; }

    /// <summary>Linux's table; null on Windows, which has one table and no rules.</summary>
    public uint? Table { get; }

    public string? TableName { get; }

    /// <summary>Linux's route type (Unicast, Local, Blackhole, ...); null on Windows, whose routes have none.</summary>
    public string? RouteType { get; }

    /// <summary>Who installed the route: Linux's rt_protos name (Kernel, Boot, Static, ...), or on Windows Get-NetRoute's (Local, NetMgmt, Dhcp, ...).</summary>
    public string Protocol { get; }

    /// <summary>Windows: how the route came to be (Manual, WellKnown, Dhcp, RouterAdvertisement); null on Linux.</summary>
    public string? Origin { get; }

    /// <summary>Linux's route scope (Host, Link, Global); null on Windows, which has none.</summary>
    public string? Scope { get; }

    /// <summary>Windows: seconds since the route was added; null where the OS does not say.</summary>
    public long? AgeSeconds { get; }

    /// <summary>Windows: seconds left; 4294967295 is forever; null where the OS does not say.</summary>
    public long? ValidLifetimeSeconds { get; }

    /// <summary>Windows: seconds left; 4294967295 is forever; null where the OS does not say.</summary>
    public long? PreferredLifetimeSeconds { get; }

    /// <summary>The source address the route asks for (ip's "src"); null when the kernel chooses.</summary>
    public string? PreferredSource { get; }

    /// <summary>Linux's route flags (onlink, ...); null on Windows.</summary>
    public string? Flags { get; }

    /// <summary>Linux's type-of-service selector; null on Windows.</summary>
    public byte? Tos { get; }

    /// <summary>IPv6 router preference; null for IPv4.</summary>
    public string? Preference { get; }

    public int? Mtu { get; }

    /// <summary>Linux: the nexthop object the route uses (ip's "nhid"); its paths are in NextHop and NextHops all the same.</summary>
    public uint? NextHopId { get; }

    /// <summary>The paths of a multipath route, "via 192.0.2.1 dev eth0 weight 1 ..."; empty for one path.</summary>
    public TextList<NetNextHop> NextHops { get; }

    public bool IsDefault { get; }

    /// <summary>
    /// The route as `ip route show table all` prints it, each path of a multipath route on a line of its own; a
    /// Windows route in the same words, its metric as Windows ranks it (route + interface) and its protocol.
    /// </summary>
    public string Text { get; }

    public override string ToString() => Text;

    private static string IpText(NetRouteInfo route)
    {
        if (!route.HasTable)
        {
            return WindowsText(route);
        }

        var text = new StringBuilder();
        if (route.RouteType != Routing.RouteType.Unicast)
        {
            text.Append(route.RouteType.ToString().ToLowerInvariant()).Append(' ');
        }

        text.Append(route.IsDefault ? "default" : route.DestinationPrefix.ToString());
        if (route.SourcePrefix is { } from)
        {
            text.Append(" from ").Append(from);
        }

        if (route.NextHopId is uint nextHopId)
        {
            text.Append(" nhid ").Append(nextHopId.ToString(CultureInfo.InvariantCulture));
        }

        if (route.NextHops.Count == 0 && !route.IsOnLink)
        {
            text.Append(" via ").Append(route.NextHop);
        }

        if (route.NextHops.Count == 0 && route.InterfaceAlias is not null)
        {
            text.Append(" dev ").Append(route.InterfaceAlias);
        }

        if (route.Table != RouteTables.Main)
        {
            text.Append(" table ").Append(route.TableName);
        }

        if (route.Protocol != RouteProtocol.Unspecified)
        {
            text.Append(" proto ").Append(route.Protocol == RouteProtocol.RouterAdvertisement ? "ra" : route.Protocol.ToString().ToLowerInvariant());
        }

        if (route.Scope != AddressScope.Global)
        {
            text.Append(" scope ").Append(route.Scope.ToString().ToLowerInvariant());
        }

        if (route.PreferredSource is { } source)
        {
            text.Append(" src ").Append(source);
        }

        if (route.RouteMetric != 0)
        {
            text.Append(" metric ").Append(route.RouteMetric.ToString(CultureInfo.InvariantCulture));
        }

        if (route.Preference is { } preference)
        {
            text.Append(" pref ").Append(preference.ToString().ToLowerInvariant());
        }

        foreach (var hop in route.NextHops)
        {
            text.Append("\n    nexthop ").Append(new NetNextHop(hop));
        }

        return text.ToString();
    }

    /// <summary>"default via 192.0.2.1 dev Ethernet metric 0+25 proto NetMgmt": Windows' facts, in ip's order.</summary>
    private static string WindowsText(NetRouteInfo route)
    {
        var text = new StringBuilder(route.IsDefault ? "default" : route.DestinationPrefix.ToString());
        if (!route.IsOnLink)
        {
            text.Append(" via ").Append(route.NextHop);
        }

        text.Append(" dev ").Append(route.InterfaceAlias ?? OutputText.Invariant(route.InterfaceIndex));
        text.Append(" metric ").Append(route.RouteMetric.ToString(CultureInfo.InvariantCulture));
        if (route.InterfaceMetric is uint interfaceMetric)
        {
            text.Append('+').Append(interfaceMetric.ToString(CultureInfo.InvariantCulture));
        }

        if (route.WindowsProtocol is { } protocol)
        {
            text.Append(" proto ").Append(protocol);
        }

        return text.ToString();
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Routing;

namespace PSLoopback.Conversion;

/// <summary>
/// Reads a route from whatever the user passes to -RouteTable: Get-NetRouteInfo's own objects, their
/// deserialized copies (Import-Clixml, remoting), rows of Import-Csv, or hashtables, with the same names.
/// Only DestinationPrefix is required; the rest take the defaults `ip route add` would. A value that does
/// not fit its field, or a route no kernel would hold, stops the conversion, naming the row and the field:
/// a table read half right would give confident wrong answers. Linux and Windows routes differ in what they
/// carry (a table, a scope and rtnetlink's protocols; an interface metric, an origin and Windows' protocols), so
/// each row is read as a route of the OS the table came from.
/// </summary>
internal static class RouteObjectConverter
{
    private static readonly string[] LinuxOnly = { "Table", "TableName", "Scope" };
    private static readonly string[] WindowsOnly = { "InterfaceMetric", "Origin" };

    /// <summary>
    /// Whose routes these rows are: Linux's when a row names a table or a scope, Windows' when one has an
    /// interface metric or an origin (what Get-NetRouteInfo writes on each), else the OS this runs on.
    /// </summary>
    public static HostOS OperatingSystemOf(IReadOnlyList<object> rows, HostOS running, string source = "-RouteTable")
    {
        int? linux = null, windows = null;
        for (var i = 0; i < rows.Count && (linux is null || windows is null); i++)
        {
            if (PSObject.AsPSObject(rows[i]).BaseObject is NetRouteInfo route)
            {
                linux ??= route.HasTable ? i : null;
                windows ??= route.HasTable ? null : i;
                continue;
            }

            var row = new InputRow(rows[i], $"Route {i + 1} of {source}");
            linux ??= LinuxOnly.Any(name => row.Text(name) is not null) ? i : null;
            windows ??= WindowsOnly.Any(name => row.Text(name) is not null) ? i : null;
        }

        if (linux is int l && windows is int w)
        {
            throw new ArgumentException($"{source} mixes Linux routes (route {l + 1} names a table or scope) and Windows routes (route {w + 1} has an interface metric or origin): give the routes of one machine.");
        }

        return linux is not null ? HostOS.Linux : windows is not null ? HostOS.Windows : running;
    }

    /// <param name="source">Where the rows came from, for errors: "-RouteTable", "the snapshot".</param>
    /// <param name="os">Whose route the row is (<see cref="OperatingSystemOf"/>).</param>
    public static NetRouteInfo Convert(object input, int position, HostOS os, string source = "-RouteTable")
    {
        if (PSObject.AsPSObject(input).BaseObject is NetRouteInfo route)
        {
            return route;
        }

        var row = new InputRow(input, $"Route {position + 1} of {source}");
        var prefixText = row.Text("DestinationPrefix");
        if (prefixText is null)
        {
            throw row.Has("Routes") && row.Has("Interfaces")
                ? row.Bad("it is a whole snapshot (Get-NetRouteSnapshot), not a route; pass it with -Snapshot")
                : row.Bad("it has no DestinationPrefix");
        }

        if (!IPPrefix.TryParse(prefixText, out var prefix))
        {
            throw row.Bad($"its DestinationPrefix '{prefixText}' is not a prefix such as 192.0.2.0/24");
        }

        var hostBits = RouteTableRules.HostBits("DestinationPrefix", prefixText);
        if (hostBits is not null)
        {
            throw row.Bad(hostBits);
        }

        var unspecified = prefix.AddressFamily == IPAddressFamily.IPv4 ? IPAddress.Any : IPAddress.IPv6Any;
        if (os == HostOS.Windows)
        {
            return WindowsRoute(row, prefix, unspecified);
        }

        var converted = new NetRouteInfo
        {
            DestinationPrefix = prefix,
            SourcePrefix = row.Prefix("SourcePrefix"),
            NextHop = row.Address("NextHop") ?? unspecified,
            InterfaceIndex = (int)(row.Number("InterfaceIndex", int.MaxValue) ?? 0),
            InterfaceAlias = row.Text("InterfaceAlias"),
            RouteMetric = (uint)(row.Number("RouteMetric", uint.MaxValue) ?? 0),
            PreferredSource = row.Address("PreferredSource"),
            Tos = (byte)(row.Number("Tos", byte.MaxValue) ?? 0),
            RouteType = row.Enum<RouteType>("RouteType") ?? RouteType.Unicast,
            Protocol = row.KernelByte<RouteProtocol>("Protocol") ?? RouteProtocol.Unspecified,
            Preference = row.Enum<RoutePreference>("Preference"),
            Flags = row.Enum<RouteFlags>("Flags") ?? RouteFlags.None,
            Mtu = (int?)row.Number("Mtu", int.MaxValue),
            NextHopId = (uint?)row.Number("NextHopId", uint.MaxValue),
            NextHops = NextHops(row, unspecified),
        };

        var table = row.Text("Table") ?? row.Text("TableName");
        if (table is not null)
        {
            converted.Table = RouteTables.TryParse(table, out var id) ? id : throw row.Bad($"its Table '{table}' is not main, local, default or a number");
        }

        converted.Scope = row.Enum<AddressScope>("Scope")
            ?? (converted.RouteType is RouteType.Local ? AddressScope.Host : converted.IsOnLink && converted.NextHops.Count == 0 ? AddressScope.Link : AddressScope.Global);

        var impossible = RouteTableRules.Check(converted, null);
        return impossible is null ? converted : throw row.Bad(impossible);
    }

    /// <summary>A row of Windows' one table: one next hop, no type, table or scope; ranked by route and interface metric.</summary>
    private static NetRouteInfo WindowsRoute(InputRow row, IPPrefix prefix, IPAddress unspecified)
    {
        var type = row.Enum<RouteType>("RouteType") ?? RouteType.Unicast;
        if (type != RouteType.Unicast)
        {
            throw row.Bad($"its RouteType is {type}, but Windows routes have no type (a Windows table holds unicast routes only)");
        }

        if (NextHops(row, unspecified).Count > 0)
        {
            throw row.Bad("it has NextHops, but a Windows route has one next hop (equal-cost paths are routes of their own)");
        }

        var protocol = row.Text("Protocol");
        var route = new NetRouteInfo
        {
            DestinationPrefix = prefix,
            NextHop = row.Address("NextHop") ?? unspecified,
            InterfaceIndex = (int)(row.Number("InterfaceIndex", int.MaxValue) ?? 0),
            InterfaceAlias = row.Text("InterfaceAlias"),
            RouteMetric = (uint)(row.Number("RouteMetric", uint.MaxValue) ?? 0),
            InterfaceMetric = (uint?)row.Number("InterfaceMetric", uint.MaxValue),
            Origin = row.Enum<RouteOrigin>("Origin"),
            WindowsProtocol = protocol is null || protocol == RouteProtocol.Unspecified.ToString() ? null : row.Enum<WindowsRouteProtocol>("Protocol"),
            Table = RouteTables.Unspecified,
        };
        var impossible = WindowsRouteTableRules.Check(route, null);
        return impossible is null ? route : throw row.Bad(impossible);
    }

    /// <summary>
    /// Multipath next hops survive Export-Clixml as a list of objects; Export-Csv writes the list's text
    /// ("via 192.0.2.1 dev eth0 weight 1; ..."), which is read back, its devices' indexes found afterwards
    /// (<see cref="NameDevices"/>). A cell of anything else is refused rather than read as on-link.
    /// </summary>
    private static IReadOnlyList<NetRouteNextHop> NextHops(InputRow row, IPAddress unspecified)
    {
        var value = row.Value("NextHops");
        if (value is null || (value is string text && text.Length == 0))
        {
            return Array.Empty<NetRouteNextHop>();
        }

        if (value is string cell)
        {
            try
            {
                return NextHopText.Parse(cell, unspecified);
            }
            catch (FormatException e)
            {
                throw row.Bad($"its NextHops cell cannot be read: {e.Message} (a list of objects of your own does not survive Export-Csv; save such a table with Export-Clixml)");
            }
        }

        var hops = new List<NetRouteNextHop>();
        foreach (var element in LanguagePrimitives.GetEnumerable(value) ?? new[] { value })
        {
            var hop = new InputRow(element, row.Label);
            hops.Add(new NetRouteNextHop
            {
                NextHop = hop.Address("NextHop") ?? unspecified,
                InterfaceIndex = (int)(hop.Number("InterfaceIndex", int.MaxValue) ?? 0),
                InterfaceAlias = hop.Text("InterfaceAlias"),
                Weight = (int)(hop.Number("Weight", int.MaxValue, int.MinValue) ?? 1),
                Flags = hop.Enum<RouteFlags>("Flags") ?? RouteFlags.None,
            });
        }

        return hops;
    }

    /// <summary>
    /// Next hops read from a CSV cell name their device only; its index is the one the table's other routes
    /// give that name. A name no route gives an index to is an error naming the route: a path on "interface 0"
    /// would be a confident wrong answer.
    /// </summary>
    public static void NameDevices(IReadOnlyList<NetRouteInfo> routes, string source = "-RouteTable")
    {
        var indexes = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var route in routes)
        {
            if (route.InterfaceAlias is not null && route.InterfaceIndex > 0)
            {
                indexes[route.InterfaceAlias] = route.InterfaceIndex;
            }

            foreach (var hop in route.NextHops.Where(h => h.InterfaceAlias is not null && h.InterfaceIndex > 0))
            {
                indexes[hop.InterfaceAlias!] = hop.InterfaceIndex;
            }
        }

        for (var i = 0; i < routes.Count; i++)
        {
            foreach (var hop in routes[i].NextHops.Where(h => h.InterfaceIndex == 0 && h.InterfaceAlias is not null))
            {
                hop.InterfaceIndex = indexes.TryGetValue(hop.InterfaceAlias!, out var index)
                    ? index
                    : throw new ArgumentException($"Route {i + 1} of {source} cannot be read: its next hop's device {hop.InterfaceAlias} has no index in any route of the table.");
            }
        }
    }
}

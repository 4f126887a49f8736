using System;
using System.Globalization;
using System.Management.Automation;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Routing;

namespace PSLoopback.Conversion;

/// <summary>
/// Reads a route from whatever the user passes to -RouteTable: Get-NetRouteInfo's own objects, their
/// deserialized copies (Import-Clixml, remoting), or rows of Import-Csv with the same column names.
/// Only DestinationPrefix is required; the rest take the defaults `ip route add` would.
/// </summary>
internal static class RouteObjectConverter
{
    public static NetRouteInfo Convert(object input, int position)
    {
        if (input is NetRouteInfo route)
        {
            return route;
        }

        var item = PSObject.AsPSObject(input);
        if (item.BaseObject is NetRouteInfo wrapped)
        {
            return wrapped;
        }

        var prefixText = Text(item, "DestinationPrefix")
            ?? throw Bad(position, "it has no DestinationPrefix");
        if (!IPPrefix.TryParse(prefixText, out var prefix))
        {
            throw Bad(position, $"its DestinationPrefix '{prefixText}' is not a prefix such as 192.0.2.0/24");
        }

        var unspecified = prefix.AddressFamily == IPAddressFamily.IPv4 ? IPAddress.Any : IPAddress.IPv6Any;
        var converted = new NetRouteInfo
        {
            DestinationPrefix = prefix,
            NextHop = Address(item, "NextHop", position) ?? unspecified,
            InterfaceIndex = Number(item, "InterfaceIndex", position) is long index ? (int)index : 0,
            InterfaceAlias = Text(item, "InterfaceAlias"),
            RouteMetric = Number(item, "RouteMetric", position) is long metric ? (uint)metric : 0,
            PreferredSource = Address(item, "PreferredSource", position),
            Tos = Number(item, "Tos", position) is long tos ? (byte)tos : (byte)0,
        };

        var table = Text(item, "Table") ?? Text(item, "TableName");
        if (table is not null)
        {
            converted.Table = RouteTables.TryParse(table, out var id) ? id : throw Bad(position, $"its Table '{table}' is not main, local, default or a number");
        }

        converted.RouteType = Enum<RouteType>(item, "RouteType", position) ?? RouteType.Unicast;
        converted.Protocol = Enum<RouteProtocol>(item, "Protocol", position) ?? RouteProtocol.Unspecified;
        converted.Preference = Enum<RoutePreference>(item, "Preference", position);
        converted.Scope = Enum<AddressScope>(item, "Scope", position)
            ?? (converted.RouteType is RouteType.Local ? AddressScope.Host : converted.IsOnLink ? AddressScope.Link : AddressScope.Global);
        return converted;
    }

    private static string? Text(PSObject item, string name)
    {
        // A deserialized value (Import-Clixml, remoting) keeps its original ToString, which is what is wanted.
        var text = item.Properties[name]?.Value?.ToString();
        return string.IsNullOrWhiteSpace(text) ? null : text!.Trim();
    }

    private static IPAddress? Address(PSObject item, string name, int position)
    {
        var text = Text(item, name);
        if (text is null)
        {
            return null;
        }

        return Destination.TryParseAddress(text, out var address) ? address : throw Bad(position, $"its {name} '{text}' is not an IP address");
    }

    private static long? Number(PSObject item, string name, int position)
    {
        var text = Text(item, name);
        if (text is null)
        {
            return null;
        }

        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && number >= 0
            ? number
            : throw Bad(position, $"its {name} '{text}' is not a whole number");
    }

    private static T? Enum<T>(PSObject item, string name, int position)
        where T : struct
    {
        var text = Text(item, name);
        if (text is null)
        {
            return null;
        }

        return System.Enum.TryParse<T>(text, ignoreCase: true, out var value)
            ? value
            : throw Bad(position, $"its {name} '{text}' is not one of {string.Join(", ", System.Enum.GetNames(typeof(T)))}");
    }

    private static ArgumentException Bad(int position, string why) =>
        new($"Route {position + 1} of -RouteTable cannot be read: {why}.");
}

using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
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
/// not fit its field stops the conversion, naming the row and the field: a table read half right would give
/// confident wrong answers.
/// </summary>
internal static class RouteObjectConverter
{
    public static NetRouteInfo Convert(object input, int position)
    {
        var item = PSObject.AsPSObject(input);
        if (item.BaseObject is NetRouteInfo route)
        {
            return route;
        }

        var row = new Row(item, position);
        var prefixText = row.Text("DestinationPrefix") ?? throw row.Bad("it has no DestinationPrefix");
        if (!IPPrefix.TryParse(prefixText, out var prefix))
        {
            throw row.Bad($"its DestinationPrefix '{prefixText}' is not a prefix such as 192.0.2.0/24");
        }

        var unspecified = prefix.AddressFamily == IPAddressFamily.IPv4 ? IPAddress.Any : IPAddress.IPv6Any;
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
            Protocol = row.Enum<RouteProtocol>("Protocol") ?? RouteProtocol.Unspecified,
            Preference = row.Enum<RoutePreference>("Preference"),
            Flags = row.Enum<RouteFlags>("Flags") ?? RouteFlags.None,
            NextHops = row.NextHops(unspecified),
        };

        var table = row.Text("Table") ?? row.Text("TableName");
        if (table is not null)
        {
            converted.Table = RouteTables.TryParse(table, out var id) ? id : throw row.Bad($"its Table '{table}' is not main, local, default or a number");
        }

        converted.Scope = row.Enum<AddressScope>("Scope")
            ?? (converted.RouteType is RouteType.Local ? AddressScope.Host : converted.IsOnLink && converted.NextHops.Count == 0 ? AddressScope.Link : AddressScope.Global);
        return converted;
    }

    /// <summary>One input row: its fields by name, whether it is an object or a hashtable.</summary>
    private sealed class Row
    {
        private readonly PSObject item;
        private readonly int position;

        public Row(PSObject item, int position)
        {
            this.item = item;
            this.position = position;
        }

        public object? Value(string name) =>
            item.BaseObject is IDictionary dictionary
                ? dictionary.Keys.Cast<object>().Where(k => string.Equals(k?.ToString(), name, StringComparison.OrdinalIgnoreCase)).Select(k => dictionary[k]).FirstOrDefault()
                : item.Properties[name]?.Value;

        /// <summary>A deserialized value (Import-Clixml, remoting) keeps its original ToString, which is what is wanted.</summary>
        public string? Text(string name)
        {
            var text = Value(name)?.ToString();
            return string.IsNullOrWhiteSpace(text) ? null : text!.Trim();
        }

        public IPAddress? Address(string name)
        {
            var text = Text(name);
            return text is null ? null : Destination.TryParseAddress(text, out var address) ? address : throw Bad($"its {name} '{text}' is not an IP address");
        }

        public IPPrefix? Prefix(string name)
        {
            var text = Text(name);
            return text is null ? null : IPPrefix.TryParse(text, out var prefix) ? prefix : throw Bad($"its {name} '{text}' is not a prefix");
        }

        public long? Number(string name, long maximum)
        {
            var text = Text(name);
            if (text is null)
            {
                return null;
            }

            return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && number >= 0 && number <= maximum
                ? number
                : throw Bad($"its {name} '{text}' is not a whole number from 0 to {maximum}");
        }

        /// <summary>A name of the enum (or a number that is one of its values); anything else is an error.</summary>
        public T? Enum<T>(string name)
            where T : struct
        {
            var text = Text(name);
            if (text is null)
            {
                return null;
            }

            return System.Enum.TryParse<T>(text, ignoreCase: true, out var value) && (IsFlags<T>() || System.Enum.IsDefined(typeof(T), value))
                ? value
                : throw Bad($"its {name} '{text}' is not one of {string.Join(", ", System.Enum.GetNames(typeof(T)))}");
        }

        /// <summary>
        /// Multipath next hops survive Export-Clixml as a list of objects; Export-Csv can only write the
        /// list's type name, so a CSV row of a multipath route is refused rather than read as on-link.
        /// </summary>
        public IReadOnlyList<NetRouteNextHop> NextHops(IPAddress unspecified)
        {
            var value = Value("NextHops");
            if (value is null || (value is string text && text.Length == 0))
            {
                return Array.Empty<NetRouteNextHop>();
            }

            if (value is string)
            {
                var carriesPackets = (Text("RouteType") ?? "Unicast").Equals("Unicast", StringComparison.OrdinalIgnoreCase);
                if (carriesPackets && (Number("InterfaceIndex", int.MaxValue) ?? 0) == 0 && Text("InterfaceAlias") is null)
                {
                    throw Bad("its next hops are in a column CSV cannot carry (a multipath route); save the table with Export-Clixml instead");
                }

                return Array.Empty<NetRouteNextHop>();
            }

            var hops = new List<NetRouteNextHop>();
            foreach (var element in LanguagePrimitives.GetEnumerable(value) ?? new[] { value })
            {
                var hop = new Row(PSObject.AsPSObject(element), position);
                hops.Add(new NetRouteNextHop
                {
                    NextHop = hop.Address("NextHop") ?? unspecified,
                    InterfaceIndex = (int)(hop.Number("InterfaceIndex", int.MaxValue) ?? 0),
                    InterfaceAlias = hop.Text("InterfaceAlias"),
                    Weight = (int)(hop.Number("Weight", 256) ?? 1),
                    Flags = hop.Enum<RouteFlags>("Flags") ?? RouteFlags.None,
                });
            }

            return hops;
        }

        public ArgumentException Bad(string why) => new($"Route {position + 1} of -RouteTable cannot be read: {why}.");

        private static bool IsFlags<T>() => typeof(T).IsDefined(typeof(FlagsAttribute), false);
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;

namespace PSLoopback.Routing;

/// <summary>
/// A multipath route's next hops as one line of text, in ip route's words ("via 192.0.2.1 dev eth0 weight 1;
/// dev eth1 weight 2 onlink"): what Export-Csv writes into the NextHops cell, and what -RouteTable reads back.
/// </summary>
public static class NextHopText
{
    public const string Separator = "; ";

    public static string Format(NetRouteNextHop hop)
    {
        // A device is named where its name is known; else its index, under a word of its own, since a Linux
        // interface may well be named "12345".
        var text = (IsUnspecified(hop.NextHop) ? string.Empty : "via " + hop.NextHop + " ")
            + (hop.InterfaceAlias is null ? "ifindex " + hop.InterfaceIndex.ToString(CultureInfo.InvariantCulture) : "dev " + hop.InterfaceAlias)
            + " weight " + hop.Weight.ToString(CultureInfo.InvariantCulture);
        foreach (RouteFlags flag in Enum.GetValues(typeof(RouteFlags)))
        {
            if (flag != RouteFlags.None && (hop.Flags & flag) == flag)
            {
                text += " " + flag.ToString().ToLowerInvariant();
            }
        }

        return text;
    }

    /// <summary>
    /// The next hops of a line <see cref="Format"/> wrote, or of the same hops joined by spaces alone (a
    /// deserialized list that Export-Csv turned into text): a hop ends at ";" and where "via" or "dev" starts
    /// the next one. A device given by name (dev eth0) has index 0, for the caller to find; one given by index
    /// (ifindex 7) has no name. Throws <see cref="FormatException"/> saying which part cannot be read.
    /// </summary>
    public static IReadOnlyList<NetRouteNextHop> Parse(string text, IPAddress unspecified)
    {
        var hops = new List<NetRouteNextHop>();
        NetRouteNextHop? hop = null;
        var hasDevice = false;
        var words = text.Replace(";", " ; ").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < words.Length; i++)
        {
            var word = words[i];
            var value = i + 1 < words.Length ? words[i + 1] : null;
            var startsNext = word == ";" || (hop is not null && hasDevice && (word is "via" or "dev" or "ifindex"));
            if (startsNext)
            {
                End();
                if (word == ";")
                {
                    continue;
                }
            }

            hop ??= new NetRouteNextHop { NextHop = unspecified };
            switch (word)
            {
                case "via" when value is not null && Destination.TryParseAddress(value, out var gateway) && IsUnspecified(hop.NextHop):
                    hop.NextHop = gateway;
                    i++;
                    break;
                case "dev" when value is not null && value != ";" && !hasDevice:
                    hop.InterfaceAlias = value;
                    hasDevice = true;
                    i++;
                    break;
                case "ifindex" when value is not null && !hasDevice && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index > 0:
                    hop.InterfaceIndex = index;
                    hasDevice = true;
                    i++;
                    break;
                case "weight" when value is not null && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var weight):
                    hop.Weight = weight;
                    i++;
                    break;
                default:
                    hop.Flags |= word.All(char.IsLetter) && Enum.TryParse<RouteFlags>(word, ignoreCase: true, out var flag) && flag != RouteFlags.None
                        ? flag
                        : throw new FormatException($"'{text}' is not a list of next hops such as 'via 192.0.2.1 dev eth0 weight 1; ...': '{word}' is not understood");
                    break;
            }
        }

        End();
        return hops.Count > 0 ? hops : throw new FormatException($"'{text}' has no next hop in it");

        void End()
        {
            if (hop is not null)
            {
                hops.Add(hasDevice ? hop : throw new FormatException($"'{text}' has a next hop that names no device (dev eth0)"));
            }

            hop = null;
            hasDevice = false;
        }
    }

    private static bool IsUnspecified(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);
}

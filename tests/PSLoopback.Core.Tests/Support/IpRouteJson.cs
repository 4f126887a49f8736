using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text.Json;
using PSLoopback.Platform.Linux.Netlink;

namespace PSLoopback.Core.Tests.Support;

/// <summary>
/// iproute2's JSON (`ip -N -j route show`, `ip -N -j rule show`, `ip -j route get`) and parsed messages, brought
/// to one comparable line each.
/// </summary>
internal static class IpRouteJson
{
    private static readonly Dictionary<string, byte> TypeNames = new()
    {
        ["unicast"] = RouteBuilder.RTN_UNICAST,
        ["local"] = RouteBuilder.RTN_LOCAL,
        ["broadcast"] = RouteBuilder.RTN_BROADCAST,
        ["anycast"] = RouteBuilder.RTN_ANYCAST,
        ["multicast"] = RouteBuilder.RTN_MULTICAST,
        ["blackhole"] = RouteBuilder.RTN_BLACKHOLE,
        ["unreachable"] = RouteBuilder.RTN_UNREACHABLE,
        ["prohibit"] = RouteBuilder.RTN_PROHIBIT,
        ["throw"] = RouteBuilder.RTN_THROW,
    };

    private static readonly Dictionary<string, byte> PreferenceNames = new()
    {
        ["medium"] = RouteBuilder.ICMPV6_ROUTER_PREF_MEDIUM,
        ["high"] = RouteBuilder.ICMPV6_ROUTER_PREF_HIGH,
        ["low"] = RouteBuilder.ICMPV6_ROUTER_PREF_LOW,
    };

    private static readonly Dictionary<string, byte> ProtocolNames = new()
    {
        ["kernel"] = RouteBuilder.RTPROT_KERNEL,
        ["static"] = RouteBuilder.RTPROT_STATIC,
        ["ra"] = 9,
        ["dhcp"] = 16,
    };

    /// <summary>strerror's text, as `ip` prints it after "RTNETLINK answers: ".</summary>
    public static readonly IReadOnlyDictionary<int, string> ErrnoText = new Dictionary<int, string>
    {
        [13] = "Permission denied",
        [22] = "Invalid argument",
        [101] = "Network is unreachable",
        [113] = "No route to host",
    };

    /// <summary>"table type dst/len dev gateway metric [next hops]" for each route of `ip -N -j route show table all`, sorted.</summary>
    public static IReadOnlyList<string> RouteLines(string json, byte family, IReadOnlyDictionary<string, int> links)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.EnumerateArray().Select(r => RouteLine(
            Table(r, "table"),
            r.TryGetProperty("type", out var type) ? byte.Parse(type.GetString()!, CultureInfo.InvariantCulture) : RouteBuilder.RTN_UNICAST,
            Prefix(r.GetProperty("dst").GetString()!, family),
            r.TryGetProperty("dev", out var dev) ? links[dev.GetString()!] : null,
            Gateway(r),
            r.TryGetProperty("metric", out var metric) ? metric.GetUInt32() : 0,
            r.TryGetProperty("nexthops", out var hops)
                ? hops.EnumerateArray().Select(h => NextHopText(Gateway(h), links[h.GetProperty("dev").GetString()!], h.GetProperty("weight").GetInt32()))
                : Enumerable.Empty<string>())).OrderBy(l => l, StringComparer.Ordinal).ToList();
    }

    public static IReadOnlyList<string> RouteLines(IEnumerable<RouteMessage> routes) =>
        routes.Select(r => RouteLine(
            r.Table,
            r.Type,
            Prefix(r.Family, r.Destination, r.DestinationLength),
            r.OutputInterface,
            Address(r.Gateway),
            r.Priority,
            r.NextHops.Select(h => NextHopText(Address(h.Gateway), h.InterfaceIndex, h.Weight)))).OrderBy(l => l, StringComparer.Ordinal).ToList();

    /// <summary>"priority [not] from to action" for each rule of `ip -N -j rule show`, in the kernel's order.</summary>
    public static IReadOnlyList<string> RuleLines(string json, byte family)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.EnumerateArray().Select(r =>
        {
            string action;
            if (r.TryGetProperty("goto", out var target))
            {
                action = "goto " + target.GetUInt32();
            }
            else if (r.TryGetProperty("action", out var name))
            {
                action = ActionName(byte.Parse(name.GetString()!, CultureInfo.InvariantCulture));
            }
            else if (r.TryGetProperty("nop", out _))
            {
                action = "nop";
            }
            else if (r.TryGetProperty("l3mdev", out _))
            {
                action = "l3mdev";
            }
            else
            {
                action = "table " + Table(r, "table");
            }

            return RuleLine(
                r.GetProperty("priority").GetUInt32(),
                r.TryGetProperty("not", out _),
                Selector(r, "src", "srclen", family),
                Selector(r, "dst", "dstlen", family),
                action);
        }).ToList();
    }

    public static IReadOnlyList<string> RuleLines(IEnumerable<RuleMessage> rules) =>
        rules.Select(r => RuleLine(
            r.Priority,
            r.IsInverted,
            r.SourceLength == 0 ? "all" : Prefix(r.Family, r.Source, r.SourceLength),
            r.DestinationLength == 0 ? "all" : Prefix(r.Family, r.Destination, r.DestinationLength),
            r.Action switch
            {
                RouteBuilder.FR_ACT_TO_TBL when r.L3MasterDevice => "l3mdev",
                RouteBuilder.FR_ACT_TO_TBL => "table " + r.Table,
                RouteBuilder.FR_ACT_GOTO => "goto " + r.GotoTarget,
                var other => ActionName(other),
            })).ToList();

    /// <summary>Asserts that a route the kernel answered a query with says what `ip -j route get` printed for it.</summary>
    public static void AssertRouteGetMatches(string json, RouteMessage route, IReadOnlyDictionary<string, int> links)
    {
        using var document = JsonDocument.Parse(json);
        var ip = Assert.Single(document.RootElement.EnumerateArray().ToList());
        string? Text(string name) => ip.TryGetProperty(name, out var value) ? value.GetString() : null;
        uint? Number(string name) => ip.TryGetProperty(name, out var value) ? value.GetUInt32() : null;

        Assert.Equal(TypeNames[Text("type") ?? "unicast"], route.Type);
        Assert.Equal(Prefix(Text("dst")!, route.Family), Prefix(route.Family, route.Destination, route.DestinationLength));
        Assert.Equal(Normalize(Text("from")), Address(route.Source));
        Assert.Equal(Gateway(ip), Address(route.Gateway));
        Assert.Equal(Text("dev") is { } dev ? links[dev] : null, route.OutputInterface);
        Assert.Equal(Text("iif") is { } iif ? links[iif] : null, route.InputInterface);
        Assert.Equal(Normalize(Text("prefsrc")), Address(route.PreferredSource));
        Assert.Equal(Number("metric") ?? 0, route.Priority);
        Assert.Equal(Number("mark"), route.Mark);
        Assert.Equal(Text("pref") is { } pref ? PreferenceNames[pref] : null, route.Preference);

        // ip leaves out the main table, and also table 0, which the kernel reports when no FIB entry was used.
        var table = Text("table");
        if (table is null)
        {
            Assert.Contains(route.Table, new uint[] { 0, RouteBuilder.RT_TABLE_MAIN });
        }
        else
        {
            Assert.Equal(table == "local" ? RouteBuilder.RT_TABLE_LOCAL : uint.Parse(table, CultureInfo.InvariantCulture), route.Table);
        }

        // ... and the protocol when it is unspec (every IPv4 answer) or boot (`ip route add`'s default).
        var protocol = Text("protocol");
        if (protocol is null)
        {
            Assert.Contains(route.Protocol, new byte[] { 0, RouteBuilder.RTPROT_BOOT });
        }
        else
        {
            Assert.Equal(ProtocolNames[protocol], route.Protocol);
        }

        var metrics = ip.TryGetProperty("metrics", out var list) ? Assert.Single(list.EnumerateArray().ToList()) : default;
        uint? Metric(string name) => metrics.ValueKind == JsonValueKind.Object && metrics.TryGetProperty(name, out var value) ? value.GetUInt32() : null;
        Assert.Equal(Metric("mtu"), route.Mtu);
        Assert.Equal(Metric("advmss"), route.AdvertisedMss);
        Assert.Equal(Metric("window"), route.Metrics.TryGetValue(RouteBuilder.RTAX_WINDOW, out var window) ? window : (uint?)null);
        Assert.Equal(
            metrics.ValueKind == JsonValueKind.Object && metrics.TryGetProperty("congestion", out var congestion) ? congestion.GetString() : null,
            route.CongestionControl);

        var hops = ip.TryGetProperty("nexthops", out var nextHops)
            ? nextHops.EnumerateArray().Select(h => NextHopText(Gateway(h), links[h.GetProperty("dev").GetString()!], h.GetProperty("weight").GetInt32())).ToList()
            : new List<string>();
        Assert.Equal(hops, route.NextHops.Select(h => NextHopText(Address(h.Gateway), h.InterfaceIndex, h.Weight)));
    }

    /// <summary>"a.b.c.d/len", "a.b.c.d" (a host) or "default", as ip prints destinations, in canonical form.</summary>
    public static string Prefix(string text, byte family)
    {
        if (text == "default")
        {
            return (family == Rt.AF_INET ? IPAddress.Any : IPAddress.IPv6Any) + "/0";
        }

        var parts = text.Split('/');
        var address = IPAddress.Parse(parts[0]);
        var length = parts.Length == 2 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : address.GetAddressBytes().Length * 8;
        return $"{address}/{length}";
    }

    public static string Prefix(byte family, byte[]? address, byte length) =>
        $"{(address is null ? (family == Rt.AF_INET ? IPAddress.Any : IPAddress.IPv6Any) : new IPAddress(address))}/{length}";

    private static string RouteLine(uint table, byte type, string destination, int? device, string? gateway, uint metric, IEnumerable<string> nextHops) =>
        $"table {table} type {type} {destination} dev {device?.ToString(CultureInfo.InvariantCulture) ?? "-"} via {gateway ?? "-"} metric {metric}"
        + string.Concat(nextHops.Select(h => " nexthop " + h));

    private static string RuleLine(uint priority, bool inverted, string source, string destination, string action) =>
        $"{priority}: {(inverted ? "not " : string.Empty)}from {source} to {destination} {action}";

    private static string NextHopText(string? gateway, int device, int weight) => $"{gateway ?? "-"}@{device}*{weight}";

    private static string ActionName(byte action) => action switch
    {
        RouteBuilder.FR_ACT_NOP => "nop",
        RouteBuilder.FR_ACT_BLACKHOLE => "blackhole",
        RouteBuilder.FR_ACT_UNREACHABLE => "unreachable",
        RouteBuilder.FR_ACT_PROHIBIT => "prohibit",
        _ => "action " + action,
    };

    private static uint Table(JsonElement element, string name) =>
        element.TryGetProperty(name, out var table) ? uint.Parse(table.GetString()!, CultureInfo.InvariantCulture) : RouteBuilder.RT_TABLE_MAIN;

    private static string Selector(JsonElement rule, string name, string lengthName, byte family)
    {
        var text = rule.TryGetProperty(name, out var address) ? address.GetString()! : "all";
        return text == "all"
            ? "all"
            : Prefix(text + (rule.TryGetProperty(lengthName, out var length) ? "/" + length.GetInt32() : string.Empty), family);
    }

    /// <summary>"gateway", or the host of "via" (a gateway of another family).</summary>
    private static string? Gateway(JsonElement element) =>
        element.TryGetProperty("gateway", out var gateway) ? Normalize(gateway.GetString())
        : element.TryGetProperty("via", out var via) ? Normalize(via.GetProperty("host").GetString())
        : null;

    private static string? Normalize(string? address) => address is null ? null : IPAddress.Parse(address).ToString();

    private static string? Address(byte[]? address) => address is null ? null : new IPAddress(address).ToString();
}

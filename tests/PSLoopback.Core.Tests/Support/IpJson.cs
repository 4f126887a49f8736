using System.Collections.Generic;
using System.Linq;
using System.Text.Json;

namespace PSLoopback.Core.Tests.Support;

/// <summary>The parts of `ip -j addr show` output the tests compare against.</summary>
internal static class IpJson
{
    public sealed record Link(int Index, string Name, int? Mtu, IReadOnlyList<string> Addresses);

    /// <summary>Links by index; each address as "local/prefixlen", sorted.</summary>
    public static IReadOnlyDictionary<int, Link> Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var links = new Dictionary<int, Link>();
        foreach (var link in document.RootElement.EnumerateArray())
        {
            var index = link.GetProperty("ifindex").GetInt32();
            var addresses = link.TryGetProperty("addr_info", out var info)
                ? info.EnumerateArray()
                    .Where(a => a.TryGetProperty("local", out _))
                    .Select(a => a.GetProperty("local").GetString() + "/" + a.GetProperty("prefixlen").GetInt32())
                    .OrderBy(a => a, System.StringComparer.Ordinal)
                    .ToList()
                : new List<string>();
            links[index] = new Link(
                index,
                link.GetProperty("ifname").GetString()!,
                link.TryGetProperty("mtu", out var mtu) ? mtu.GetInt32() : null,
                addresses);
        }

        return links;
    }

    /// <summary>One line per link, for comparisons whose failure message should be readable.</summary>
    public static string Describe(IReadOnlyDictionary<int, Link> links) =>
        string.Join("\n", links.Values.OrderBy(l => l.Index).Select(l => $"{l.Index} {l.Name} mtu {l.Mtu}: {string.Join(" ", l.Addresses)}"));
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Text.Json;
using PSLoopback.Platform.Linux;
using PSLoopback.Platform.Linux.Netlink;

namespace PSLoopback.Core.Tests.Support;

/// <summary>The route and rule fixtures recorded by Fixtures/record-routes.sh, read back from Fixtures/routes.</summary>
internal static class RecordedRoutes
{
    /// <summary>Interface indexes in the recorded namespace.</summary>
    public const int Lo = 1;
    public const int V1 = 2;
    public const int V0 = 3;
    public const int D1 = 4;
    public const int D0 = 5;

    public static readonly string[] Dumps = { "getroute-inet", "getroute-inet6", "getrule-inet", "getrule-inet6" };

    public static string Directory => Path.Combine(RecordedDumps.Directory, "routes");

    /// <summary>The datagrams of one dump (one of <see cref="Dumps"/>), in the order they were received.</summary>
    public static IReadOnlyList<byte[]> Datagrams(string dump)
    {
        var files = System.IO.Directory.GetFiles(Directory, dump + "-*.bin")
            .OrderBy(f => int.Parse(Path.GetFileNameWithoutExtension(f).Substring(dump.Length + 1), CultureInfo.InvariantCulture))
            .ToList();
        if (files.Count == 0)
        {
            throw new InvalidOperationException($"no {dump}-*.bin fixtures in {Directory}");
        }

        return files.Select(File.ReadAllBytes).ToList();
    }

    /// <summary>Every datagram of the four dumps, each with a name for failure messages.</summary>
    public static IReadOnlyList<(string Name, byte[] Bytes)> AllDatagrams() =>
        Dumps.SelectMany(dump => Datagrams(dump).Select((bytes, i) => ($"{dump}-{i}.bin", bytes))).ToList();

    public static IReadOnlyList<NetlinkMessage> Messages(string dump) =>
        Datagrams(dump).SelectMany(d => NetlinkReader.ReadMessages(d, d.Length)).ToList();

    /// <summary>The routes of "inet" or "inet6", through the same filter <see cref="LinuxRouteDump.Read"/> uses.</summary>
    public static IReadOnlyList<RouteMessage> Routes(string family) => Messages("getroute-" + family).Select(LinuxRouteDump.FibRoute).OfType<RouteMessage>().ToList();

    public static IReadOnlyList<RuleMessage> Rules(string family) => LinuxRouteDump.Rules(Messages("getrule-" + family)).ToList();

    /// <summary>Parses every message of a datagram as the dump source would, so malformed input surfaces wherever it is found.</summary>
    public static int ParseAll(byte[] buffer, int length)
    {
        var messages = NetlinkReader.ReadMessages(buffer, length);
        return messages.Select(LinuxRouteDump.FibRoute).OfType<RouteMessage>().Count() + LinuxRouteDump.Rules(messages).Count();
    }

    /// <summary>
    /// Cuts the datagram at every length and parses what is left: each prefix must parse or be malformed, never fail
    /// otherwise. Then the same for every prefix of every message's payload.
    /// </summary>
    public static void AssertEveryPrefixParsesOrIsMalformed(byte[] datagram)
    {
        for (var n = 0; n <= datagram.Length; n++)
        {
            foreach (var (buffer, length) in new[] { (datagram, n), (datagram[..n], n) })
            {
                ParseOrReject(() => ParseAll(buffer, length), $"prefix of {n} bytes");
            }
        }

        foreach (var message in NetlinkReader.ReadMessages(datagram, datagram.Length))
        {
            Func<byte[], object>? parse = message.Type switch
            {
                RouteBuilder.RTM_NEWROUTE => p => RouteParser.ParseRoute(p),
                RouteBuilder.RTM_NEWRULE => p => RouteParser.ParseRule(p),
                _ => null,
            };
            for (var n = 0; parse is not null && n <= message.Payload.Length; n++)
            {
                var prefix = message.Payload[..n];
                ParseOrReject(() => parse(prefix), $"payload prefix of {n} bytes");
            }
        }
    }

    /// <summary>
    /// Overwrites 1 to 4 random bytes of a random datagram (and sometimes cuts it short), <paramref name="iterations"/>
    /// times from a fixed seed; every outcome must be a parse or a NetlinkParseException. Returns how many parsed.
    /// </summary>
    public static int CorruptAndParse(IReadOnlyList<(string Name, byte[] Bytes)> datagrams, int seed, int iterations)
    {
        var random = new Random(seed);
        var parsed = 0;
        for (var iteration = 0; iteration < iterations; iteration++)
        {
            var (name, original) = datagrams[random.Next(datagrams.Count)];
            var corrupt = (byte[])original.Clone();
            var flips = 1 + random.Next(4);
            for (var i = 0; i < flips; i++)
            {
                corrupt[random.Next(corrupt.Length)] = (byte)random.Next(256);
            }

            var length = random.Next(4) == 0 ? random.Next(corrupt.Length + 1) : corrupt.Length;
            if (ParseOrReject(() => ParseAll(corrupt, length), $"iteration {iteration} (seed {seed}, {name}, length {length}), bytes {Convert.ToHexString(corrupt, 0, length)}"))
            {
                parsed++;
            }
        }

        return parsed;
    }

    /// <summary>True if it parsed, false if it was malformed; any other exception fails the test.</summary>
    private static bool ParseOrReject(Func<object> parse, string what)
    {
        try
        {
            parse();
            return true;
        }
        catch (NetlinkParseException)
        {
            return false;
        }
        catch (Exception e)
        {
            Assert.Fail($"{what}: {e}");
            return false;
        }
    }

    /// <summary>`ip -j link show` of the namespace: interface name to index.</summary>
    public static IReadOnlyDictionary<string, int> Links()
    {
        using var document = Json("ip-link.json");
        return document.RootElement.EnumerateArray().ToDictionary(l => l.GetProperty("ifname").GetString()!, l => l.GetProperty("ifindex").GetInt32());
    }

    public static JsonDocument Json(string file) => JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, file)));

    /// <summary>One line of routes/route-queries.txt as recorded: the request, the kernel's answer, and what ip printed.</summary>
    public sealed record Query(string Text, byte[] Request, byte[] Answer, string? IpJson, string? IpError)
    {
        public override string ToString() => Text;
    }

    public static IReadOnlyList<Query> Queries()
    {
        using var document = Json("routeget.json");
        return document.RootElement.EnumerateArray().Select(q => new Query(
            q.GetProperty("query").GetString()!,
            Convert.FromHexString(q.GetProperty("request").GetString()!),
            Convert.FromHexString(q.GetProperty("answer").GetString()!),
            q.GetProperty("ip").ValueKind == JsonValueKind.Null ? null : q.GetProperty("ip").GetRawText(),
            q.GetProperty("ip_error").GetString())).ToList();
    }

    /// <summary>The query `ip route get` arguments describe, interface names looked up in <paramref name="links"/>.</summary>
    public static LinuxKernelRouteQuery ToQuery(string text, IReadOnlyDictionary<string, int> links)
    {
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var query = new LinuxKernelRouteQuery(IPAddress.Parse(words[0]));
        for (var i = 1; i < words.Length; i++)
        {
            switch (words[i])
            {
                case "from":
                    query.Source = IPAddress.Parse(words[++i]);
                    break;
                case "iif":
                    query.InputInterface = links[words[++i]];
                    break;
                case "oif":
                    query.OutputInterface = links[words[++i]];
                    break;
                case "mark":
                    query.Mark = Convert.ToUInt32(words[++i], words[i].StartsWith("0x", StringComparison.Ordinal) ? 16 : 10);
                    break;
                case "fibmatch":
                    query.FibMatch = true;
                    break;
                default:
                    throw new ArgumentException($"unknown word {words[i]} in the query {text}");
            }
        }

        return query;
    }
}

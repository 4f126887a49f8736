using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PSLoopback.Interfaces;
using PSLoopback.Platform.Linux;
using PSLoopback.Platform.Linux.Netlink;

namespace PSLoopback.Core.Tests.Support;

/// <summary>The datagrams recorded by Fixtures/record-fixtures.sh, read back from the test output directory.</summary>
internal static class RecordedDumps
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Fixtures");

    /// <summary>The datagrams of one dump ("getlink" or "getaddr"), in the order they were received.</summary>
    public static IReadOnlyList<byte[]> Datagrams(string dump)
    {
        var files = System.IO.Directory.GetFiles(Directory, dump + "-*.bin")
            .OrderBy(f => int.Parse(Path.GetFileNameWithoutExtension(f).Substring(dump.Length + 1), System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        if (files.Count == 0)
        {
            throw new InvalidOperationException($"no {dump}-*.bin fixtures in {Directory}");
        }

        return files.Select(File.ReadAllBytes).ToList();
    }

    /// <summary>Every datagram of both dumps, each with a name for failure messages.</summary>
    public static IReadOnlyList<(string Name, byte[] Bytes)> AllDatagrams() =>
        new[] { "getlink", "getaddr" }
            .SelectMany(dump => Datagrams(dump).Select((bytes, i) => ($"{dump}-{i}.bin", bytes)))
            .ToList();

    public static IReadOnlyList<NetlinkMessage> Messages(string dump) =>
        Datagrams(dump).SelectMany(d => NetlinkReader.ReadMessages(d, d.Length)).ToList();

    public static IReadOnlyList<LinkMessage> Links() =>
        Messages("getlink").Where(m => m.Type == Rt.RTM_NEWLINK).Select(m => RtnetlinkParser.ParseLink(m.Payload)).ToList();

    public static IReadOnlyList<AddressMessage> Addresses() =>
        Messages("getaddr").Where(m => m.Type == Rt.RTM_NEWADDR).Select(m => RtnetlinkParser.ParseAddress(m.Payload)).ToList();

    public static IReadOnlyList<NetInterfaceInfo> Interfaces() => LinuxInterfaceBuilder.Build(Links(), Addresses());

    /// <summary>Parses every message of a datagram as the live source would, so malformed input surfaces wherever it is found.</summary>
    public static IReadOnlyList<NetInterfaceInfo> ParseAll(byte[] buffer, int length)
    {
        var links = new List<LinkMessage>();
        var addresses = new List<AddressMessage>();
        foreach (var message in NetlinkReader.ReadMessages(buffer, length))
        {
            if (message.Type == Rt.RTM_NEWLINK)
            {
                links.Add(RtnetlinkParser.ParseLink(message.Payload));
            }
            else if (message.Type == Rt.RTM_NEWADDR)
            {
                addresses.Add(RtnetlinkParser.ParseAddress(message.Payload));
            }
        }

        // An address needs its link to survive Build, so give every address's index a link of its own.
        links.AddRange(addresses.Select(a => a.Index).Distinct().Where(i => links.All(l => l.Index != i))
            .Select(i => RtnetlinkParser.ParseLink(NetlinkBuilder.Link(i, "x" + i).ToPayload())));
        return LinuxInterfaceBuilder.Build(links, addresses);
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;

namespace PSLoopback.Loopback;

/// <summary>The hosts file's format, where localhost is usually given its addresses before any DNS is asked.</summary>
public static class HostsFile
{
    /// <summary>hosts(5): an address, then names; '#' starts a comment; lines that are not that are skipped.</summary>
    public static IReadOnlyList<HostsEntry> Parse(string text)
    {
        var entries = new List<HostsEntry>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var hash = line.IndexOf('#');
            if (hash >= 0)
            {
                line = line.Substring(0, hash);
            }

            var words = line.Split(new[] { ' ', '\t', '\r' }, StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < 2 || !IPAddress.TryParse(words[0].Split('%')[0], out var address))
            {
                continue;
            }

            entries.Add(new HostsEntry(address, words.Skip(1).ToArray(), i + 1));
        }

        return entries;
    }

    /// <summary>The entries that name <paramref name="name"/>, compared as the resolver does (case-insensitive).</summary>
    public static IReadOnlyList<HostsEntry> EntriesFor(IEnumerable<HostsEntry> entries, string name) =>
        entries.Where(e => e.Names.Any(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase))).ToList();
}

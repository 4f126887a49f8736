using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Threading;
using PSLoopback.Addressing;

namespace PSLoopback.Loopback;

/// <summary>The hosts file's format, where localhost is usually given its addresses before any DNS is asked.</summary>
public static class HostsFile
{
    private const int ChunkSize = 64 * 1024;

    /// <summary>Every entry of a whole file's text.</summary>
    public static IReadOnlyList<HostsEntry> Parse(string text) => Scan(text, "hosts").Entries;

    /// <summary>A file's text, read as a file would be, keeping every entry.</summary>
    public static HostsScan Scan(string text, string path)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text));
        return Scan(stream, path, new HostsLimits { MaxBytes = long.MaxValue, MaxLines = int.MaxValue, Timeout = TimeSpan.MaxValue }, _ => true, CancellationToken.None);
    }

    /// <summary>
    /// Reads hosts(5) lines from <paramref name="stream"/> in chunks, in bounded memory: at most
    /// <see cref="HostsLimits.MaxBytes"/> bytes and <see cref="HostsLimits.MaxLines"/> lines, lines longer
    /// than <see cref="HostsLimits.MaxLineBytes"/> skipped, for at most <see cref="HostsLimits.Timeout"/>,
    /// until <paramref name="cancel"/>. Keeps only entries with a name <paramref name="keep"/> accepts, so a
    /// huge file costs no more memory than a small one.
    /// </summary>
    public static HostsScan Scan(Stream stream, string path, HostsLimits limits, Func<string, bool> keep, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        var entries = new List<HostsEntry>();
        var chunk = new byte[ChunkSize];
        var line = new byte[limits.MaxLineBytes];
        var lineLength = 0;
        var overlong = false;
        var lines = 0;
        var longLines = 0;
        long bytes = 0;
        string? stopped = null;
        var status = HostsFileStatus.Read;

        void EndLine()
        {
            lines++;
            if (overlong)
            {
                longLines++;
            }
            else if (ParseLine(Encoding.UTF8.GetString(line, 0, lineLength), lines) is HostsEntry entry && entry.Names.Any(keep))
            {
                entries.Add(entry);
            }

            lineLength = 0;
            overlong = false;
        }

        while (stopped is null)
        {
            if (cancel.IsCancellationRequested)
            {
                status = HostsFileStatus.Cancelled;
                stopped = "stopped by the user";
                break;
            }

            if (clock.Elapsed > limits.Timeout)
            {
                status = HostsFileStatus.TimedOut;
                stopped = $"reading took longer than {limits.Timeout.TotalSeconds:0.#} s";
                break;
            }

            var wanted = (int)Math.Min(chunk.Length, limits.MaxBytes - bytes);
            if (wanted <= 0)
            {
                stopped = $"only the first {Size(limits.MaxBytes)} were read";
                break;
            }

            var read = stream.Read(chunk, 0, wanted);
            if (read == 0)
            {
                break;
            }

            bytes += read;
            for (var i = 0; i < read && stopped is null; i++)
            {
                var b = chunk[i];
                if (b == (byte)'\n')
                {
                    EndLine();
                    if (lines >= limits.MaxLines)
                    {
                        stopped = $"only the first {limits.MaxLines:N0} lines were read";
                    }
                }
                else if (lineLength < line.Length)
                {
                    line[lineLength++] = b;
                }
                else
                {
                    overlong = true;
                }
            }
        }

        // The last line may have no newline; a cut-off last line at a limit is not an entry.
        if ((lineLength > 0 || overlong) && stopped is null)
        {
            EndLine();
        }

        long? length = null;
        try
        {
            length = stream.CanSeek ? stream.Length : null;
        }
        catch (Exception e) when (e is IOException or NotSupportedException)
        {
        }

        if (stopped is not null && status == HostsFileStatus.Read && length is long total)
        {
            stopped += $" of {Size(total)}";
        }

        return new HostsScan(path, status, entries)
        {
            Lines = lines,
            Bytes = bytes,
            Length = length,
            LongLines = longLines,
            StoppedBecause = stopped,
        };
    }

    /// <summary>hosts(5): an address, then names; '#' starts a comment; a line that is not that is no entry.</summary>
    public static HostsEntry? ParseLine(string text, int number)
    {
        var hash = text.IndexOf('#');
        if (hash >= 0)
        {
            text = text.Substring(0, hash);
        }

        var words = text.Split(new[] { ' ', '\t', '\r', '\v', '\f' }, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length < 2 || !IPAddress.TryParse(words[0].Split('%')[0], out var address))
        {
            return null;
        }

        return new HostsEntry(Destination.WithoutScope(address), words.Skip(1).ToArray(), number);
    }

    /// <summary>
    /// The entries that name <paramref name="name"/>, compared case-insensitively and without the root dot
    /// (glibc compares "localhost." with "localhost" literally, finds nothing and asks DNS: the bug this avoids).
    /// </summary>
    public static IReadOnlyList<HostsEntry> EntriesFor(IEnumerable<HostsEntry> entries, string name)
    {
        var bare = HostName.Canonical(name);
        return entries.Where(e => e.Names.Any(n => string.Equals(HostName.Canonical(n), bare, StringComparison.OrdinalIgnoreCase))).ToList();
    }

    internal static string Size(long bytes) => bytes >= 1024 * 1024
        ? $"{bytes / (1024.0 * 1024):0.#} MiB"
        : bytes >= 1024 ? $"{bytes / 1024.0:0.#} KiB" : $"{bytes} bytes";
}

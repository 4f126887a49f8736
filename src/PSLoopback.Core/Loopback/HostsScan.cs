using System;
using System.Collections.Generic;

namespace PSLoopback.Loopback;

/// <summary>One read of a hosts file: the entries kept, how far it got, and why it stopped or failed.</summary>
public sealed class HostsScan
{
    public HostsScan(string path, HostsFileStatus status, IReadOnlyList<HostsEntry> entries)
    {
        Path = path;
        Status = status;
        Entries = entries ?? throw new ArgumentNullException(nameof(entries));
    }

    public string Path { get; }

    public HostsFileStatus Status { get; }

    /// <summary>The entries read (only those the reader was asked to keep).</summary>
    public IReadOnlyList<HostsEntry> Entries { get; }

    public int Lines { get; set; }

    public long Bytes { get; set; }

    /// <summary>The file's size when known.</summary>
    public long? Length { get; set; }

    /// <summary>Lines longer than the limit, skipped.</summary>
    public int LongLines { get; set; }

    /// <summary>Why reading ended before the end of the file (a limit); null when it read all of it.</summary>
    public string? StoppedBecause { get; set; }

    /// <summary>For a failure: the system's words (the error), or what the file is instead of a regular file.</summary>
    public string? Detail { get; set; }

    /// <summary>A file that was read completely, for tests and fixtures: every entry of <paramref name="text"/>.</summary>
    public static HostsScan Of(string path, string text) => HostsFile.Scan(text, path);
}

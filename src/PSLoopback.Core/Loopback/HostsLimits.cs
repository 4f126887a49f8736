using System;

namespace PSLoopback.Loopback;

/// <summary>
/// How much of a hosts file is read. Real ones are a few lines; the largest in common use (ad-blocking lists)
/// are some 5 MiB and 200,000 lines, so these limits read those whole and stop a runaway file quickly.
/// </summary>
public sealed class HostsLimits
{
    public static HostsLimits Default { get; } = new();

    public long MaxBytes { get; set; } = 16L * 1024 * 1024;

    public int MaxLines { get; set; } = 500_000;

    /// <summary>Longer lines are skipped, not kept: a file of NUL bytes (a sparse file) is one huge "line".</summary>
    public int MaxLineBytes { get; set; } = 4096;

    /// <summary>For opening and reading together.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);
}

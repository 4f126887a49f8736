using System;
using System.IO;
using System.Linq;

namespace PSLoopback.Core.Tests.Linux;

/// <summary>A fact that compares with iproute2's ss: reported skipped, with the reason, off Linux or without ss.</summary>
public sealed class SsFactAttribute : FactAttribute
{
    public SsFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "needs Linux (NETLINK_SOCK_DIAG and /proc).";
        }
        else if (Path is null)
        {
            Skip = "ss is not on PATH (Debian package iproute2).";
        }
    }

    /// <summary>ss's path, or null when it is not installed.</summary>
    public static string? Path =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => System.IO.Path.Combine(directory, "ss"))
            .FirstOrDefault(File.Exists);
}

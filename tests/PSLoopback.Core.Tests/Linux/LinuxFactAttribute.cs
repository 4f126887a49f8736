using System;

namespace PSLoopback.Core.Tests.Linux;

/// <summary>A fact that reads this host's kernel: reported skipped, with the reason, anywhere but Linux.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "needs Linux (NETLINK_SOCK_DIAG and /proc).";
        }
    }
}

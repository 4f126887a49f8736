using System;
using System.Globalization;
using System.IO;

namespace PSLoopback.Platform;

/// <summary>The one-number files of procfs and sysfs (a sysctl, a link's speed).</summary>
internal static class KernelFiles
{
    /// <summary>The file's number; null when it is missing, unreadable, or refused (EINVAL for an unknown speed).</summary>
    public static long? ReadInteger(string path)
    {
        try
        {
            return long.TryParse(File.ReadAllText(path).Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
                ? value
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

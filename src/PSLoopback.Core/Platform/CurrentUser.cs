using System;
using System.Runtime.InteropServices;

namespace PSLoopback.Platform;

/// <summary>Who this process runs as, for the uid range of policy rules.</summary>
public static class CurrentUser
{
    /// <summary>The real user id on Linux; 0 elsewhere, where no rule selects on it.</summary>
    public static uint Id()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            return 0;
        }

        try
        {
            return getuid();
        }
        catch (EntryPointNotFoundException)
        {
            return 0;
        }
    }

    [DllImport("libc")]
    private static extern uint getuid();
}

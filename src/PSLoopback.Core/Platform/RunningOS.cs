using System.Runtime.InteropServices;

namespace PSLoopback.Platform;

/// <summary>The OS this process runs on, as the decision models and the diagnoses name it.</summary>
public static class RunningOS
{
    public static HostOS Current =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? HostOS.Windows
        : RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? HostOS.Linux
        : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? HostOS.MacOS
        : HostOS.OtherUnix;

    /// <summary>Linux, Windows or macOS, as a saved snapshot names the OS whose model answers for it.</summary>
    public static string Name => Current switch
    {
        HostOS.Linux => "Linux",
        HostOS.Windows => "Windows",
        HostOS.MacOS => "macOS",
        _ => RuntimeInformation.OSDescription,
    };
}

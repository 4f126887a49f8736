using System.Runtime.InteropServices;
using PSLoopback.Interfaces;
using PSLoopback.Platform.Linux;
using PSLoopback.Platform.Portable;
using PSLoopback.Platform.Windows;

namespace PSLoopback.Platform;

/// <summary>Picks the interface source for the OS this process runs on: rtnetlink, the IP Helper API, or System.Net elsewhere (macOS).</summary>
public static class InterfaceSources
{
    public static IInterfaceSource ForCurrentOS() =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? new LinuxInterfaceSource()
        : RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? new WindowsInterfaceSource()
        : new NetworkInformationInterfaceSource();

    /// <summary>Where ForCurrentOS reads from, for -Verbose.</summary>
    public static string Description =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? "rtnetlink"
        : RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "the IP Helper API (iphlpapi.dll)"
        : "System.Net.NetworkInformation";
}

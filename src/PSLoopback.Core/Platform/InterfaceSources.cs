using System.Runtime.InteropServices;
using PSLoopback.Interfaces;
using PSLoopback.Platform.Linux;
using PSLoopback.Platform.Portable;

namespace PSLoopback.Platform;

/// <summary>Picks the interface source for the OS this process runs on.</summary>
public static class InterfaceSources
{
    public static IInterfaceSource ForCurrentOS() =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Linux)
            ? new LinuxInterfaceSource()
            : new NetworkInformationInterfaceSource();

    /// <summary>Where ForCurrentOS reads from, for -Verbose.</summary>
    public static string Description =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? "rtnetlink" : "System.Net.NetworkInformation";
}

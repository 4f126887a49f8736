using System.Runtime.InteropServices;
using PSLoopback.Platform.Linux;
using PSLoopback.Platform.Portable;
using PSLoopback.Platform.Windows;
using PSLoopback.Sockets;

namespace PSLoopback.Platform;

/// <summary>Picks the socket source for the OS this process runs on: sock_diag, the IP Helper API's extended tables, or System.Net elsewhere (macOS).</summary>
public static class SocketSources
{
    public static ISocketSource ForCurrentOS() =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? new LinuxSocketSource()
        : RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? new WindowsSocketSource()
        : new NetworkInformationSocketSource();

    /// <summary>Where ForCurrentOS reads from, for -Verbose.</summary>
    public static string Description =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? "sock_diag (NETLINK_SOCK_DIAG) and /proc"
        : RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "the IP Helper API (GetExtendedTcpTable, GetExtendedUdpTable)"
        : "System.Net.NetworkInformation";
}

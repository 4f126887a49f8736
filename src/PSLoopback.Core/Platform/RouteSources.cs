using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using PSLoopback.Interfaces;
using PSLoopback.Platform.Linux;
using PSLoopback.Platform.Windows;
using PSLoopback.Routing;

namespace PSLoopback.Platform;

/// <summary>Picks the routing-table source for the OS this process runs on.</summary>
public static class RouteSources
{
    public static IRouteSource ForCurrentOS() =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? new LinuxRouteSource()
        : RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? new WindowsRouteSource()
        : new UnsupportedRouteSource();

    /// <summary>The running OS, to check the resolver's answers against (-Verify): rtnetlink on Linux, GetBestRoute2 on Windows.</summary>
    public static IKernelRouteOracle KernelOracleForCurrentOS(IReadOnlyList<NetInterfaceInfo> interfaces) =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? new LinuxKernelRouteOracle(interfaces)
        : RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? new WindowsKernelRouteOracle(interfaces)
        : throw new PlatformNotSupportedException("-Verify asks the OS over rtnetlink (Linux) or GetBestRoute2 (Windows); " + RuntimeInformation.OSDescription + " has neither.");

    /// <summary>macOS and the rest: no source yet, so an honest refusal rather than a guessed table.</summary>
    private sealed class UnsupportedRouteSource : IRouteSource
    {
        public RouteSnapshot ReadSnapshot() => throw new PlatformNotSupportedException(
            "Reading the routing tables is implemented for Linux and Windows only. On " + RuntimeInformation.OSDescription
            + ", Resolve-NetRoute can still answer for a table you pass with -RouteTable.");
    }
}

using System;
using System.Collections.Generic;
using PSLoopback.Interfaces;
using System.Runtime.InteropServices;
using PSLoopback.Platform.Linux;
using PSLoopback.Routing;

namespace PSLoopback.Platform;

/// <summary>Picks the routing-table source for the OS this process runs on.</summary>
public static class RouteSources
{
    public static IRouteSource ForCurrentOS() =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? new LinuxRouteSource() : new UnsupportedRouteSource();

    /// <summary>The running kernel, to check the resolver's answers against (-Verify); Linux only.</summary>
    public static IKernelRouteOracle KernelOracleForCurrentOS(IReadOnlyList<NetInterfaceInfo> interfaces) =>
        RuntimeInformation.IsOSPlatform(OSPlatform.Linux)
            ? new LinuxKernelRouteOracle(interfaces)
            : throw new PlatformNotSupportedException("-Verify asks the kernel over rtnetlink, which only Linux has.");

    /// <summary>Windows and macOS: no source yet, so an honest refusal rather than a guessed table.</summary>
    private sealed class UnsupportedRouteSource : IRouteSource
    {
        public RouteSnapshot ReadSnapshot() => throw new PlatformNotSupportedException(
            "Reading the routing tables is implemented for Linux only. On " + RuntimeInformation.OSDescription
            + ", Resolve-NetRoute can still answer for a table you pass with -RouteTable.");
    }
}

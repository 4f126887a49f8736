using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;
using PSLoopback.Loopback;
using PSLoopback.Platform.Windows;
using PSLoopback.Routing;

namespace PSLoopback.Platform;

/// <summary>Gathers what Test-Loopback needs to know of this machine, once per call.</summary>
public static class LoopbackFactSource
{
    /// <param name="cancel">Stops a hosts file read (the cmdlet's Ctrl+C).</param>
    public static LoopbackFacts Read(CancellationToken cancel = default)
    {
        // Where routes are read, their snapshot holds the interfaces too: one read of the OS, not two.
        IReadOnlyList<NetInterfaceInfo> interfaces;
        IRouteResolver? resolver = null;
        object source;
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            var routeSource = RouteSources.ForCurrentOS();
            resolver = RouteResolvers.For(routeSource.ReadSnapshot());
            interfaces = resolver.Snapshot.Interfaces;
            source = routeSource;
        }
        else
        {
            var interfaceSource = InterfaceSources.ForCurrentOS();
            interfaces = interfaceSource.GetInterfaces();
            source = interfaceSource;
        }

        var os = RunningOS.Current;
        var hostsPath = HostsFileReader.PathFor(os);
        return new LoopbackFacts(interfaces, resolver, () => ReadHosts(hostsPath, cancel), hostsPath)
        {
            OS = os,
            IPv6DisabledBy = IPv6DisabledBy(interfaces),
            SourceWarnings = (source as ISourceWarnings)?.Warnings ?? Array.Empty<string>(),
        };
    }

    /// <summary>The hosts file's lines that name a loopback name: the only ones Test-Loopback asks the file about.</summary>
    public static HostsScan ReadHosts(string path, CancellationToken cancel) =>
        HostsFileReader.Read(path, HostsLimits.Default, LoopbackNames.IsLoopbackName, cancel);

    private static string? IPv6DisabledBy(IReadOnlyList<NetInterfaceInfo> interfaces)
    {
        if (!Socket.OSSupportsIPv6)
        {
            return "the operating system reports no IPv6 support";
        }

        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            return WindowsIPv6Settings.IPv6DisabledBy(interfaces, WindowsIPv6Settings.ReadDisabledComponents());
        }

        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            return null;
        }

        if (!Directory.Exists("/proc/sys/net/ipv6"))
        {
            return "this kernel has no IPv6 (no /proc/sys/net/ipv6)";
        }

        var loopbackName = interfaces.FirstOrDefault(i => i.IsLoopback)?.Name ?? "lo";
        foreach (var scope in new[] { "all", loopbackName })
        {
            var path = $"/proc/sys/net/ipv6/conf/{scope}/disable_ipv6";
            if (KernelFiles.ReadInteger(path) == 1)
            {
                return $"net.ipv6.conf.{scope}.disable_ipv6 = 1";
            }
        }

        return null;
    }
}

using System;
using System.IO;
using System.Linq;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using PSLoopback.Loopback;
using PSLoopback.Routing;

namespace PSLoopback.Platform;

/// <summary>Gathers what Test-Loopback needs to know of this machine, once per call.</summary>
public static class LoopbackFactSource
{
    public static LoopbackFacts Read()
    {
        var interfaces = InterfaceSources.ForCurrentOS().GetInterfaces();
        RouteResolver? resolver = null;
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            resolver = new RouteResolver(RouteSources.ForCurrentOS().ReadSnapshot());
        }

        var hostsPath = HostsPath;
        return new LoopbackFacts(interfaces, resolver, ReadHosts(hostsPath), hostsPath)
        {
            IPv6DisabledBy = IPv6DisabledBy(interfaces.FirstOrDefault(i => i.IsLoopback)?.Name ?? "lo"),
        };
    }

    private static string HostsPath => RuntimeInformation.IsOSPlatform(OSPlatform.Windows)
        ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.System), "drivers", "etc", "hosts")
        : "/etc/hosts";

    /// <summary>A missing or unreadable hosts file has no entries.</summary>
    private static System.Collections.Generic.IReadOnlyList<HostsEntry> ReadHosts(string path)
    {
        try
        {
            return HostsFile.Parse(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Array.Empty<HostsEntry>();
        }
    }

    private static string? IPv6DisabledBy(string loopbackName)
    {
        if (!Socket.OSSupportsIPv6)
        {
            return "the operating system reports no IPv6 support";
        }

        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            return null;
        }

        if (!Directory.Exists("/proc/sys/net/ipv6"))
        {
            return "this kernel has no IPv6 (no /proc/sys/net/ipv6)";
        }

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

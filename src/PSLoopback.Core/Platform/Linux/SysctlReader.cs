using System.Collections.Generic;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;
using PSLoopback.Routing;

namespace PSLoopback.Platform.Linux;

/// <summary>
/// Reads the sysctls <see cref="LinuxKernelSettings"/> holds from /proc/sys, which (unlike sysfs) always shows
/// this process's network namespace. Only the names a decision reads are read: a missing file (an older
/// kernel, IPv6 off) leaves the name out, and the resolver takes the kernel's default.
/// </summary>
public static class SysctlReader
{
    /// <summary>Host-wide settings, by their dotted names.</summary>
    public static readonly IReadOnlyList<string> GlobalNames = new[]
    {
        "net.ipv4.ip_forward",
        "net.ipv4.fib_multipath_use_neigh",
        "net.ipv4.fib_multipath_hash_policy",
        "net.ipv6.fib_multipath_hash_policy",
        "net.ipv4.fib_multipath_hash_seed",
        "net.ipv4.fib_multipath_hash_fields",
        "net.ipv6.fib_multipath_hash_fields",
        "net.ipv4.nexthop_compat_mode",
    };

    /// <summary>Per-interface settings (net.ipv4.conf.NAME.x), read for "all", "default" and every interface.</summary>
    public static readonly IReadOnlyList<(IPAddressFamily Family, string Setting)> InterfaceSettings = new[]
    {
        (IPAddressFamily.IPv4, "forwarding"),
        (IPAddressFamily.IPv4, "rp_filter"),
        (IPAddressFamily.IPv4, "accept_local"),
        (IPAddressFamily.IPv4, "route_localnet"),
        (IPAddressFamily.IPv4, "src_valid_mark"),
        (IPAddressFamily.IPv4, "send_redirects"),
        (IPAddressFamily.IPv4, "bc_forwarding"),
        (IPAddressFamily.IPv4, "ignore_routes_with_linkdown"),
        (IPAddressFamily.IPv6, "forwarding"),
        (IPAddressFamily.IPv6, "disable_ipv6"),
        (IPAddressFamily.IPv6, "ignore_routes_with_linkdown"),
    };

    public static LinuxKernelSettings Read(IEnumerable<NetInterfaceInfo> interfaces)
    {
        var settings = new LinuxKernelSettings();
        foreach (var name in GlobalNames)
        {
            Add(settings, name, "/proc/sys/" + name.Replace('.', '/'));
        }

        var names = new List<string> { "all", "default" };
        foreach (var device in interfaces)
        {
            names.Add(device.Name);
        }

        foreach (var name in names)
        {
            foreach (var (family, setting) in InterfaceSettings)
            {
                // An interface name may hold a dot (eth0.100), so its path is built from the parts.
                var path = $"/proc/sys/net/{(family == IPAddressFamily.IPv6 ? "ipv6" : "ipv4")}/conf/{name}/{setting}";
                Add(settings, LinuxKernelSettings.InterfaceName(family, name, setting), path);
            }
        }

        return settings;
    }

    private static void Add(LinuxKernelSettings settings, string name, string path)
    {
        if (KernelFiles.ReadInteger(path) is long value)
        {
            settings.Values[name] = value;
        }
    }
}

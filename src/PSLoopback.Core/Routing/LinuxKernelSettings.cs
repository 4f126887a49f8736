using System;
using System.Collections.Generic;
using PSLoopback.Addressing;

namespace PSLoopback.Routing;

/// <summary>
/// The sysctls that steer Linux's routing decisions, by their dotted names (net.ipv4.fib_multipath_use_neigh,
/// net.ipv4.conf.eth0.rp_filter), as read with the snapshot. A name that was not read is answered with the
/// kernel's default, so a snapshot from routes alone behaves as a freshly booted host.
/// </summary>
public sealed class LinuxKernelSettings
{
    public IDictionary<string, long> Values { get; } = new SortedDictionary<string, long>(StringComparer.Ordinal);

    /// <summary>The setting's value, or <paramref name="kernelDefault"/> when it was not read.</summary>
    public long Get(string name, long kernelDefault) => Values.TryGetValue(name, out var value) ? value : kernelDefault;

    /// <summary>Whether the setting was read at all, for a decision that says it assumed the default.</summary>
    public bool Has(string name) => Values.ContainsKey(name);

    /// <summary>The name of a per-interface setting: net.ipv4.conf.NAME.SETTING (or ipv6); NAME may be "all" or "default".</summary>
    public static string InterfaceName(IPAddressFamily family, string interfaceName, string setting) =>
        $"net.{(family == IPAddressFamily.IPv6 ? "ipv6" : "ipv4")}.conf.{interfaceName}.{setting}";

    /// <summary>A per-interface setting, or <paramref name="kernelDefault"/> when it was not read.</summary>
    public long ForInterface(IPAddressFamily family, string interfaceName, string setting, long kernelDefault) =>
        Get(InterfaceName(family, interfaceName, setting), kernelDefault);
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using PSLoopback.Interfaces;
using PSLoopback.Routing;

namespace PSLoopback.Loopback;

/// <summary>What Test-Loopback knows of the machine before it sends anything, read once per call.</summary>
public sealed class LoopbackFacts
{
    public LoopbackFacts(IReadOnlyList<NetInterfaceInfo> interfaces, RouteResolver? resolver, IReadOnlyList<HostsEntry> hosts, string hostsPath)
    {
        Interfaces = interfaces ?? throw new ArgumentNullException(nameof(interfaces));
        Resolver = resolver;
        Hosts = hosts ?? throw new ArgumentNullException(nameof(hosts));
        HostsPath = hostsPath;
    }

    public IReadOnlyList<NetInterfaceInfo> Interfaces { get; }

    /// <summary>The routing decision maker; null where the OS's tables cannot be read (Windows, macOS).</summary>
    public RouteResolver? Resolver { get; }

    public IReadOnlyList<HostsEntry> Hosts { get; }

    public string HostsPath { get; }

    /// <summary>Where IPv6 is switched off (Linux's disable_ipv6 for all or for the loopback interface), why; else null.</summary>
    public string? IPv6DisabledBy { get; set; }

    public NetInterfaceInfo? LoopbackInterface => Interfaces.FirstOrDefault(i => i.IsLoopback);

    public bool IsOwnAddress(IPAddress address) => Interfaces.Any(i => i.Addresses.Any(a => a.IPAddress.Equals(address)));
}

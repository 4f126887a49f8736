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
    private readonly Lazy<HostsScan> hosts;

    /// <param name="readHosts">Reads the hosts file; called at most once, and only when a name needs it.</param>
    public LoopbackFacts(IReadOnlyList<NetInterfaceInfo> interfaces, IRouteResolver? resolver, Func<HostsScan> readHosts, string hostsPath)
    {
        Interfaces = interfaces ?? throw new ArgumentNullException(nameof(interfaces));
        Resolver = resolver;
        if (readHosts is null)
        {
            throw new ArgumentNullException(nameof(readHosts));
        }

        hosts = new Lazy<HostsScan>(readHosts, System.Threading.LazyThreadSafetyMode.ExecutionAndPublication);
        HostsPath = hostsPath;
    }

    /// <summary>Facts with a hosts file already read completely (tests, fixtures).</summary>
    public LoopbackFacts(IReadOnlyList<NetInterfaceInfo> interfaces, IRouteResolver? resolver, IReadOnlyList<HostsEntry> hosts, string hostsPath)
        : this(interfaces, resolver, () => new HostsScan(hostsPath, HostsFileStatus.Read, hosts), hostsPath)
    {
    }

    public IReadOnlyList<NetInterfaceInfo> Interfaces { get; }

    /// <summary>The routing decision maker; null where the OS's tables cannot be read (macOS).</summary>
    public IRouteResolver? Resolver { get; }

    /// <summary>The hosts file, read on first use: a call that tests only addresses never opens it.</summary>
    public HostsScan Hosts => hosts.Value;

    /// <summary>Whether the hosts file has been read (tests check that addresses alone never read it).</summary>
    public bool HostsRead => hosts.IsValueCreated;

    /// <summary>Whose conventions the diagnoses speak of.</summary>
    public HostOS OS { get; set; } = HostOS.Linux;

    public string HostsPath { get; }

    /// <summary>Where IPv6 is switched off for loopback (Linux's disable_ipv6; on Windows a loopback interface without IPv6, with DisabledComponents as the likely reason; no IPv6 in the stack at all), why; else null.</summary>
    public string? IPv6DisabledBy { get; set; }

    /// <summary>What the OS sources could not read (Windows functions missing or failing); empty on Linux.</summary>
    public IReadOnlyList<string> SourceWarnings { get; set; } = Array.Empty<string>();

    public NetInterfaceInfo? LoopbackInterface => Interfaces.FirstOrDefault(i => i.IsLoopback);

    public bool IsOwnAddress(IPAddress address) => Interfaces.Any(i => i.Addresses.Any(a => a.IPAddress.Equals(address)));
}

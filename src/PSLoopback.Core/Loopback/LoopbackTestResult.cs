using System;
using System.Collections.Generic;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Routing;
using PSLoopback.Sockets;

namespace PSLoopback.Loopback;

/// <summary>One address tested by Test-Loopback: what it is, where its packets go, and whether round trips work.</summary>
public sealed class LoopbackTestResult
{
    public LoopbackTestResult(string target)
    {
        Target = target ?? throw new ArgumentNullException(nameof(target));
    }

    /// <summary>What was asked for: an address, a name, or the self-check's label for it.</summary>
    public string Target { get; }

    public IPAddress? RemoteAddress { get; set; }

    public IPAddressFamily? AddressFamily => RemoteAddress is null
        ? null
        : RemoteAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? IPAddressFamily.IPv6 : IPAddressFamily.IPv4;

    /// <summary>127.0.0.0/8, ::1 or ::ffff:127.x.y.z, or a name that means this host (localhost, *.localhost).</summary>
    public bool IsLoopbackAddress { get; set; }

    /// <summary>Whether the routing table keeps packets to the address on this host (a local route).</summary>
    public bool StaysOnHost { get; set; }

    public int? InterfaceIndex { get; set; }

    public string? InterfaceAlias { get; set; }

    public RouteType? RouteType { get; set; }

    public LoopbackProtocol Protocol { get; set; }

    /// <summary>The port tested with -Port; otherwise the echo listener's ephemeral port.</summary>
    public int? Port { get; set; }

    public LoopbackStatus Status { get; set; }

    public bool Succeeded => Status == LoopbackStatus.Success;

    /// <summary>Round trips asked for.</summary>
    public int Count { get; set; }

    /// <summary>Round trips that came back.</summary>
    public int RoundTrips { get; set; }

    public double? MinimumMicroseconds { get; set; }

    public double? MedianMicroseconds { get; set; }

    public double? P99Microseconds { get; set; }

    public double? MaximumMicroseconds { get; set; }

    public long BytesSent { get; set; }

    public long BytesReceived { get; set; }

    /// <summary>What is wrong and what to do, in plain words; null when nothing is.</summary>
    public string? Diagnosis { get; set; }

    /// <summary>With -Detailed: the packet's journey, step by step.</summary>
    public IReadOnlyList<LoopbackStep> Steps { get; set; } = Array.Empty<LoopbackStep>();

    /// <summary>With -Detailed: every interface's counters before and after, as deltas.</summary>
    public IReadOnlyList<InterfaceCounterDelta> InterfaceCounters { get; set; } = Array.Empty<InterfaceCounterDelta>();

    /// <summary>With -Port: the listening socket that takes connections to this address and port (the server), or null when none does or the sockets were not read.</summary>
    public NetSocketInfo? Listener { get; set; }

    /// <summary>With -Port: every socket listening on the port, on any address; null when the sockets were not read.</summary>
    public IReadOnlyList<NetSocketInfo>? Listeners { get; set; }

    public override string ToString() => $"{Target} ({RemoteAddress}): {Status}";
}

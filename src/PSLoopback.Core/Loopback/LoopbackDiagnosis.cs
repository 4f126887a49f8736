using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;
using PSLoopback.Routing;

namespace PSLoopback.Loopback;

/// <summary>
/// The judgements of Test-Loopback, as pure functions over facts: whether to send at all, what a socket
/// error means here, and what a person should be told.
/// </summary>
public static class LoopbackDiagnosis
{
    /// <summary>
    /// Fills in what the address is and where its packets go, and decides whether any traffic may be sent:
    /// returns a final status when not (the check ends there), or null when the round trips should run.
    /// </summary>
    public static LoopbackStatus? BeforeSending(LoopbackFacts facts, LoopbackTestResult result, IPAddress address, bool namedLoopback)
    {
        result.RemoteAddress = address;
        result.IsLoopbackAddress = AddressClass.IsLoopback(address);
        var sent = Destination.AsSent(address);
        if (AddressClass.IsUnspecified(sent))
        {
            result.Diagnosis = $"{address} is the unspecified address, not a destination. {LoopbackRemedies.UnspecifiedConnect(facts.OS, sent.AddressFamily)} "
                + $"Test {(sent.AddressFamily == AddressFamily.InterNetwork ? "127.0.0.1" : "::1")} instead. Test-Loopback sent nothing.";
            return LoopbackStatus.NotLoopback;
        }

        var query = RouteQuery.ForPacketTo(address);
        var routed = query.Destination;
        var decision = facts.Resolver?.Resolve(query);
        if (decision is not null)
        {
            result.RouteType = decision.RouteType;
            result.InterfaceIndex = decision.InterfaceIndex;
            result.InterfaceAlias = decision.InterfaceAlias;
            result.StaysOnHost = decision.StaysOnHost;
        }
        else
        {
            // Without a routing table (Windows, macOS), only the address rules and the host's own addresses tell.
            result.StaysOnHost = result.IsLoopbackAddress || facts.IsOwnAddress(address);
            result.InterfaceIndex = result.IsLoopbackAddress ? facts.LoopbackInterface?.InterfaceIndex : null;
            result.InterfaceAlias = result.IsLoopbackAddress ? facts.LoopbackInterface?.Name : null;
        }

        var loopback = facts.LoopbackInterface;
        var isIPv6 = routed.AddressFamily == AddressFamily.InterNetworkV6;
        if (!result.IsLoopbackAddress && !result.StaysOnHost)
        {
            result.Diagnosis = (namedLoopback
                    ? $"'{result.Target}' should mean this host (RFC 6761), but it resolved to {address}, which is not a loopback address. "
                    : $"{address} is not a loopback address")
                + (decision is { Error: RouteError.None }
                    ? $"{(namedLoopback ? "Its" : ", and its")} packets would leave by {decision.InterfaceAlias}{(decision.NextHop is IPAddress hop && !AddressClass.IsUnspecified(hop) ? " via " + hop : string.Empty)}."
                    : $"{(namedLoopback ? "It" : ", and it")} is not one of this host's addresses.")
                + " Test-Loopback sent nothing to it.";
            return LoopbackStatus.NotLoopback;
        }

        if (AddressClass.IsMulticast(routed) || AddressClass.IsLimitedBroadcast(routed) || decision?.RouteType == RouteType.Broadcast)
        {
            result.Diagnosis = $"{address} is a {(AddressClass.IsMulticast(routed) ? "multicast" : "broadcast")} address, not one host: no connection can be made to it. Test a host address such as 127.0.0.1.";
            return LoopbackStatus.AddressNotAvailable;
        }

        if (isIPv6 && facts.IPv6DisabledBy is string why)
        {
            result.Diagnosis = $"IPv6 is disabled ({why}), so {address} does not exist on this host. Clients that try ::1 first for localhost fall back to 127.0.0.1, or fail. "
                + LoopbackRemedies.IPv6Disabled(facts.OS, loopback?.Name ?? "lo");
            return LoopbackStatus.FamilyDisabled;
        }

        // Down by either word: Linux reports both; Windows' IP Helper may report only the operational status (Wine does).
        if (result.IsLoopbackAddress && loopback is not null && (loopback.AdminStatus == AdminStatus.Down || loopback.Status == InterfaceStatus.Down))
        {
            result.Diagnosis = $"The loopback interface {loopback.Name} is down, so nothing reaches {address}, not even from this host. {LoopbackRemedies.LoopbackDown(facts.OS, loopback.Name)}";
            return LoopbackStatus.LoopbackDown;
        }

        if (result.IsLoopbackAddress && decision is not null && !decision.StaysOnHost)
        {
            result.Diagnosis = NotRoutedText(routed, decision, facts.OS);
            return LoopbackStatus.NotRouted;
        }

        return null;
    }

    /// <summary>What a socket error at a stage of the round trips means for this address.</summary>
    public static LoopbackStatus AfterError(LoopbackFacts facts, LoopbackTestResult result, IPAddress address, SocketError error, string? stage, int? port)
    {
        var endpoint = address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]:{port}" : $"{address}:{port}";
        switch (error)
        {
            case SocketError.OperationAborted:
                result.Diagnosis = "Stopped before the round trips were done.";
                return LoopbackStatus.Stopped;
            case SocketError.ConnectionRefused:
                result.Diagnosis = $"Nothing listens on {endpoint}: the connection was refused.";
                return LoopbackStatus.Refused;
            case SocketError.TimedOut:
                result.Diagnosis = $"No answer from {endpoint} within the timeout{(stage is null ? string.Empty : $" (while trying to {stage})")}.";
                return LoopbackStatus.TimedOut;
            case SocketError.AddressFamilyNotSupported:
            case SocketError.ProtocolFamilyNotSupported:
                result.Diagnosis = $"{(address.AddressFamily == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4")} is not available in this process's network stack.";
                return LoopbackStatus.FamilyDisabled;
            case SocketError.AddressNotAvailable:
                result.Diagnosis = AddressClass.IsLoopback(address) && address.AddressFamily == AddressFamily.InterNetwork && !address.Equals(IPAddress.Loopback)
                    ? $"{address} is in 127.0.0.0/8 but no interface answers for it: only 127.0.0.1 is configured on the loopback interface, as macOS does by default. Add an alias (ifconfig lo0 alias {address}) or use 127.0.0.1."
                    : $"No interface has {address}, so nothing can listen there.";
                return LoopbackStatus.AddressNotAvailable;
            case SocketError.NetworkUnreachable:
            case SocketError.HostUnreachable:
                result.Diagnosis = $"The stack answered {error} for {address}: the routing table has no usable route to it.";
                return LoopbackStatus.NotRouted;
            default:
                result.Diagnosis = $"The {(stage ?? "round trip")} failed with {error}.";
                return LoopbackStatus.Failed;
        }
    }

    /// <summary>What the hosts file says of a loopback name, when it is the reason the name does not mean loopback.</summary>
    public static string? HostsText(LoopbackFacts facts, string name, IReadOnlyCollection<IPAddress> resolved) =>
        LoopbackNameRules.Advice(name, facts.Hosts, facts.OS, resolved);

    /// <summary>
    /// With -Port, the classic trap: localhost resolves to ::1 first, but the service listens on 127.0.0.1
    /// only (or the reverse). Adds the diagnosis to the failing family's results.
    /// </summary>
    public static void AcrossFamilies(IReadOnlyList<LoopbackTestResult> byAddress, int port)
    {
        var ipv4 = byAddress.Where(r => r.AddressFamily == IPAddressFamily.IPv4).ToList();
        var ipv6 = byAddress.Where(r => r.AddressFamily == IPAddressFamily.IPv6).ToList();
        var first = byAddress.FirstOrDefault(r => r.RemoteAddress is not null);
        foreach (var (failing, working, family, other) in new[] { (ipv6, ipv4, "::1", "127.0.0.1"), (ipv4, ipv6, "127.0.0.1", "::1") })
        {
            if (failing.Count == 0 || working.Count == 0 || !failing.All(r => !r.Succeeded) || !working.Any(r => r.Succeeded))
            {
                continue;
            }

            var firstIsFailing = first is not null && failing.Contains(first);
            foreach (var result in failing.Where(r => r.Status is LoopbackStatus.Refused or LoopbackStatus.TimedOut))
            {
                result.Diagnosis = $"The service on port {port} answers on {other} but not on {family}: it listens on {(family == "::1" ? "IPv4" : "IPv6")} only. "
                    + (firstIsFailing
                        ? $"localhost resolves to {family} first here, so clients that try only the first address (Node 17 to 19, Test-Connection localhost -TcpPort) fail. Make the service listen on both, or connect to {other}."
                        : $"localhost resolves to {other} first here, so most clients work, but any that pick {family} fail. Make the service listen on both.");
            }
        }
    }

    private static string NotRoutedText(IPAddress address, RouteDecision decision, HostOS os)
    {
        var where = decision.Error == RouteError.None
            ? $"the routing table sends it to {decision.InterfaceAlias}{(decision.Route is null ? string.Empty : $" by {decision.Route}")}"
            : $"the routing table has no route for it ({decision.Error})";
        if (address.AddressFamily == AddressFamily.InterNetwork && !address.Equals(IPAddress.Loopback))
        {
            return $"127.0.0.0/8 is not routed to the loopback interface: {where}. Only part of the block is local (as macOS configures only 127.0.0.1). {LoopbackRemedies.LoopbackRoute(os, ipv4: true)}";
        }

        return $"{address} is a loopback address, but {where}. The local route for it is missing. {LoopbackRemedies.LoopbackRoute(os, address.AddressFamily == AddressFamily.InterNetwork)}";
    }
}

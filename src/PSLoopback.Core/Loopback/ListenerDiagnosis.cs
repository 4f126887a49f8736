using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;
using PSLoopback.Sockets;

namespace PSLoopback.Loopback;

/// <summary>
/// Test-Loopback -Port names the server: which process listens on the port and where, what that means for
/// each address tried, and whether other hosts can reach it. Pure, over one read of the socket table.
/// </summary>
public static class ListenerDiagnosis
{
    /// <summary>The step name that ends the journey at the server, with -Detailed.</summary>
    public const string ServerStepName = "server process";

    private const int NearestPorts = 3;

    /// <summary>
    /// Fills each result's listeners, rewrites the diagnosis of a refused or unanswered connect from what
    /// listens where, and with <paramref name="detailed"/> ends a successful journey at the server.
    /// Returns warnings for listeners that other hosts can reach, when loopback was asked about.
    /// </summary>
    public static IReadOnlyList<string> Apply(IReadOnlyList<LoopbackTestResult> results, int port, ListenerFacts facts, bool detailed)
    {
        var listeners = ListenerLookup.OnPort(facts.Sockets, SocketProtocol.Tcp, port);
        var localhost = LocalhostOrder(results);
        foreach (var result in results)
        {
            if (result.RemoteAddress is not IPAddress address)
            {
                continue;
            }

            var acceptors = ListenerLookup.Acceptors(listeners, address, facts.Interfaces);
            result.Listeners = listeners;
            result.Listener = acceptors.FirstOrDefault();
            if (result.Status == LoopbackStatus.Success && detailed && result.Steps.Count > 0)
            {
                result.Steps = result.Steps.Concat(new[] { ServerStep(acceptors, port, result.Steps, address) }).ToArray();
            }
            else if (result.Status is LoopbackStatus.Refused or LoopbackStatus.TimedOut)
            {
                var text = Explain(address, port, result.Status, listeners, acceptors, localhost, facts);
                result.Diagnosis = result.Status == LoopbackStatus.Refused || result.Diagnosis is null ? text : result.Diagnosis + " " + text;
            }
        }

        return results.Any(r => r.RemoteAddress is not null && r.IsLoopbackAddress) ? Exposed(listeners) : Array.Empty<string>();
    }

    /// <summary>Why a connect to <paramref name="address"/> failed, from what listens on the port.</summary>
    public static string Explain(IPAddress address, int port, LoopbackStatus status, IReadOnlyList<NetSocketInfo> listeners, IReadOnlyList<NetSocketInfo> acceptors,
        (string Name, IReadOnlyList<IPAddress> Addresses)? localhost, ListenerFacts facts)
    {
        var endpoint = Endpoint(address, port);
        if (listeners.Count == 0)
        {
            return $"Nothing listens on TCP port {port} on any address of this host{(status == LoopbackStatus.Refused ? $", so the connection to {endpoint} was refused" : string.Empty)}." + Nearest(port, facts);
        }

        var hint = listeners.Any(s => s.OwningProcess is null) ? " " + ListenerRemedies.SeeOwners(facts.OS, facts.Uid == 0) : string.Empty;
        if (status == LoopbackStatus.Refused && MayBeIPv6Only(address, acceptors))
        {
            return $"{Capitalized(Describe(listeners, "listens on"))}, not on {endpoint}{LocalhostClause(address, localhost)}: "
                + $"{Endpoint(acceptors[0])} may be IPv6-only, as this system does not say whether IPV6_V6ONLY is set: {ListenerRemedies.DualStack(facts.OS)}, "
                + $"or make it listen on {Unmapped(address)} too, or connect to [::1]:{port}.{hint}";
        }

        if (acceptors.Count > 0)
        {
            return Capitalized(Describe(acceptors, "listens on")) + (status == LoopbackStatus.TimedOut && Full(acceptors) is NetSocketInfo full
                ? $", but its accept queue is full ({full.ReceiveQueue} waiting, backlog {full.SendQueue}): the program does not accept connections fast enough, or hangs."
                : $", so the socket table had a listener for {endpoint}: a firewall rule, or a listener that came or went during the test, {(status == LoopbackStatus.Refused ? "refused" : "stopped")} the connection.") + hint;
        }

        return $"{Capitalized(Describe(listeners, "listens on"))}, not on {endpoint}{LocalhostClause(address, localhost)}: {Remedy(address, port, listeners, facts)}.{hint}";
    }

    /// <summary>
    /// The last step of a successful journey: the process whose listening socket took the connection to
    /// <paramref name="address"/>; an IPv4 one taken by a `::` socket of unknown IPV6_V6ONLY shows it takes IPv4.
    /// </summary>
    public static LoopbackStep ServerStep(IReadOnlyList<NetSocketInfo> acceptors, int port, IReadOnlyList<LoopbackStep> steps, IPAddress address)
    {
        // The kernel queues the connection on the listener during the handshake, so the server's step ends with the connect.
        var elapsed = (steps.LastOrDefault(s => s.Name == "connect") ?? steps[steps.Count - 1]).ElapsedMicroseconds;
        var detail = acceptors.Count switch
        {
            0 => $"no socket that takes this address listened on port {port} when the socket table was read after the connects (it may have stopped listening)",
            1 => Listening(acceptors[0]) + (MayBeIPv6Only(address, acceptors) ? ", which took this IPv4 connection, so it takes IPv4 too (IPV6_V6ONLY off)" : string.Empty),
            _ => "one of " + string.Join(", ", acceptors.Select(Listening)) + ", which share the port (SO_REUSEPORT)",
        };
        return new LoopbackStep(ServerStepName, detail, elapsed);
    }

    /// <summary>Who holds a socket, never guessed: its process and pid, or only what the OS says of an owner this process could not find.</summary>
    public static string Owner(NetSocketInfo socket) =>
        socket.OwningProcess is int pid
            ? socket.ProcessName is string name ? $"{name} (pid {pid})" : $"pid {pid}, whose name could not be read,"
            : "an unidentified process" + (socket.UserName is string user ? $" (user {user})" : socket.Uid is uint uid ? $" (uid {uid})" : string.Empty);

    /// <summary>A socket's address and port, saying what a wildcard takes and the device it is bound to, or a link-local address's scope.</summary>
    public static string Endpoint(NetSocketInfo socket)
    {
        var device = socket.BoundInterfaceAlias ?? socket.BoundInterfaceIndex?.ToString(CultureInfo.InvariantCulture);
        if (socket.LocalAddress.IsIPv6LinkLocal && device is not null)
        {
            return $"[{new IPAddress(socket.LocalAddress.GetAddressBytes())}%{device}]:{socket.LocalPort.ToString(CultureInfo.InvariantCulture)}";
        }

        var text = Endpoint(socket.LocalAddress, socket.LocalPort);
        if (socket.LocalAddress.Equals(IPAddress.IPv6Any) && socket.IPv6Only is bool only)
        {
            text += only ? " (IPv6 only)" : " (IPv4 too)";
        }

        return socket.BoundInterfaceAlias is string alias ? $"{text} on {alias}"
            : socket.BoundInterfaceIndex is int index ? $"{text} on interface {index}"
            : text;
    }

    public static string Endpoint(IPAddress address, int port) =>
        (address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString()) + ":" + port.ToString(CultureInfo.InvariantCulture);

    /// <summary>A listening socket of one process, as the journey's last step and Detailed output name it.</summary>
    public static string Listening(NetSocketInfo socket) =>
        $"{Owner(socket)} listening on {Endpoint(socket)}{(socket.SendQueue is long backlog ? $" (backlog {backlog})" : string.Empty)}";

    /// <summary>The listeners that other hosts can reach, each as a warning that says how and what to do.</summary>
    public static IReadOnlyList<string> Exposed(IReadOnlyList<NetSocketInfo> listeners) =>
        listeners.Where(s => s.Exposure != SocketExposure.LoopbackOnly).Select(s =>
            $"{Capitalized(Owner(s))} listens on {Endpoint(s)}: {Reach(s)}, not only this machine, unless a firewall stops them. "
            + $"If only this machine should use it, make it listen on 127.0.0.1{(s.AddressFamily == IPAddressFamily.IPv6 || s.TakesIPv4 ? " and ::1" : string.Empty)} instead.").ToList();

    /// <summary>The loopback name among the targets (localhost), and its addresses in the order it resolved to them.</summary>
    public static (string Name, IReadOnlyList<IPAddress> Addresses)? LocalhostOrder(IReadOnlyList<LoopbackTestResult> results)
    {
        var first = results.FirstOrDefault(r => r.RemoteAddress is not null && !IPAddress.TryParse(r.Target, out _) && LoopbackNames.IsLoopbackName(r.Target));
        if (first is null)
        {
            return null;
        }

        return (first.Target, results.Where(r => r.Target == first.Target && r.RemoteAddress is not null).Select(r => r.RemoteAddress!).ToList());
    }

    private static string Reach(NetSocketInfo socket) => socket.Exposure == SocketExposure.AllInterfaces
        ? "other hosts can reach it through every interface"
        : socket.BoundInterfaceAlias is string device ? $"hosts on {device}'s network can reach it"
        : $"hosts that can reach {socket.LocalAddress} can connect to it";

    private static string LocalhostClause(IPAddress address, (string Name, IReadOnlyList<IPAddress> Addresses)? localhost)
    {
        if (localhost is not (string name, IReadOnlyList<IPAddress> addresses) || !addresses.Contains(address))
        {
            return string.Empty;
        }

        return addresses.Distinct().Count() == 1 ? $"; {name} resolves only to {address} here, so every client that connects to {name} fails"
            : addresses[0].Equals(address) ? $"; {name} resolves to {address} first here, so clients that try only the first address (Node 17-19, Test-Connection {name} -TcpPort) fail"
            : $"; {name} resolves to {addresses[0]} first here, so most clients work, but any that pick {address} fail";
    }

    private static string Remedy(IPAddress address, int port, IReadOnlyList<NetSocketInfo> listeners, ListenerFacts facts)
    {
        var sent = Unmapped(address);
        if (AddressClass.IsLoopback(sent))
        {
            // One family of loopback taken, the other not: the classic split, whatever the exact address.
            var isIPv6 = sent.AddressFamily == AddressFamily.InterNetworkV6;
            var takesIPv4 = ListenerLookup.Acceptors(listeners, IPAddress.Loopback, facts.Interfaces).Count > 0;
            var takesIPv6 = ListenerLookup.Acceptors(listeners, IPAddress.IPv6Loopback, facts.Interfaces).Count > 0;
            if (isIPv6 && takesIPv4 && !takesIPv6)
            {
                return $"it listens on IPv4 only; make it listen on both 127.0.0.1 and ::1, or on :: with IPv6Only off (which other hosts can reach too), or connect to 127.0.0.1:{port}";
            }

            if (!isIPv6 && takesIPv6 && !takesIPv4)
            {
                var v6only = listeners.FirstOrDefault(s => s.LocalAddress.Equals(IPAddress.IPv6Any) && s.IPv6Only == true);
                return v6only is null
                    ? $"it listens on IPv6 only; make it listen on both 127.0.0.1 and ::1, or connect to [::1]:{port}"
                    : $"{Endpoint(v6only)} takes no IPv4: {ListenerRemedies.DualStack(facts.OS)}, or make it listen on 127.0.0.1 too, or connect to [::1]:{port}";
            }
        }

        // A link-local address's device is its scope, which the program cannot drop; any other bound device is SO_BINDTODEVICE.
        if (listeners.FirstOrDefault(s => s.BoundInterfaceAlias is not null && s.Exposure != SocketExposure.LoopbackOnly && !s.LocalAddress.IsIPv6LinkLocal) is NetSocketInfo bound)
        {
            var own = DeviceAddress(bound, facts.Interfaces);
            return $"{Endpoint(bound)} is bound to {bound.BoundInterfaceAlias} (SO_BINDTODEVICE), so it takes only connections to {bound.BoundInterfaceAlias}'s own addresses: "
                + (own is null ? string.Empty : $"connect to {Endpoint(own, port)}, or ") + $"drop the binding, or make it listen on {sent} too";
        }

        var usable = listeners.FirstOrDefault(s => ListenerLookup.Acceptors(new[] { s }, ListenerLookup.LocalTarget(s), facts.Interfaces).Count > 0);
        return usable is null
            ? $"make it listen on {sent}"
            : $"make it listen on {sent} too, or connect to {(usable.LocalAddress.IsIPv6LinkLocal ? Endpoint(usable) : Endpoint(ListenerLookup.LocalTarget(usable), port))}";
    }

    /// <summary>An address of a device-bound socket's device that the socket takes, for the advice; not a link-local one, which needs its scope.</summary>
    private static IPAddress? DeviceAddress(NetSocketInfo bound, IReadOnlyList<NetInterfaceInfo> interfaces) =>
        interfaces.Where(i => i.Name == bound.BoundInterfaceAlias).SelectMany(i => i.Addresses).Select(a => a.IPAddress)
            .FirstOrDefault(a => !a.IsIPv6LinkLocal && ListenerLookup.Acceptors(new[] { bound }, a, interfaces).Count > 0);

    /// <summary>
    /// The user's nearest listening ports, for a port nothing listens on: the service may run on another.
    /// Left out where no socket carries its user (Windows' and the portable source's), rather than claim the user has none.
    /// </summary>
    private static string Nearest(int port, ListenerFacts facts)
    {
        if (facts.Uid is null && string.IsNullOrEmpty(facts.UserName) || !facts.Sockets.Any(s => s.Uid is not null || s.UserName is not null))
        {
            return string.Empty;
        }

        var whose = (string.IsNullOrEmpty(facts.UserName) ? $"uid {facts.Uid}" : facts.UserName) + "'s";
        var mine = facts.Sockets.Where(s => s.Protocol == SocketProtocol.Tcp && s.State == SocketState.Listen && s.LocalPort != port && facts.IsCurrentUser(s)).ToList();
        var ports = mine.Select(s => s.LocalPort).Distinct().OrderBy(p => Math.Abs(p - port)).ThenBy(p => p).Take(NearestPorts).ToList();
        if (ports.Count == 0)
        {
            return $" None of {whose} processes listens on a TCP port: is the service running?";
        }

        return $" The nearest ports {whose} processes listen on: {string.Join("; ", ports.Select(p => Describe(mine.Where(s => s.LocalPort == p).ToList(), "on")))}. Is the service set to another port?";
    }

    /// <summary>Sockets grouped by their owner: "node (pid 812) listens on 127.0.0.1:3000 and [::1]:3000".</summary>
    private static string Describe(IReadOnlyList<NetSocketInfo> sockets, string verb) =>
        string.Join("; ", sockets.GroupBy(Owner).Select(g => $"{g.Key} {verb} {string.Join(" and ", g.Select(Endpoint).Distinct())}"));

    // The kernel's sk_acceptq_is_full: more waiting than the backlog.
    private static NetSocketInfo? Full(IReadOnlyList<NetSocketInfo> acceptors) =>
        acceptors.FirstOrDefault(s => s.ReceiveQueue is long waiting && s.SendQueue is long backlog && waiting > backlog);

    /// <summary>An IPv4 connection whose only takers are `::` sockets of unknown IPV6_V6ONLY (Windows, macOS): whether it succeeds tells which they are.</summary>
    private static bool MayBeIPv6Only(IPAddress address, IReadOnlyList<NetSocketInfo> acceptors) =>
        Unmapped(address).AddressFamily == AddressFamily.InterNetwork && acceptors.Count > 0
        && acceptors.All(s => s.LocalAddress.Equals(IPAddress.IPv6Any) && s.IPv6Only is null);

    private static IPAddress Unmapped(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    // A sentence may begin with a process's name, which keeps its case (node is not Node); only our own words are capitalized.
    private static string Capitalized(string text) =>
        text.StartsWith("an unidentified", StringComparison.Ordinal) || text.StartsWith("pid ", StringComparison.Ordinal) ? char.ToUpperInvariant(text[0]) + text.Substring(1) : text;
}

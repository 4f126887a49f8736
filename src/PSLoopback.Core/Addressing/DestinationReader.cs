using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using PSLoopback.Loopback;

namespace PSLoopback.Addressing;

/// <summary>
/// Turns each destination a user types into addresses, the same way for every cmdlet: strict addresses with
/// checked zones, loopback names from the hosts file (read once, only if a loopback name is asked) and never
/// from DNS, other names from the system resolver, and a reason naming the input for anything else.
/// </summary>
public sealed class DestinationReader
{
    private readonly Func<string, int?> zones;
    private readonly Lazy<HostsScan> hosts;
    private readonly HostOS os;
    private readonly Func<string, IPAddress[]> lookUp;
    private readonly bool interfacesAreThisMachine;

    /// <param name="zones">A zone's interface index, or null (see <see cref="Destination.ZonesOf"/>).</param>
    /// <param name="hosts">Reads the hosts file: called at most once, and only for a loopback name.</param>
    /// <param name="lookUp">The system resolver, for other names; throws SocketException or TimeoutException.</param>
    /// <param name="interfacesAreThisMachine">False when the zones' interfaces are another machine's (a saved
    /// snapshot, routes given): then a hint cannot send the user to Get-NetInterfaceInfo.</param>
    public DestinationReader(Func<string, int?> zones, Func<HostsScan> hosts, HostOS os, Func<string, IPAddress[]> lookUp, bool interfacesAreThisMachine = true)
    {
        this.zones = zones ?? throw new ArgumentNullException(nameof(zones));
        this.hosts = new Lazy<HostsScan>(hosts ?? throw new ArgumentNullException(nameof(hosts)));
        this.os = os;
        this.lookUp = lookUp ?? throw new ArgumentNullException(nameof(lookUp));
        this.interfacesAreThisMachine = interfacesAreThisMachine;
    }

    public HostOS OS => os;

    /// <summary>The hosts file, read on first use.</summary>
    public HostsScan Hosts => hosts.Value;

    public ParsedDestination Parse(string text) => Destination.Parse(text, zones);

    public DestinationAnswer Read(string text)
    {
        // A plain address needs no zone, name or lookup, and Parse would read it as this does (without a '%' it
        // has no scope): one answer and its one address, the parse made only if asked for.
        if (text is not null && text.IndexOf('%') < 0 && Destination.TryParseAddress(text, out var literal))
        {
            return new DestinationAnswer(text, literal);
        }

        var parsed = Parse(text!);
        switch (parsed.Kind)
        {
            case DestinationKind.Invalid:
                return new DestinationAnswer(parsed, Array.Empty<IPAddress>(), DestinationProblem.Invalid, WithInterfaceHint(parsed.Problem!, text?.Trim() ?? string.Empty), null, 0);
            case DestinationKind.Address:
                return new DestinationAnswer(parsed, new[] { parsed.ScopedAddress! }, DestinationProblem.None, null, null, 0);
        }

        var clock = Stopwatch.StartNew();
        if (parsed.IsLoopbackName)
        {
            var addresses = LoopbackNameRules.Answer(parsed.Name!, Hosts, os);
            var micros = clock.Elapsed.TotalMilliseconds * 1000;
            return addresses.Count > 0
                ? new DestinationAnswer(parsed, addresses, DestinationProblem.None, null, null, micros)
                : new DestinationAnswer(parsed, addresses, DestinationProblem.NotResolved,
                    $"'{text}' has no addresses here: {LoopbackNameRules.Advice(parsed.Name!, Hosts, os, addresses)}", null, micros);
        }

        try
        {
            var addresses = lookUp(parsed.Name!);
            var micros = clock.Elapsed.TotalMilliseconds * 1000;
            return addresses.Length > 0
                ? new DestinationAnswer(parsed, addresses, DestinationProblem.None, null, null, micros)
                : new DestinationAnswer(parsed, addresses, DestinationProblem.NotResolved, WithInterfaceHint($"The host name '{text}' has no IPv4 or IPv6 address.", parsed.Name!), null, micros);
        }
        catch (Exception e) when (e is SocketException or TimeoutException or ArgumentException)
        {
            return new DestinationAnswer(parsed, Array.Empty<IPAddress>(), DestinationProblem.NotResolved,
                WithInterfaceHint($"The host name '{text}' does not resolve: {e.Message}", parsed.Name!), e, clock.Elapsed.TotalMilliseconds * 1000);
        }
    }

    /// <summary>
    /// An interface's name given where a destination goes (typed, or an interface object passed by position, which
    /// PowerShell turns into its name) may be meant as its addresses: say how to ask for those. Only "may": a host
    /// can share its name with an interface and be missing from DNS.
    /// </summary>
    /// <remarks>
    /// Windows' names ("Ethernet 2") are not host names, so they are hinted where they read as invalid too; a number
    /// is an interface index to the zones, never a name.
    /// </remarks>
    private string WithInterfaceHint(string message, string name)
    {
        if (name.All(char.IsDigit) || zones(name) is not int index)
        {
            return message;
        }

        var hint = interfacesAreThisMachine
            ? $"pipe the interface in to use its addresses (Get-NetInterfaceInfo {Quoted(name)} | ...)"
            : "give its addresses instead";
        return $"{message}{(message.EndsWith(".", StringComparison.Ordinal) ? "" : ".")} If you meant the interface '{name}' (ifIndex {index}), {hint}.";
    }

    // Bare only where PowerShell reads the word as a name, not a number ("10gb", "0x10") or a parameter ("-x").
    private static string Quoted(string name) =>
        char.IsLetter(name[0]) && name.All(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.') ? name : "'" + name.Replace("'", "''") + "'";
}

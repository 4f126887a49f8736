using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Threading;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;

namespace PSLoopback.Loopback;

/// <summary>
/// Runs Test-Loopback's checks: decides from the facts whether an address may get traffic at all, then
/// sends real round trips (or, with a port, one connect) and judges the outcome.
/// </summary>
public sealed class LoopbackTester
{
    private readonly LoopbackFacts facts;
    private readonly LoopbackTestOptions options;
    private readonly IInterfaceSource? counters;
    private readonly DestinationReader destinations;

    /// <param name="counters">Where to read interface counters before and after, with Detailed.</param>
    /// <param name="resolve">Turns a host name that is not a loopback name into addresses, or throws (SocketException, TimeoutException).</param>
    public LoopbackTester(LoopbackFacts facts, LoopbackTestOptions options, IInterfaceSource? counters, Func<string, IPAddress[]> resolve)
    {
        this.facts = facts ?? throw new ArgumentNullException(nameof(facts));
        this.options = options ?? throw new ArgumentNullException(nameof(options));
        this.counters = counters;
        destinations = new DestinationReader(Destination.ZonesOf(facts.Interfaces, facts.OS), () => facts.Hosts, facts.OS, resolve ?? throw new ArgumentNullException(nameof(resolve)));
    }

    public LoopbackFacts Facts => facts;

    /// <summary>
    /// The machine's self-check: 127.0.0.1, ::1, each address localhost resolves to, and one random address
    /// of 127.0.0.0/8 (is the whole block local?). With a port, both families of localhost instead.
    /// </summary>
    public IReadOnlyList<(string Target, IPAddress Address, bool NamedLoopback)> SelfCheckTargets(IReadOnlyList<IPAddress> localhost, Random random)
    {
        var targets = new List<(string, IPAddress, bool)>();
        if (options.Port is null)
        {
            targets.Add(("127.0.0.1", IPAddress.Loopback, false));
            targets.Add(("::1", IPAddress.IPv6Loopback, false));
            targets.AddRange(localhost.Select(a => ("localhost", a, true)));
            var block = new IPAddress(new[] { (byte)127, (byte)random.Next(1, 255), (byte)random.Next(0, 256), (byte)random.Next(1, 255) });
            targets.Add((block.ToString(), block, false));
            return targets;
        }

        targets.AddRange(localhost.Select(a => ("localhost", a, true)));
        foreach (var address in new[] { IPAddress.Loopback, IPAddress.IPv6Loopback }.Where(a => !localhost.Contains(a)))
        {
            targets.Add((address.ToString(), address, false));
        }

        return targets;
    }

    /// <summary>
    /// The self-check, in its order: 127.0.0.1, ::1, localhost's addresses (or why localhost does not
    /// resolve), a random 127.x.y.z; with a port, localhost's addresses and both families' loopback.
    /// </summary>
    public IReadOnlyList<LoopbackTestResult> SelfCheck(Random random, CancellationToken cancel, Action<string, int, int>? progress = null)
    {
        var (localhost, resolvedMicroseconds, unresolved) = ResolveName("localhost");
        var targets = SelfCheckTargets(localhost, random);
        var results = new List<LoopbackTestResult>();
        for (var i = 0; i < targets.Count && !cancel.IsCancellationRequested; i++)
        {
            var (target, address, named) = targets[i];
            progress?.Invoke($"{target} ({address})", i, targets.Count);
            results.Add(TestResolved(target, address, named, named ? resolvedMicroseconds : null, localhost, cancel, progress));
        }

        if (unresolved is not null)
        {
            results.Insert(Math.Min(options.Port is null ? 2 : 0, results.Count), unresolved);
        }

        return results;
    }

    /// <summary>
    /// One target: an address, a loopback name (answered from the hosts file, never DNS; its failure to
    /// resolve is a result), or another name; anything else is an invalid target, with the reason.
    /// </summary>
    public LoopbackTargetOutcome TestTarget(string target, CancellationToken cancel, Action<string, int, int>? progress = null)
    {
        var answer = destinations.Read(target);
        var parsed = answer.Parsed;
        if (answer.Problem == DestinationProblem.Invalid)
        {
            return LoopbackTargetOutcome.Failed(LoopbackTargetProblem.InvalidTarget, answer.Message!);
        }

        if (parsed.Kind == DestinationKind.Address)
        {
            progress?.Invoke(target, 0, 1);
            return LoopbackTargetOutcome.Tested(new[] { TestResolved(target, answer.Addresses[0], false, null, Array.Empty<IPAddress>(), cancel, progress) });
        }

        var named = parsed.IsLoopbackName;
        if (answer.Problem == DestinationProblem.NotResolved)
        {
            return named
                ? LoopbackTargetOutcome.Tested(new[] { NotResolved(target, answer.Message!) })
                : LoopbackTargetOutcome.Failed(LoopbackTargetProblem.NameNotResolved, answer.Message!, answer.Cause);
        }

        var addresses = answer.Addresses;
        var results = new List<LoopbackTestResult>();
        for (var i = 0; i < addresses.Count && !cancel.IsCancellationRequested; i++)
        {
            progress?.Invoke($"{target} ({addresses[i]})", i, addresses.Count);
            results.Add(TestResolved(target, addresses[i], named, answer.Microseconds, addresses, cancel, progress));
        }

        return LoopbackTargetOutcome.Tested(results);
    }

    /// <summary>A name's addresses and how long the lookup took, or a result saying why it did not resolve.</summary>
    private (IReadOnlyList<IPAddress> Addresses, double Microseconds, LoopbackTestResult? Unresolved) ResolveName(string name)
    {
        var answer = destinations.Read(name);
        return answer.Problem == DestinationProblem.None
            ? (answer.Addresses, answer.Microseconds, null)
            : (Array.Empty<IPAddress>(), 0, NotResolved(name, answer.Message!));
    }

    /// <summary>Tests one address of a target; a loopback name that resolved elsewhere gets the hosts file's side of it.</summary>
    private LoopbackTestResult TestResolved(string target, IPAddress address, bool named, double? resolvedMicroseconds, IReadOnlyList<IPAddress> resolvedTo, CancellationToken cancel, Action<string, int, int>? progress)
    {
        var result = Test(target, address, named, cancel, done => progress?.Invoke($"{target} ({address}): {done} of {options.Count}", done, options.Count));
        if (named && !result.IsLoopbackAddress)
        {
            result.Diagnosis = (result.Diagnosis is null ? string.Empty : result.Diagnosis + " ")
                + LoopbackDiagnosis.HostsText(facts, target, resolvedTo);
        }

        if (options.Detailed && resolvedMicroseconds is double micros)
        {
            result.Steps = new[] { new LoopbackStep("name resolution", $"{target} -> {string.Join(", ", resolvedTo)}", micros) }
                .Concat(result.Steps.Select(s => new LoopbackStep(s.Name, s.Detail, s.ElapsedMicroseconds + micros)))
                .ToArray();
        }

        return result;
    }

    public LoopbackTestResult Test(string target, IPAddress address, bool namedLoopback, CancellationToken cancel, Action<int>? progress = null)
    {
        var result = new LoopbackTestResult(target) { Protocol = options.Protocol, Count = options.Count, Port = options.Port };
        var clock = Stopwatch.StartNew();
        var stop = LoopbackDiagnosis.BeforeSending(facts, result, address, namedLoopback);
        var steps = new List<LoopbackStep>
        {
            new("route lookup", $"{address}: {result.RouteType?.ToString() ?? "no table"}{(result.InterfaceAlias is null ? string.Empty : " via " + result.InterfaceAlias)}, {(result.StaysOnHost ? "stays on this host" : "would leave it")}{(address.IsIPv4MappedToIPv6 ? $" (IPv4-mapped: a socket carries it as IPv4 to {address.MapToIPv4()}, whatever the IPv6 table says of it)" : string.Empty)}", clock.Elapsed.TotalMilliseconds * 1000),
        };
        // The echo listener binds to loopback addresses only: one on a LAN address could be reached from
        // the network. This host's own other addresses are answered from the route, without traffic; a
        // real service on them can still be tried with a port.
        if (stop is null && !result.IsLoopbackAddress && options.Port is null)
        {
            stop = LoopbackStatus.NotLoopback;
            result.Diagnosis = $"{address} is not a loopback address, but it is this host's own: packets to it stay on this host"
                + $"{(result.InterfaceAlias is null ? string.Empty : $" and go through {result.InterfaceAlias}")}. Test-Loopback's own listener binds only to "
                + "loopback addresses, so it sent nothing; use -Port to try a service that listens there, or test 127.0.0.1.";
        }

        if (stop is LoopbackStatus early)
        {
            result.Status = early;
            result.Steps = options.Detailed ? steps : Array.Empty<LoopbackStep>();
            return result;
        }

        var before = options.Detailed ? ReadCounters(steps, clock) : null;
        if (options.Port is int port)
        {
            // One connect per -Count, each a fresh handshake with the real service, closed at once.
            var samples = new List<double>();
            for (var i = 0; i < options.Count && !cancel.IsCancellationRequested; i++)
            {
                var (microseconds, error) = PortProbe.Connect(address, port, options.Timeout, cancel);
                if (error is System.Net.Sockets.SocketError code)
                {
                    result.Status = LoopbackDiagnosis.AfterError(facts, result, address, code, "connect", port);
                    break;
                }

                samples.Add(microseconds!.Value);
                if (i == 0)
                {
                    steps.Add(new LoopbackStep("connect", $"TCP handshake with the service on port {port} done", clock.Elapsed.TotalMilliseconds * 1000));
                }

                progress?.Invoke(samples.Count);
            }

            result.RoundTrips = samples.Count;
            LatencyStatistics.Fill(result, samples);
            if (samples.Count == options.Count)
            {
                result.Status = LoopbackStatus.Success;
            }
            else if (result.Diagnosis is null)
            {
                result.Status = LoopbackStatus.Stopped;
                result.Diagnosis = "Stopped before the connects were done.";
            }
        }
        else
        {
            var echo = LoopbackEcho.Run(address, new EchoOptions
            {
                Protocol = options.Protocol,
                Count = options.Count,
                PayloadSize = options.PayloadSize,
                Timeout = options.Timeout,
            }, cancel, progress);
            result.Port = echo.Port == 0 ? null : echo.Port;
            result.RoundTrips = echo.RoundTrips;
            result.BytesSent = echo.BytesSent;
            result.BytesReceived = echo.BytesReceived;
            LatencyStatistics.Fill(result, echo.Samples);
            var offset = steps[0].ElapsedMicroseconds;
            steps.AddRange(echo.Steps.Select(s => new LoopbackStep(s.Name, s.Detail, s.ElapsedMicroseconds + offset)));
            result.Status = echo.Error is System.Net.Sockets.SocketError code
                ? LoopbackDiagnosis.AfterError(facts, result, address, code, echo.Stage, echo.Port)
                : LoopbackStatus.Success;
        }

        if (before is not null)
        {
            var after = ReadCounters(steps, clock);
            result.InterfaceCounters = after is null ? Array.Empty<InterfaceCounterDelta>() : Deltas(before, after);
        }

        result.Steps = options.Detailed ? steps : Array.Empty<LoopbackStep>();
        return result;
    }

    /// <summary>A loopback name that did not resolve: a result that says why (<paramref name="diagnosis"/>), rather than a bare error.</summary>
    public LoopbackTestResult NotResolved(string name, string diagnosis)
    {
        return new LoopbackTestResult(name)
        {
            Protocol = options.Protocol,
            Count = options.Count,
            IsLoopbackAddress = LoopbackNames.IsLoopbackName(name),
            Status = LoopbackStatus.NameNotResolved,
            Diagnosis = diagnosis,
        };
    }

    /// <summary>The counters are a view of the check, not part of it: failing to read them is noted, not fatal.</summary>
    private IReadOnlyList<NetInterfaceInfo>? ReadCounters(List<LoopbackStep> steps, Stopwatch clock)
    {
        try
        {
            return counters?.GetInterfaces();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            steps.Add(new LoopbackStep("interface counters", "could not be read: " + e.Message, clock.Elapsed.TotalMilliseconds * 1000));
            return null;
        }
    }

    private static IReadOnlyList<InterfaceCounterDelta> Deltas(IReadOnlyList<NetInterfaceInfo> before, IReadOnlyList<NetInterfaceInfo> after) =>
        after.Select(a =>
        {
            var b = before.FirstOrDefault(x => x.InterfaceIndex == a.InterfaceIndex);
            // A counter that went down was reset (the interface was re-created): count from zero.
            long Delta(ulong? now, ulong? then) => now is ulong n && then is ulong t ? (long)Math.Min(n >= t ? n - t : n, long.MaxValue) : 0;
            return new InterfaceCounterDelta(a.Name, a.IsLoopback,
                Delta(a.ReceivedBytes, b?.ReceivedBytes), Delta(a.SentBytes, b?.SentBytes),
                Delta(a.ReceivedPackets, b?.ReceivedPackets), Delta(a.SentPackets, b?.SentPackets));
        }).ToArray();
}

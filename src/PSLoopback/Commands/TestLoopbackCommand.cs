using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using PSLoopback.Addressing;
using PSLoopback.Loopback;
using PSLoopback.Platform;

namespace PSLoopback.Commands;

/// <summary>
/// Test-Loopback: is X loopback, does traffic to it stay on this host, and do real round trips through the
/// loopback interface work, how fast; with no target, the machine's self-check.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "Loopback")]
[OutputType(typeof(LoopbackTestResult), typeof(bool))]
public sealed class TestLoopbackCommand : PSCmdlet
{
    private static readonly TimeSpan NameTimeout = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource stopping = new();
    private LoopbackTester? tester;
    private readonly List<LoopbackTestResult> portResults = new();
    private bool allSucceeded = true;
    private bool anyTested;

    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ComputerName", "TargetName", "RemoteAddress", "Destination", "IPAddress")]
    [ValidateNotNullOrEmpty]
    public string[]? Target { get; set; }

    [Parameter]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    [Parameter]
    public LoopbackProtocol Protocol { get; set; } = LoopbackProtocol.Tcp;

    [Parameter]
    [ValidateRange(1, 10_000_000)]
    public int Count { get; set; } = 4;

    [Parameter]
    [ValidateRange(1, 65000)]
    public int PayloadSize { get; set; } = 32;

    [Parameter]
    [ValidateRange(0.001, 2000)]
    public double TimeoutSeconds { get; set; } = 2;

    [Parameter]
    public SwitchParameter Quiet { get; set; }

    [Parameter]
    public SwitchParameter Detailed { get; set; }

    private int? PortOrNull => MyInvocation.BoundParameters.ContainsKey(nameof(Port)) ? Port : null;

    protected override void BeginProcessing()
    {
        if (PortOrNull is not null && Protocol != LoopbackProtocol.Tcp)
        {
            ThrowTerminatingError(new ErrorRecord(
                new PSArgumentException("-Port checks a TCP service by connecting to it; -Protocol Udp and Http apply to the echo test without -Port."),
                "PortWithProtocol", ErrorCategory.InvalidArgument, Protocol));
        }

        LoopbackFacts? facts = null;
        try
        {
            facts = LoopbackFactSource.Read();
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ThrowTerminatingError(new ErrorRecord(e, "FactsUnavailable", ErrorCategory.ReadError, null));
        }

        tester = new LoopbackTester(facts!, new LoopbackTestOptions
        {
            Protocol = Protocol,
            Count = Count,
            PayloadSize = PayloadSize,
            Timeout = TimeSpan.FromSeconds(TimeoutSeconds),
            Port = PortOrNull,
            Detailed = Detailed,
        }, InterfaceSources.ForCurrentOS());
    }

    protected override void ProcessRecord()
    {
        if (Target is null)
        {
            SelfCheck();
            return;
        }

        foreach (var target in Target)
        {
            TestTarget(target);
        }
    }

    protected override void EndProcessing()
    {
        WriteProgress(new ProgressRecord(1, "Test-Loopback", "done") { RecordType = ProgressRecordType.Completed });
        if (PortOrNull is int port)
        {
            // The ::1-first trap shows only across families, which may come from different targets of the call.
            LoopbackDiagnosis.AcrossFamilies(portResults, port);
            foreach (var result in portResults)
            {
                Write(result);
            }
        }

        if (Quiet)
        {
            WriteObject(anyTested && allSucceeded);
        }
    }

    protected override void StopProcessing() => stopping.Cancel();

    private void SelfCheck()
    {
        var clock = Stopwatch.StartNew();
        IPAddress[] localhost;
        LoopbackTestResult? unresolved = null;
        try
        {
            localhost = Destination.Resolve("localhost", NameTimeout);
        }
        catch (Exception e) when (e is SocketException or TimeoutException)
        {
            unresolved = tester!.NotResolved("localhost", e.Message);
            localhost = Array.Empty<IPAddress>();
        }

        var resolved = clock.Elapsed.TotalMilliseconds * 1000;
        var targets = tester!.SelfCheckTargets(localhost, new Random());
        var results = new List<LoopbackTestResult>();
        for (var i = 0; i < targets.Count && !stopping.IsCancellationRequested; i++)
        {
            var (target, address, named) = targets[i];
            Progress($"{target} ({address})", i, targets.Count);
            results.Add(Test(target, address, named, named ? resolved : null, localhost));
        }

        // Where localhost's results would stand: after 127.0.0.1 and ::1.
        if (unresolved is not null)
        {
            results.Insert(Math.Min(PortOrNull is null ? 2 : 0, results.Count), unresolved);
        }

        Emit(results);
    }

    private void TestTarget(string target)
    {
        if (Destination.TryParseAddress(target, out var address))
        {
            Progress(target, 0, 1);
            Emit(new[] { Test(target, address, false, null, Array.Empty<IPAddress>()) });
            return;
        }

        var named = LoopbackNames.IsLoopbackName(target);
        if (Uri.CheckHostName(target) != UriHostNameType.Dns)
        {
            Failed(new ErrorRecord(new PSArgumentException($"'{target}' is neither an IP address nor a host name."), "InvalidTarget", ErrorCategory.InvalidArgument, target));
            return;
        }

        var clock = Stopwatch.StartNew();
        IPAddress[] addresses;
        try
        {
            addresses = Destination.Resolve(target, NameTimeout);
        }
        catch (Exception e) when (e is SocketException or TimeoutException or ArgumentException)
        {
            if (named)
            {
                Emit(new[] { tester!.NotResolved(target, e.Message) });
                return;
            }

            Failed(new ErrorRecord(new ItemNotFoundException($"The host name '{target}' does not resolve: {e.Message}", e), "NameNotResolved", ErrorCategory.ObjectNotFound, target));
            return;
        }

        var resolved = clock.Elapsed.TotalMilliseconds * 1000;
        var results = new List<LoopbackTestResult>();
        for (var i = 0; i < addresses.Length && !stopping.IsCancellationRequested; i++)
        {
            Progress($"{target} ({addresses[i]})", i, addresses.Length);
            results.Add(Test(target, addresses[i], named, resolved, addresses));
        }

        Emit(results);
    }

    private LoopbackTestResult Test(string target, IPAddress address, bool named, double? resolvedMicroseconds, IReadOnlyList<IPAddress> resolvedTo)
    {
        var result = tester!.Test(target, address, named, stopping.Token, done => Progress($"{target} ({address}): {done} of {Count} round trips", done, Count));
        if (named && !result.IsLoopbackAddress)
        {
            result.Diagnosis = (result.Diagnosis is null ? string.Empty : result.Diagnosis + " ")
                + LoopbackDiagnosis.HostsText(tester.Facts, target, resolvedTo);
        }

        if (Detailed && resolvedMicroseconds is double micros)
        {
            result.Steps = new[] { new LoopbackStep("name resolution", $"{target} -> {string.Join(", ", resolvedTo)}", micros) }
                .Concat(result.Steps.Select(s => new LoopbackStep(s.Name, s.Detail, s.ElapsedMicroseconds + micros)))
                .ToArray();
        }

        return result;
    }

    private void Emit(IReadOnlyList<LoopbackTestResult> results)
    {
        if (PortOrNull is not null)
        {
            portResults.AddRange(results);
            return;
        }

        foreach (var result in results)
        {
            Write(result);
        }
    }

    private void Write(LoopbackTestResult result)
    {
        anyTested = true;
        allSucceeded &= result.Succeeded;
        if (!Quiet)
        {
            WriteObject(result);
        }
    }

    private void Failed(ErrorRecord error)
    {
        allSucceeded = false;
        WriteError(error);
    }

    private void Progress(string what, int done, int total)
    {
        WriteProgress(new ProgressRecord(1, "Test-Loopback", what)
        {
            PercentComplete = total > 0 ? (int)Math.Min(100, 100L * done / total) : 0,
        });
    }
}

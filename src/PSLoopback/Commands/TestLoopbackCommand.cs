using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Management.Automation;
using System.Threading;
using PSLoopback.Addressing;
using PSLoopback.Conversion;
using PSLoopback.Loopback;
using PSLoopback.Output;
using PSLoopback.Platform;

namespace PSLoopback.Commands;

/// <summary>
/// Test-Loopback: is X loopback, does traffic to it stay on this host, and do real round trips through the
/// loopback interface work, how fast; with no target, the machine's self-check.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "Loopback", DefaultParameterSetName = TargetSet)]
[OutputType(typeof(LoopbackResult), typeof(bool))]
public sealed class TestLoopbackCommand : PSCmdlet
{
    private const string TargetSet = "Target";
    private const string InterfaceSet = "Interface";
    private const string SocketSet = "Socket";

    private readonly CancellationTokenSource stopping = new();
    private LoopbackTester? tester;
    private LoopbackFacts? facts;

    // Results with a port wait for the end: the diagnosis looks across families and names the listeners, by port.
    private readonly Dictionary<int, List<LoopbackTestResult>> portResults = new();
    private readonly List<int> ports = new();
    private readonly Dictionary<int, LoopbackTester> socketTesters = new();
    private ListenerFacts? listeners;
    private bool listenersRead;
    private bool allSucceeded = true;
    private bool anyTested;

    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = TargetSet)]
    [Alias("ComputerName", "TargetName", "RemoteAddress", "Destination", "IPAddress")]
    [DestinationTransformation]
    [ValidateNotNullOrEmpty]
    public string[]? Target { get; set; }

    /// <summary>Interfaces from Get-NetInterfaceInfo: each of their addresses is tested.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InterfaceSet)]
    [PipedInterfaceTransformation]
    [ValidateNotNull]
    public PipedInterface[]? InputObject { get; set; }

    /// <summary>Listening TCP sockets from Get-NetSocketInfo: each is tested on its own port, at its address (loopback for a wildcard).</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = SocketSet)]
    [ValidateNotNull]
    public NetSocket[]? Socket { get; set; }

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
        if ((PortOrNull is not null || ParameterSetName == SocketSet) && Protocol != LoopbackProtocol.Tcp)
        {
            ThrowTerminatingError(new ErrorRecord(
                new PSArgumentException("-Port and piped sockets check a TCP service by connecting to it; -Protocol Udp and Http apply to the echo test without them."),
                "PortWithProtocol", ErrorCategory.InvalidArgument, Protocol));
        }

        if (PortOrNull is not null && ParameterSetName == SocketSet)
        {
            ThrowTerminatingError(new ErrorRecord(
                new PSArgumentException("Each piped socket gives its own port: leave out -Port."),
                "PortWithSocket", ErrorCategory.InvalidArgument, Port));
        }

        try
        {
            var clock = Stopwatch.StartNew();
            facts = LoopbackFactSource.Read(stopping.Token);
            WriteVerbose($"Read {facts.Interfaces.Count} interfaces{(facts.Resolver is null ? string.Empty : " and the routing tables")} in {clock.Elapsed.TotalMilliseconds:0.0} ms; {facts.HostsPath} is read only if a name needs it.");
            // Verbose, not warnings: none of these facts decides a loopback answer, and -Quiet scripts must stay quiet.
            foreach (var warning in facts.SourceWarnings)
            {
                WriteVerbose(warning);
            }
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ThrowTerminatingError(new ErrorRecord(e, "FactsUnavailable", ErrorCategory.ReadError, null));
        }

        tester = NewTester(PortOrNull);
    }

    private LoopbackTester NewTester(int? port) =>
        new(facts!, new LoopbackTestOptions
        {
            Protocol = Protocol,
            Count = Count,
            PayloadSize = PayloadSize,
            Timeout = TimeSpan.FromSeconds(TimeoutSeconds),
            Port = port,
            Detailed = Detailed,
        }, InterfaceSources.ForCurrentOS(), name => Destination.Resolve(name, Destination.NameTimeout));

    protected override void ProcessRecord()
    {
        if (Socket is not null)
        {
            foreach (var socket in Socket)
            {
                TestSocket(socket);
            }

            return;
        }

        if (Target is null && InputObject is null)
        {
            Emit(tester!.SelfCheck(new Random(), stopping.Token, Progress), PortOrNull);
            return;
        }

        foreach (var target in Target ?? InterfaceAddresses.Of(this, InputObject!))
        {
            var outcome = tester!.TestTarget(target, stopping.Token, Progress);
            switch (outcome.Problem)
            {
                case LoopbackTargetProblem.InvalidTarget:
                    Failed(new ErrorRecord(new PSArgumentException(outcome.Message), "InvalidTarget", ErrorCategory.InvalidArgument, target));
                    break;
                case LoopbackTargetProblem.NameNotResolved:
                    Failed(new ErrorRecord(new ItemNotFoundException(outcome.Message, outcome.Cause), "NameNotResolved", ErrorCategory.ObjectNotFound, target));
                    break;
                default:
                    Emit(outcome.Results, PortOrNull);
                    break;
            }
        }
    }

    /// <summary>A listener's service, tried where a client on this host would reach it.</summary>
    private void TestSocket(NetSocket socket)
    {
        var source = socket.Source;
        if (source.Protocol != Sockets.SocketProtocol.Tcp || source.State != Sockets.SocketState.Listen)
        {
            Failed(new ErrorRecord(
                new PSArgumentException($"{socket.Text}: only a listening TCP socket is a service Test-Loopback can connect to."),
                "NotAListener", ErrorCategory.InvalidArgument, socket));
            return;
        }

        var port = source.LocalPort;
        if (!socketTesters.TryGetValue(port, out var forPort))
        {
            socketTesters[port] = forPort = NewTester(port);
        }

        Emit(forPort.TestTarget(Sockets.ListenerLookup.LocalTarget(source).ToString(), stopping.Token, Progress).Results, port);
    }

    protected override void EndProcessing()
    {
        if (facts is { HostsRead: true })
        {
            var scan = facts.Hosts;
            WriteVerbose($"Read {scan.Path}: {scan.Status}, {scan.Lines} lines, {scan.Entries.Count} for loopback names"
                + (scan.LongLines > 0 ? $", {scan.LongLines} lines too long to be host entries skipped" : string.Empty)
                + (scan.StoppedBecause is null ? string.Empty : "; " + scan.StoppedBecause) + ".");
        }

        WriteProgress(new ProgressRecord(1, "Test-Loopback", "done") { RecordType = ProgressRecordType.Completed });
        foreach (var port in ports)
        {
            // The ::1-first trap shows only across families, which may come from different targets of the call.
            var results = portResults[port];
            LoopbackDiagnosis.AcrossFamilies(results, port);
            NameListeners(results, port);
            foreach (var result in results)
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

    /// <summary>
    /// Reads the listening sockets once, after the connects, and lets Core say who listens where. -Quiet
    /// returns only the Boolean, which the listeners do not change, so it reads nothing.
    /// </summary>
    private void NameListeners(List<LoopbackTestResult> results, int port)
    {
        if (Quiet || results.Count == 0)
        {
            return;
        }

        if (!listenersRead)
        {
            listenersRead = true;
            var clock = Stopwatch.StartNew();
            var os = facts!.OS;
            var (read, warning) = ListenerFacts.Read(SocketSources.ForCurrentOS(), SocketSources.Description, os, os == HostOS.Linux ? CurrentUser.Id() : null, Environment.UserName, facts.Interfaces);
            if (read is null)
            {
                WriteWarning(warning);
                return;
            }

            listeners = read;
            foreach (var missing in read.SourceWarnings)
            {
                WriteWarning(missing);
            }

            WriteVerbose($"Read {read.Sockets.Count} listening TCP sockets from {SocketSources.Description} in {clock.Elapsed.TotalMilliseconds:0.0} ms.");
        }

        if (listeners is null)
        {
            return;
        }

        foreach (var exposed in ListenerDiagnosis.Apply(results, port, listeners, Detailed))
        {
            WriteWarning(exposed);
        }
    }

    private void Emit(IReadOnlyList<LoopbackTestResult> results, int? port)
    {
        if (port is int key)
        {
            if (!portResults.TryGetValue(key, out var list))
            {
                portResults[key] = list = new List<LoopbackTestResult>();
                ports.Add(key);
            }

            list.AddRange(results);
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
            WriteObject(new LoopbackResult(result));
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

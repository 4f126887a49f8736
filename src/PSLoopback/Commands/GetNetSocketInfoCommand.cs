using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Net.Sockets;
using PSLoopback.Addressing;
using PSLoopback.Completion;
using PSLoopback.Output;
using PSLoopback.Platform;
using PSLoopback.Sockets;

namespace PSLoopback.Commands;

/// <summary>Get-NetSocketInfo: the host's TCP and UDP sockets, who owns them, and who can reach them.</summary>
[Cmdlet(VerbsCommon.Get, "NetSocketInfo")]
[OutputType(typeof(NetSocket))]
public sealed class GetNetSocketInfoCommand : PSCmdlet
{
    private IReadOnlyList<NetSocketInfo> snapshot = Array.Empty<NetSocketInfo>();
    private SocketFilter filter = new();
    private bool processNameOnCommandLine;
    private List<WildcardPattern>? commandLineNames;

    // A filter whose every value was unreadable selects nothing, rather than every socket.
    private bool nothingSelected;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public SocketProtocol[]? Protocol { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public SocketState[]? State { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ValidateRange(0, 65535)]
    public int[]? LocalPort { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? LocalAddress { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    [ValidateRange(0, 65535)]
    public int[]? RemotePort { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? RemoteAddress { get; set; }

    /// <summary>Pids; Get-Process objects bind by their Id.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Id", "Pid")]
    [ValidateNotNullOrEmpty]
    public int[]? OwningProcess { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(SocketProcessNameCompleter))]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[]? ProcessName { get; set; }

    protected override void BeginProcessing()
    {
        // Parameters bound before the first record came from the command line; the rest come per piped object.
        processNameOnCommandLine = MyInvocation.BoundParameters.ContainsKey(nameof(ProcessName));
        commandLineNames = processNameOnCommandLine ? Patterns(ProcessName) : null;
        nothingSelected = commandLineNames is { Count: 0 };
        filter = new SocketFilter
        {
            Protocols = Protocol,
            States = State,
            LocalPorts = LocalPort,
            RemotePorts = RemotePort,
            LocalAddresses = Prefixes(LocalAddress, nameof(LocalAddress)),
            RemoteAddresses = Prefixes(RemoteAddress, nameof(RemoteAddress)),
        };
        if (nothingSelected)
        {
            return;
        }

        try
        {
            var clock = Stopwatch.StartNew();
            var source = SocketSources.ForCurrentOS();
            snapshot = source.GetSockets(filter.ToRequest());
            SourceWarnings.Write(this, source);
            WriteVerbose($"Read {snapshot.Count} sockets from {SocketSources.Description} in {clock.Elapsed.TotalMilliseconds:0.0} ms.");
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ThrowTerminatingError(new ErrorRecord(e, "SocketListUnavailable", ErrorCategory.ReadError, null));
        }
    }

    protected override void ProcessRecord()
    {
        if (nothingSelected)
        {
            return;
        }

        filter.OwningProcesses = OwningProcess;

        // A piped process object binds both its Id and its name; the pid names it exactly, while a name may be
        // spelled differently by the OS's process list and its socket owners (Linux truncates comm to 15 bytes).
        var names = processNameOnCommandLine ? commandLineNames : OwningProcess is null ? Patterns(ProcessName) : null;
        if (names is { Count: 0 })
        {
            return;
        }

        foreach (var socket in snapshot)
        {
            if (filter.Matches(socket) && (names is null || (socket.ProcessName is string name && names.Any(p => p.IsMatch(name)))))
            {
                WriteObject(new NetSocket(socket));
            }
        }
    }

    /// <summary>Each value as a prefix (an address is its host prefix); an unreadable one is an error naming it.</summary>
    private List<IPPrefix>? Prefixes(string[]? values, string parameter)
    {
        if (values is null)
        {
            return null;
        }

        var prefixes = new List<IPPrefix>();
        foreach (var value in values)
        {
            if (IPPrefix.TryParse(value, out var prefix))
            {
                prefixes.Add(prefix);
            }
            else if (Destination.TryParseAddress(value, out var zoned))
            {
                // An address with a zone (fe80::1%2): sockets report the address, the zone is their bound device.
                prefixes.Add(new IPPrefix(zoned, zoned.AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
            }
            else
            {
                WriteError(new ErrorRecord(
                    new PSArgumentException($"-{parameter} '{value}' is not an IP address or prefix (such as 127.0.0.1, ::1 or 10.0.0.0/8)."),
                    "InvalidAddress", ErrorCategory.InvalidArgument, value));
            }
        }

        nothingSelected |= prefixes.Count == 0;
        return prefixes;
    }

    /// <summary>The wildcard patterns of the names; an unreadable one is an error naming it.</summary>
    private List<WildcardPattern>? Patterns(string[]? values)
    {
        if (values is null)
        {
            return null;
        }

        var patterns = new List<WildcardPattern>();
        foreach (var value in values)
        {
            var pattern = new WildcardPattern(value, WildcardOptions.IgnoreCase);
            try
            {
                pattern.IsMatch(string.Empty);
                patterns.Add(pattern);
            }
            catch (WildcardPatternException e)
            {
                WriteError(new ErrorRecord(
                    new PSArgumentException($"-ProcessName '{value}' is not a valid wildcard pattern: {e.Message} Escape [ and ] with a backtick (`[) to match them literally.", e),
                    "InvalidWildcardPattern", ErrorCategory.InvalidArgument, value));
            }
        }

        return patterns;
    }
}

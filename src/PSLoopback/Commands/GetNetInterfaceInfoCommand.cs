using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using PSLoopback.Addressing;
using PSLoopback.Completion;
using PSLoopback.Conversion;
using PSLoopback.Interfaces;
using PSLoopback.Output;
using PSLoopback.Platform;

namespace PSLoopback.Commands;

/// <summary>Get-NetInterfaceInfo: the machine's network interfaces, their addresses and counters.</summary>
[Cmdlet(VerbsCommon.Get, "NetInterfaceInfo", DefaultParameterSetName = NameSet)]
[OutputType(typeof(NetInterface))]
public sealed class GetNetInterfaceInfoCommand : PSCmdlet
{
    // Two sets, so that an object with only an ifIndex property binds to -InterfaceIndex instead of being
    // turned into a string for -Name.
    private const string NameSet = "Name";
    private const string IndexSet = "InterfaceIndex";

    private IReadOnlyList<NetInterfaceInfo> snapshot = Array.Empty<NetInterfaceInfo>();

    [Parameter(ParameterSetName = NameSet, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("InterfaceAlias", "ifAlias")]
    [ArgumentCompleter(typeof(InterfaceNameCompleter))]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    [Parameter(ParameterSetName = IndexSet, Mandatory = true, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ifIndex", "Index")]
    [ValidateRange(1, int.MaxValue)]
    public int[]? InterfaceIndex { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public IPAddressFamily[]? AddressFamily { get; set; }

    [Parameter]
    public SwitchParameter Loopback { get; set; }

    [Parameter]
    public InterfaceStatus[]? Status { get; set; }

    protected override void BeginProcessing()
    {
        try
        {
            var clock = Stopwatch.StartNew();
            var source = InterfaceSources.ForCurrentOS();
            snapshot = source.GetInterfaces();
            SourceWarnings.Write(this, source);
            WriteVerbose($"Read {snapshot.Count} interfaces from {InterfaceSources.Description} in {clock.Elapsed.TotalMilliseconds:0.0} ms.");
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ThrowTerminatingError(new ErrorRecord(e, "InterfaceListUnavailable", ErrorCategory.ReadError, null));
        }
    }

    protected override void ProcessRecord()
    {
        IEnumerable<NetInterfaceInfo> selected = snapshot;
        if (Name is not null)
        {
            var matches = new HashSet<int>();
            foreach (var name in Name)
            {
                if (NamePatterns.Match(this, name, snapshot, i => i.Name, "No network interface named '{0}' was found.") is { } found)
                {
                    matches.UnionWith(found.Select(i => i.InterfaceIndex));
                }
            }

            selected = selected.Where(i => matches.Contains(i.InterfaceIndex));
        }

        if (InterfaceIndex is not null)
        {
            foreach (var index in InterfaceIndex.Where(x => snapshot.All(i => i.InterfaceIndex != x)))
            {
                WriteNotFound($"No network interface with index {index} was found.", index);
            }

            selected = selected.Where(i => InterfaceIndex.Contains(i.InterfaceIndex));
        }

        var filter = new InterfaceFilter
        {
            AddressFamilies = AddressFamily,
            Loopback = MyInvocation.BoundParameters.ContainsKey(nameof(Loopback)) ? Loopback.IsPresent : null,
            Status = Status,
        };
        foreach (var item in filter.Apply(selected))
        {
            WriteObject(new NetInterface(item));
        }
    }

    private void WriteNotFound(string message, object target) =>
        WriteError(new ErrorRecord(new ItemNotFoundException(message), "InterfaceNotFound", ErrorCategory.ObjectNotFound, target));
}

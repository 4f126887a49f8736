using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using PSLoopback.Addressing;
using PSLoopback.Completion;
using PSLoopback.Interfaces;
using PSLoopback.Platform;

namespace PSLoopback.Commands;

/// <summary>Get-NetInterfaceInfo: the machine's network interfaces, their addresses and counters.</summary>
[Cmdlet(VerbsCommon.Get, "NetInterfaceInfo", DefaultParameterSetName = NameSet)]
[OutputType(typeof(NetInterfaceInfo))]
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

    [Parameter(ParameterSetName = IndexSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ifIndex", "Index")]
    [ValidateRange(1, int.MaxValue)]
    public int[]? InterfaceIndex { get; set; }

    [Parameter]
    public IPAddressFamily AddressFamily { get; set; }

    [Parameter]
    public SwitchParameter Loopback { get; set; }

    [Parameter]
    public InterfaceStatus[]? Status { get; set; }

    protected override void BeginProcessing()
    {
        try
        {
            snapshot = InterfaceSources.ForCurrentOS().GetInterfaces();
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
                var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase);
                var found = snapshot.Where(i => pattern.IsMatch(i.Name)).ToList();
                if (found.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
                {
                    WriteNotFound($"No network interface named '{name}' was found.", name);
                }

                matches.UnionWith(found.Select(i => i.InterfaceIndex));
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
            AddressFamily = MyInvocation.BoundParameters.ContainsKey(nameof(AddressFamily)) ? AddressFamily : null,
            Loopback = MyInvocation.BoundParameters.ContainsKey(nameof(Loopback)) ? Loopback.IsPresent : null,
            Status = Status,
        };
        foreach (var item in filter.Apply(selected))
        {
            WriteObject(item);
        }
    }

    private void WriteNotFound(string message, object target) =>
        WriteError(new ErrorRecord(new ItemNotFoundException(message), "InterfaceNotFound", ErrorCategory.ObjectNotFound, target));
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using PSLoopback.Addressing;
using PSLoopback.Completion;
using PSLoopback.Conversion;
using PSLoopback.Output;
using PSLoopback.Platform;
using PSLoopback.Routing;

namespace PSLoopback.Commands;

/// <summary>Get-NetRouteInfo: the routes of every routing table, or with -Rule the policy rules.</summary>
[Cmdlet(VerbsCommon.Get, "NetRouteInfo", DefaultParameterSetName = RouteSet)]
[OutputType(typeof(NetRoute), ParameterSetName = new[] { RouteSet })]
[OutputType(typeof(NetRoutingRule), ParameterSetName = new[] { RuleSet })]
[OutputType(typeof(NetNextHopEntry), ParameterSetName = new[] { NextHopObjectSet })]
[OutputType(typeof(NetRouteCacheEntry), ParameterSetName = new[] { CacheSet })]
public sealed class GetNetRouteInfoCommand : PSCmdlet
{
    private const string RouteSet = "Route";
    private const string RuleSet = "Rule";
    private const string NextHopObjectSet = "NextHopObject";
    private const string CacheSet = "Cache";

    private RouteSnapshot? snapshot;
    private uint[]? tables;

    [Parameter(ParameterSetName = RouteSet, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[]? DestinationPrefix { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public IPAddressFamily[]? AddressFamily { get; set; }

    [Parameter]
    [ArgumentCompleter(typeof(RouteTableCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Table { get; set; }

    [Parameter(ParameterSetName = RouteSet, ValueFromPipelineByPropertyName = true)]
    [Alias("ifIndex")]
    [ValidateRange(1, int.MaxValue)]
    public int[]? InterfaceIndex { get; set; }

    [Parameter(ParameterSetName = RouteSet, ValueFromPipelineByPropertyName = true)]
    [Alias("ifAlias")]
    [ArgumentCompleter(typeof(InterfaceNameCompleter))]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[]? InterfaceAlias { get; set; }

    [Parameter(ParameterSetName = RouteSet)]
    public RouteType[]? RouteType { get; set; }

    [Parameter(ParameterSetName = RuleSet, Mandatory = true)]
    public SwitchParameter Rule { get; set; }

    [Parameter(ParameterSetName = NextHopObjectSet, Mandatory = true)]
    public SwitchParameter NextHopObject { get; set; }
    /// <summary>Linux: the route exception cache instead of the routes, as `ip route show cache` lists it.</summary>
    [Parameter(ParameterSetName = CacheSet, Mandatory = true)]
    public SwitchParameter Cache { get; set; }

    protected override void BeginProcessing()
    {
        if (Table is not null)
        {
            var wrong = Table.FirstOrDefault(t => !RouteTables.TryParse(t, out _));
            if (wrong is not null)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new PSArgumentException($"'{wrong}' is not a routing table: give main, local, default or a table number.", nameof(Table)),
                    "InvalidTable", ErrorCategory.InvalidArgument, wrong));
            }

            tables = Table.Select(RouteTables.Parse).ToArray();
        }

        try
        {
            var clock = Stopwatch.StartNew();
            var source = RouteSources.ForCurrentOS();
            snapshot = source.ReadSnapshot();
            SourceWarnings.Write(this, source);
            WriteVerbose($"Read {snapshot.Routes.Count} routes, {snapshot.Rules.Count} rules and {snapshot.Interfaces.Count} interfaces in {clock.Elapsed.TotalMilliseconds:0.0} ms.");
        }
        catch (PlatformNotSupportedException e)
        {
            ThrowTerminatingError(new ErrorRecord(e, "RoutesUnsupported", ErrorCategory.NotImplemented, null));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ThrowTerminatingError(new ErrorRecord(e, "RoutesUnavailable", ErrorCategory.ReadError, null));
        }

        if (snapshot!.OperatingSystem == HostOS.Windows && (Rule || NextHopObject || Cache || Table is not null || RouteType is not null))
        {
            var (parameter, id, why) = Rule ? (nameof(Rule), "RulesUnsupported", "no policy rules")
                : NextHopObject ? (nameof(NextHopObject), "NextHopObjectsUnsupported", "no nexthop objects")
                : Cache ? (nameof(Cache), "CacheUnsupported", "no route exception cache that it shows")
                : Table is not null ? (nameof(Table), "TablesUnsupported", "one routing table")
                : (nameof(RouteType), "RouteTypesUnsupported", "no route types (a multicast or loopback route is a route like any other)");
            ThrowTerminatingError(new ErrorRecord(
                new PSArgumentException($"Windows has {why}, so -{parameter} does not apply there: Get-NetRouteInfo alone lists Windows' one table, as Get-NetRoute does.", parameter),
                id, ErrorCategory.InvalidArgument, null));
        }
    }

    protected override void ProcessRecord()
    {
        var facts = snapshot!;
        var family = Families.OneOrNone(AddressFamily);
        if (Rule)
        {
            foreach (var rule in facts.Rules.Where(r => (family is null || r.AddressFamily == family) && (tables is null || tables.Contains(r.Table))))
            {
                WriteObject(new NetRoutingRule(rule));
            }

            return;
        }

        if (NextHopObject)
        {
            // A group has no family of its own (AF_UNSPEC), so it is listed for either.
            foreach (var nextHop in facts.NextHopObjects.Where(n => family is null || n.AddressFamily is null || n.AddressFamily == family))
            {
                WriteObject(new NetNextHopEntry(nextHop));
            }

            return;
        }

        if (Cache)
        {
            foreach (var entry in facts.Exceptions.Where(e => (family is null || e.AddressFamily == family) && (tables is null || tables.Contains(e.Table))))
            {
                WriteObject(new NetRouteCacheEntry(entry));
            }

            return;
        }

        var filter = new RouteFilter
        {
            AddressFamily = family,
            Tables = tables,
            RouteTypes = RouteType,
        };
        var selectors = ParsePrefixes();
        if (!TrySelectInterfaces(facts, out var indexes))
        {
            return;
        }

        filter.InterfaceIndexes = indexes;
        foreach (var route in filter.Apply(facts.Routes))
        {
            if (selectors is null || selectors.Any(matches => matches(route.DestinationPrefix)))
            {
                WriteObject(new NetRoute(route));
            }
        }
    }

    /// <summary>
    /// Each -DestinationPrefix is a prefix (192.0.2.0/24, default) or a wildcard pattern over the prefix's
    /// text. One that is neither is reported and left out; the others still select.
    /// </summary>
    private List<Func<IPPrefix, bool>>? ParsePrefixes()
    {
        if (DestinationPrefix is null)
        {
            return null;
        }

        var selectors = new List<Func<IPPrefix, bool>>();
        foreach (var text in DestinationPrefix)
        {
            if (WildcardPattern.ContainsWildcardCharacters(text) && TryPattern(text) is { } pattern)
            {
                selectors.Add(prefix => pattern.IsMatch(prefix.ToString()));
            }
            else if (WildcardPattern.ContainsWildcardCharacters(text))
            {
                continue;
            }
            else if (IPPrefix.TryParse(text, out var wanted))
            {
                selectors.Add(prefix => prefix == wanted);
            }
            else
            {
                WriteError(new ErrorRecord(
                    new PSArgumentException($"'{text}' is not a destination prefix such as 192.0.2.0/24, 2001:db8::/32 or default."),
                    "InvalidDestinationPrefix", ErrorCategory.InvalidArgument, text));
            }
        }

        return selectors;
    }

    private WildcardPattern? TryPattern(string text)
    {
        var pattern = new WildcardPattern(text, WildcardOptions.IgnoreCase);
        try
        {
            pattern.IsMatch(string.Empty);
            return pattern;
        }
        catch (WildcardPatternException e)
        {
            WriteError(new ErrorRecord(
                new PSArgumentException($"'{text}' is not a valid wildcard pattern: {e.Message}", e),
                "InvalidWildcardPattern", ErrorCategory.InvalidArgument, text));
            return null;
        }
    }

    private bool TrySelectInterfaces(RouteSnapshot facts, out IReadOnlyCollection<int>? indexes)
    {
        indexes = null;
        if (InterfaceIndex is null && InterfaceAlias is null)
        {
            return true;
        }

        var selected = new HashSet<int>();
        foreach (var index in InterfaceIndex ?? Array.Empty<int>())
        {
            if (facts.FindInterface(index) is null)
            {
                WriteError(new ErrorRecord(new ItemNotFoundException($"No network interface with index {index} was found."), "InterfaceNotFound", ErrorCategory.ObjectNotFound, index));
                continue;
            }

            selected.Add(index);
        }

        foreach (var name in InterfaceAlias ?? Array.Empty<string>())
        {
            if (NamePatterns.Match(this, name, facts.Interfaces, i => i.Name, "No network interface named '{0}' was found.") is { } found)
            {
                selected.UnionWith(found.Select(i => i.InterfaceIndex));
            }
        }

        indexes = selected;
        return selected.Count > 0;
    }
}

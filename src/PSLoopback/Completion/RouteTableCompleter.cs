using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using PSLoopback.Platform;
using PSLoopback.Routing;

namespace PSLoopback.Completion;

/// <summary>Completes routing table names: main, local, default, and the numbers of tables that hold routes.</summary>
public sealed class RouteTableCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName,
        string parameterName,
        string wordToComplete,
        CommandAst commandAst,
        IDictionary fakeBoundParameters)
    {
        var tables = new List<uint> { RouteTables.Main, RouteTables.Local, RouteTables.Default };
        try
        {
            tables.AddRange(RouteSources.ForCurrentOS().ReadSnapshot().Routes.Select(r => r.Table));
        }
        catch (Exception)
        {
            // Completion must never fail the line being typed; the named tables are still offered.
        }

        var pattern = new WildcardPattern((wordToComplete ?? string.Empty).Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        return tables.Distinct()
            .Select(RouteTables.Name)
            .Where(name => pattern.IsMatch(name))
            .Select(name => new CompletionResult(name, name, CompletionResultType.ParameterValue, "routing table " + name))
            .ToList();
    }
}

using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using PSLoopback.Platform;

namespace PSLoopback.Completion;

/// <summary>Completes interface names from a fresh read of the machine's interfaces.</summary>
public sealed class InterfaceNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName,
        string parameterName,
        string wordToComplete,
        CommandAst commandAst,
        IDictionary fakeBoundParameters)
    {
        var typed = (wordToComplete ?? string.Empty).Trim('\'', '"');
        var pattern = new WildcardPattern(typed + "*", WildcardOptions.IgnoreCase);
        IEnumerable<Interfaces.NetInterfaceInfo> interfaces;
        try
        {
            interfaces = InterfaceSources.ForCurrentOS().GetInterfaces();
        }
        catch (Exception)
        {
            // Completion must never fail the line being typed.
            return Array.Empty<CompletionResult>();
        }

        return interfaces
            .Where(i => pattern.IsMatch(i.Name))
            .Select(i => new CompletionResult(
                Quote(i.Name),
                i.Name,
                CompletionResultType.ParameterValue,
                $"{i.Name} (index {i.InterfaceIndex}, {i.InterfaceType}, {i.Status})"))
            .ToList();
    }

    private static string Quote(string name) =>
        name.IndexOfAny(new[] { ' ', '\'', '"', '$', '`', '(', ')', ';', ',', '{', '}', '@', '#', '&', '|' }) >= 0
            ? "'" + name.Replace("'", "''") + "'"
            : name;
}

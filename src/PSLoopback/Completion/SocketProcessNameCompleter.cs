using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using PSLoopback.Platform;
using PSLoopback.Sockets;

namespace PSLoopback.Completion;

/// <summary>Completes the names of the processes that own sockets; where the sockets cannot be read, or none has an owner this session may see, every process's name.</summary>
public sealed class SocketProcessNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName,
        string parameterName,
        string wordToComplete,
        CommandAst commandAst,
        IDictionary fakeBoundParameters)
    {
        var pattern = new WildcardPattern((wordToComplete ?? string.Empty).Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        List<(string Name, string Tip)> names;
        try
        {
            names = SocketSources.ForCurrentOS().GetSockets(new SocketRequest())
                .Where(s => s.ProcessName is not null)
                .GroupBy(s => s.ProcessName!)
                .Select(g => (g.Key, $"{g.Key}: {Describe(g)}"))
                .ToList();
        }
        catch (Exception)
        {
            // Completion must never fail the line being typed.
            names = new List<(string, string)>();
        }

        if (names.Count == 0)
        {
            names = AllProcessNames().Select(n => (n, n)).ToList();
        }

        return names
            .Where(n => pattern.IsMatch(n.Name))
            .OrderBy(n => n.Name, StringComparer.OrdinalIgnoreCase)
            .Select(n => new CompletionResult(Quote(n.Name), n.Name, CompletionResultType.ParameterValue, n.Tip))
            .ToList();
    }

    private static string Describe(IEnumerable<NetSocketInfo> sockets)
    {
        var list = sockets.ToList();
        var listening = list.Where(s => s.State == SocketState.Listen).Select(s => s.LocalPort).Distinct().OrderBy(p => p).Take(8).ToList();
        return $"{list.Count} sockets" + (listening.Count > 0 ? ", listening on " + string.Join(", ", listening) : string.Empty);
    }

    private static IEnumerable<string> AllProcessNames()
    {
        var names = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var process in Process.GetProcesses())
        {
            using (process)
            {
                try
                {
                    names.Add(process.ProcessName);
                }
                catch (InvalidOperationException)
                {
                    // The process ended while we listed it.
                }
            }
        }

        return names;
    }

    private static string Quote(string name) =>
        name.IndexOfAny(new[] { ' ', '\'', '"', '$', '`', '(', ')', ';', ',', '{', '}', '@', '#', '&', '|', '[', ']', '*', '?' }) >= 0
            ? "'" + name.Replace("'", "''") + "'"
            : name;
}

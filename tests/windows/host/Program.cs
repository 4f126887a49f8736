using System;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Microsoft.PowerShell;

// Runs one script file, as `pwsh -NoProfile -File SCRIPT args` would, with PowerShell's own console host
// left out: under Wine, with its output redirected, a process has no console, and that host refuses to start.
// Arguments: `-Name value` and `-Name:value` bind by name, a `-Name` followed by another or by nothing is a
// switch, anything else binds by position. Output goes out as it comes: objects formatted by Out-String,
// Write-Host and verbose text on stdout, errors and warnings on stderr. The exit code is 1 after a
// terminating error, else $LASTEXITCODE: the script's `exit N`, but also what the last native program or
// Pester left there (this API cannot tell them apart), so the suite reports its counts in a file instead.
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: pslb-pwsh SCRIPT.ps1 [-Name value | -Switch | value]...");
    return 2;
}

var state = InitialSessionState.CreateDefault2();
state.ExecutionPolicy = ExecutionPolicy.Bypass;
using var runspace = RunspaceFactory.CreateRunspace(state);
runspace.Open();
using var shell = PowerShell.Create(runspace);

var script = new Command(args[0]);
for (var i = 1; i < args.Length; i++)
{
    var argument = args[i];
    if (argument.Length < 2 || argument[0] != '-' || !char.IsLetter(argument[1]))
    {
        script.Parameters.Add(null, argument);
        continue;
    }

    var colon = argument.IndexOf(':');
    if (colon > 0)
    {
        script.Parameters.Add(argument[1..colon], argument[(colon + 1)..]);
    }
    else if (i + 1 < args.Length && !args[i + 1].StartsWith('-'))
    {
        script.Parameters.Add(argument[1..], args[++i]);
    }
    else
    {
        script.Parameters.Add(argument[1..], true);
    }
}

shell.Commands.AddCommand(script);
shell.AddCommand("Out-String").AddParameter("Stream");

shell.Streams.Error.DataAdded += (_, e) => WriteError(shell.Streams.Error[e.Index]);
shell.Streams.Warning.DataAdded += (_, e) => Console.Error.WriteLine("WARNING: " + shell.Streams.Warning[e.Index].Message);
shell.Streams.Verbose.DataAdded += (_, e) => Console.WriteLine("VERBOSE: " + shell.Streams.Verbose[e.Index].Message);
shell.Streams.Information.DataAdded += (_, e) =>
{
    var data = shell.Streams.Information[e.Index].MessageData;
    if (data is HostInformationMessage { NoNewLine: true } message)
    {
        Console.Write(message.Message);
    }
    else
    {
        Console.WriteLine(data);
    }
};

var output = new PSDataCollection<PSObject>();
output.DataAdded += (_, e) => Console.WriteLine(output[e.Index]);
try
{
    shell.Invoke(null, output);
}
catch (RuntimeException e)
{
    WriteError(e.ErrorRecord);
    Console.Error.WriteLine(e.ErrorRecord.ScriptStackTrace);
    return 1;
}

return runspace.SessionStateProxy.GetVariable("LASTEXITCODE") is int code ? code : 0;

static void WriteError(ErrorRecord record)
{
    Console.Error.WriteLine(record.ToString());
    if (record.InvocationInfo?.PositionMessage is { Length: > 0 } position)
    {
        Console.Error.WriteLine(position);
    }
}

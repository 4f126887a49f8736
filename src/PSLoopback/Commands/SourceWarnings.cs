using System.Management.Automation;
using PSLoopback.Platform;

namespace PSLoopback.Commands;

/// <summary>Writes what a source could not read (an OS function missing or failing) as warnings, so an answer with gaps says so.</summary>
internal static class SourceWarnings
{
    public static void Write(Cmdlet cmdlet, object source)
    {
        if (source is ISourceWarnings partial)
        {
            foreach (var warning in partial.Warnings)
            {
                cmdlet.WriteWarning(warning);
            }
        }
    }
}

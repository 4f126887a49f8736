using System;
using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using System.Runtime.InteropServices;
using PSLoopback.Output;
using PSLoopback.Platform;

namespace PSLoopback.Commands;

/// <summary>
/// Get-NetRouteSnapshot: this machine's whole routing state in one object, to save or send and ask
/// Resolve-NetRoute -Snapshot about elsewhere.
/// </summary>
[Cmdlet(VerbsCommon.Get, "NetRouteSnapshot")]
[OutputType(typeof(NetRouteSnapshot))]
public sealed class GetNetRouteSnapshotCommand : PSCmdlet
{
    protected override void EndProcessing()
    {
        try
        {
            var clock = Stopwatch.StartNew();
            var source = RouteSources.ForCurrentOS();
            var snapshot = source.ReadSnapshot();
            SourceWarnings.Write(this, source);
            WriteVerbose($"Read {snapshot.Routes.Count} routes, {snapshot.Rules.Count} rules and {snapshot.Interfaces.Count} interfaces in {clock.Elapsed.TotalMilliseconds:0.0} ms.");
            var takenAt = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
            WriteObject(new NetRouteSnapshot(snapshot, Environment.MachineName, takenAt, RunningOS.Name, RuntimeInformation.OSDescription));
        }
        catch (PlatformNotSupportedException e)
        {
            ThrowTerminatingError(new ErrorRecord(e, "RoutesUnsupported", ErrorCategory.NotImplemented, null));
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            ThrowTerminatingError(new ErrorRecord(e, "RoutesUnavailable", ErrorCategory.ReadError, null));
        }
    }
}

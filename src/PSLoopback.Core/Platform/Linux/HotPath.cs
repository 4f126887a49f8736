using System.Runtime.CompilerServices;

namespace PSLoopback.Platform.Linux;

/// <summary>
/// MethodImplOptions.AggressiveOptimization, which netstandard2.0 does not name (the runtime reads the bit; .NET
/// Framework never runs these Linux methods). A PowerShell session calls a listing a few times, or a few hundred
/// in a loop, and tiered compilation keeps such methods in unoptimized and then instrumented code for thousands of
/// calls on a busy machine (measured: a warm Get-NetInterfaceInfo took 1.6 times as long as with tiering off).
/// Marked methods are compiled optimized once, on their first call.
/// </summary>
internal static class HotPath
{
    public const MethodImplOptions Optimized = (MethodImplOptions)512;
}

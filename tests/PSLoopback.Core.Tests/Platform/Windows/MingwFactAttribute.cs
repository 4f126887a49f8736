using System;
using System.IO;
using System.Linq;

namespace PSLoopback.Core.Tests.Platform.Windows;

/// <summary>
/// A fact that needs the mingw-w64 C compiler for x64 Windows. xunit 2 decides skips when it finds the
/// tests, so the attribute looks for the compiler then: without it the test is reported skipped, with the reason.
/// </summary>
public sealed class MingwFactAttribute : FactAttribute
{
    public const string CompilerName = "x86_64-w64-mingw32-gcc";

    public MingwFactAttribute()
    {
        if (Compiler is null)
        {
            Skip = $"{CompilerName} is not on PATH (Debian package gcc-mingw-w64-x86-64; build.ps1 -Task Test installs it when run as root).";
        }
    }

    /// <summary>The compiler's path, or null when it is not installed.</summary>
    public static string? Compiler =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, CompilerName))
            .FirstOrDefault(File.Exists);
}

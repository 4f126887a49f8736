using System;
using System.ComponentModel;
using System.Diagnostics;

namespace PSLoopback.Platform.Windows;

/// <summary>A pid's process name, as Get-Process shows it.</summary>
internal static class ProcessNames
{
    /// <summary>
    /// The name, or null when the process has exited or may not be looked at. Windows names pid 0 (System
    /// Idle: the rows of connections no process holds, such as TIME_WAIT) and pid 4 (System: the kernel's
    /// own, such as http.sys) itself; .NET answers "Idle" and "System" for them.
    /// </summary>
    public static string? Of(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.ProcessName;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or Win32Exception or NotSupportedException)
        {
            return null;
        }
    }
}

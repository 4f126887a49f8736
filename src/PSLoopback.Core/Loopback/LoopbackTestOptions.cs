using System;

namespace PSLoopback.Loopback;

/// <summary>What Test-Loopback does for each address.</summary>
public sealed class LoopbackTestOptions
{
    public LoopbackProtocol Protocol { get; set; } = LoopbackProtocol.Tcp;

    public int Count { get; set; } = 4;

    public int PayloadSize { get; set; } = 32;

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Test a real service on this port instead of the module's own echo listener.</summary>
    public int? Port { get; set; }

    /// <summary>Record the journey's steps and every interface's counters.</summary>
    public bool Detailed { get; set; }
}

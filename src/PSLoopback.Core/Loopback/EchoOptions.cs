using System;

namespace PSLoopback.Loopback;

/// <summary>How the echo round trips are made.</summary>
public sealed class EchoOptions
{
    public LoopbackProtocol Protocol { get; set; } = LoopbackProtocol.Tcp;

    public int Count { get; set; } = 4;

    /// <summary>Bytes per round trip, at least 1 (the reply must be told apart from a closed connection).</summary>
    public int PayloadSize { get; set; } = 32;

    /// <summary>The longest wait for one step (connect, one reply).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);
}

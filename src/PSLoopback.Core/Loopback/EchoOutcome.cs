using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net.Sockets;

namespace PSLoopback.Loopback;

/// <summary>What the echo round trips did: how many came back, how long each took, and the error if one stopped them.</summary>
public sealed class EchoOutcome
{
    private readonly List<LoopbackStep> steps = new();

    public int Port { get; internal set; }

    public int RoundTrips { get; internal set; }

    /// <summary>Round-trip times in microseconds.</summary>
    public List<double> Samples { get; } = new();

    public long BytesSent { get; internal set; }

    public long BytesReceived { get; internal set; }

    /// <summary>The socket error that ended the round trips early, if any.</summary>
    public SocketError? Error { get; internal set; }

    /// <summary>Where the error happened: bind, connect, send or receive.</summary>
    public string? Stage { get; internal set; }

    public IReadOnlyList<LoopbackStep> Steps
    {
        get
        {
            lock (steps)
            {
                // Two threads record steps; on loopback the listener often reads before the sender's call returns.
                return steps.OrderBy(s => s.ElapsedMicroseconds).ToArray();
            }
        }
    }

    /// <summary>Records a step; the listener's thread and the client's both call this.</summary>
    internal void Step(string name, string detail, Stopwatch clock)
    {
        lock (steps)
        {
            steps.Add(new LoopbackStep(name, detail, clock.Elapsed.TotalMilliseconds * 1000));
        }
    }
}

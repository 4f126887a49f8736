using System.Linq;
using PSLoopback.Loopback;

namespace PSLoopback.Output;

/// <summary>One address tested by Test-Loopback, as text and numbers: what it is, where its packets go, whether round trips work.</summary>
public sealed class LoopbackResult
{
    private readonly LoopbackTestResult result;

    internal LoopbackResult(LoopbackTestResult result)
    {
        this.result = result;
        Steps = new TextList<LoopbackStep>(result.Steps, "; ");
        InterfaceCounters = new TextList<InterfaceCounterDelta>(result.InterfaceCounters, "; ");
        Listener = result.Listener is null ? null : new LoopbackListener(result.Listener);
        Listeners = result.Listeners is null ? null : new TextList<LoopbackListener>(result.Listeners.Select(s => new LoopbackListener(s)), "; ");
    }

    /// <summary>What was asked for: an address, a name, or the self-check's label for it.</summary>
    public string Target => result.Target;

    public string? RemoteAddress => OutputText.Of(result.RemoteAddress);

    public string? AddressFamily => OutputText.Of(result.AddressFamily);

    /// <summary>127.0.0.0/8, ::1 or ::ffff:127.x.y.z, or a name that means this host (localhost, *.localhost).</summary>
    public bool IsLoopbackAddress => result.IsLoopbackAddress;

    /// <summary>Whether the routing table keeps packets to the address on this host.</summary>
    public bool StaysOnHost => result.StaysOnHost;

    public int? InterfaceIndex => result.InterfaceIndex;

    public int? ifIndex => result.InterfaceIndex;

    public string? InterfaceAlias => result.InterfaceAlias;

    public string? RouteType => OutputText.Of(result.RouteType);

    public string Protocol => result.Protocol.ToString();

    /// <summary>The port tested with -Port; otherwise the echo listener's ephemeral port.</summary>
    public int? Port => result.Port;

    public string Status => result.Status.ToString();

    public bool Succeeded => result.Succeeded;

    /// <summary>Round trips asked for.</summary>
    public int Count => result.Count;

    /// <summary>Round trips that came back.</summary>
    public int RoundTrips => result.RoundTrips;

    public double? MinimumMicroseconds => result.MinimumMicroseconds;

    public double? MedianMicroseconds => result.MedianMicroseconds;

    public double? P99Microseconds => result.P99Microseconds;

    public double? MaximumMicroseconds => result.MaximumMicroseconds;

    public long BytesSent => result.BytesSent;

    public long BytesReceived => result.BytesReceived;

    /// <summary>What is wrong and what to do, in plain words; null when nothing is.</summary>
    public string? Diagnosis => result.Diagnosis;

    /// <summary>With -Detailed: the packet's journey, step by step.</summary>
    public TextList<LoopbackStep> Steps { get; }

    /// <summary>With -Detailed: every interface's counters before and after, as deltas.</summary>
    public TextList<InterfaceCounterDelta> InterfaceCounters { get; }

    /// <summary>With -Port: the listening socket that takes connections to this address (the server); null when none does or the sockets could not be read.</summary>
    public LoopbackListener? Listener { get; }

    /// <summary>With -Port: every socket listening on the port, on any address; null when the sockets could not be read.</summary>
    public TextList<LoopbackListener>? Listeners { get; }

    public override string ToString() => result.ToString();
}

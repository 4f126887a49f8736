namespace PSLoopback.Loopback;

/// <summary>How an interface's counters moved during a check (with -Detailed): where the bytes went.</summary>
public sealed class InterfaceCounterDelta
{
    public InterfaceCounterDelta(string interfaceAlias, bool isLoopback, long receivedBytes, long sentBytes, long receivedPackets, long sentPackets)
    {
        InterfaceAlias = interfaceAlias;
        IsLoopback = isLoopback;
        ReceivedBytes = receivedBytes;
        SentBytes = sentBytes;
        ReceivedPackets = receivedPackets;
        SentPackets = sentPackets;
    }

    public string InterfaceAlias { get; }

    public bool IsLoopback { get; }

    public long ReceivedBytes { get; }

    public long SentBytes { get; }

    public long ReceivedPackets { get; }

    public long SentPackets { get; }

    public override string ToString() => $"{InterfaceAlias}: +{SentBytes} B sent, +{ReceivedBytes} B received";
}

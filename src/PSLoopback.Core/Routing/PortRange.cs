namespace PSLoopback.Routing;

/// <summary>An inclusive range of TCP/UDP ports that a rule selects.</summary>
public readonly struct PortRange
{
    public PortRange(ushort start, ushort end)
    {
        Start = start;
        End = end;
    }

    public ushort Start { get; }

    public ushort End { get; }

    public bool Contains(ushort port) => port >= Start && port <= End;

    public override string ToString() => Start == End ? Start.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{Start}-{End}";
}

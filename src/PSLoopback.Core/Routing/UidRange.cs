namespace PSLoopback.Routing;

/// <summary>An inclusive range of user ids that a rule selects (the sending socket's owner).</summary>
public readonly struct UidRange
{
    public UidRange(uint start, uint end)
    {
        Start = start;
        End = end;
    }

    public uint Start { get; }

    public uint End { get; }

    public bool Contains(uint uid) => uid >= Start && uid <= End;

    public override string ToString() => $"{Start}-{End}";
}

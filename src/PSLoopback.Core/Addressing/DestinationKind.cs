namespace PSLoopback.Addressing;

/// <summary>What a destination the user typed turned out to be.</summary>
public enum DestinationKind
{
    /// <summary>Neither an address nor a possible host name; the parse says why.</summary>
    Invalid,
    Address,
    Name,
}

namespace PSLoopback.Addressing;

/// <summary>Why a destination gave no addresses.</summary>
public enum DestinationProblem
{
    None,
    /// <summary>Neither an address nor a possible host name (or an address with a zone no interface has).</summary>
    Invalid,
    /// <summary>A name with no addresses: DNS had none, or a loopback name the hosts file does not give.</summary>
    NotResolved,
}

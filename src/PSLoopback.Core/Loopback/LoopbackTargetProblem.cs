namespace PSLoopback.Loopback;

/// <summary>Why a target could not be tested at all (as opposed to a test that ran and failed).</summary>
public enum LoopbackTargetProblem
{
    None,
    /// <summary>Neither an IP address nor a host name.</summary>
    InvalidTarget,
    /// <summary>A host name (not a loopback name) that does not resolve.</summary>
    NameNotResolved,
}

namespace PSLoopback.Routing;

/// <summary>What -Verify found when it asked the OS the same question.</summary>
public enum KernelVerdict
{
    /// <summary>The OS gave the answer the decision's headline gives.</summary>
    Agrees,

    /// <summary>The OS answered otherwise.</summary>
    Differs,

    /// <summary>
    /// The OS took another of the decision's <see cref="RouteDecision.Paths"/>, and the decision says the choice among
    /// them is the kernel's flow hash: not agreement on the headline, not a wrong route either.
    /// </summary>
    HashChoseOtherPath,
}

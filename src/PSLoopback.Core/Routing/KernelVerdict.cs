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
    /// them is the kernel's flow hash: not agreement on the headline, not a wrong route either. The path agrees in every
    /// field, or has the source and MTU of a route sharing its nexthop (<see cref="RouteDecision.RoutesSharingNextHop"/>).
    /// </summary>
    HashChoseOtherPath,

    /// <summary>
    /// The kernel took another of the default routes in <see cref="RouteDecision.Paths"/>, and the decision says it
    /// takes turns among them by the table's last choice (<see cref="RoutePathChoice.TableLastChoice"/>), which no
    /// dump shows: not agreement on the headline, not a wrong route either.
    /// </summary>
    LastChoiceTookOtherPath,

    /// <summary>
    /// The kernel answered with the MTU or (IPv6) source of another route through the same nexthop object, one of
    /// the decision's <see cref="RouteDecision.RoutesSharingNextHop"/>: it caches the route a lookup makes on the nexthop,
    /// made by whichever of them was looked up first. Not agreement, not a wrong route either: the answer depends on the
    /// lookups before it.
    /// </summary>
    CachedFromOtherRoute,
}

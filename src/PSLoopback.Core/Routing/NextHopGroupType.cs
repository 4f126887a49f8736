namespace PSLoopback.Routing;

/// <summary>How a nexthop group spreads flows, with the values of Linux's NEXTHOP_GRP_TYPE_*.</summary>
public enum NextHopGroupType : ushort
{
    /// <summary>Hash-threshold: each flow's hash falls in one member's share of the range.</summary>
    Multipath = 0,

    /// <summary>Resilient: a table of hash buckets, each bound to a member, that the kernel rebalances over time.</summary>
    Resilient = 1,
}

namespace PSLoopback.Routing;

/// <summary>How the kernel chose the headline path among a route's paths (<see cref="RouteDecision.Paths"/>).</summary>
public enum RoutePathChoice
{
    /// <summary>The route has one usable path: there was nothing to choose.</summary>
    Only,

    /// <summary>An output interface was asked for: the path on it.</summary>
    OutputInterface,

    /// <summary>IPv4 with a source given: the one path whose own source address is that source.</summary>
    SourceAddress,

    /// <summary>The kernel picks one of <see cref="RouteDecision.Paths"/> by a hash over the flow; the headline is the first, not a prediction.</summary>
    Hash,

    /// <summary>
    /// The kernel's hash, computed: the hash seed is set (any policy, 0 to 3, and not a resilient group's buckets),
    /// so the headline is the path the kernel's hash takes for this flow (as `ip route get` asks it: the query's protocol, ports and
    /// flow label, 0 where not given).
    /// </summary>
    ComputedHash,

    /// <summary>
    /// IPv4, several default routes of one metric: the kernel takes turns by the table's last choice (fa_default),
    /// which no dump shows; the headline is the one a table that has chosen none yet takes.
    /// </summary>
    TableLastChoice,
}

namespace PSLoopback.Routing;

/// <summary>Why the kernel refuses to route a packet, by the errno `ip route get` would report.</summary>
public enum RouteError
{
    None = 0,
    /// <summary>ENETUNREACH: no route, or an unreachable rule.</summary>
    NetworkUnreachable,
    /// <summary>EHOSTUNREACH: an IPv4 unreachable route.</summary>
    HostUnreachable,
    /// <summary>EACCES: a prohibit route or rule.</summary>
    PermissionDenied,
    /// <summary>EINVAL: a blackhole, or an address the stack will not send to or from.</summary>
    InvalidArgument,
    /// <summary>ENODEV: the output interface asked for does not exist.</summary>
    NoSuchDevice,
    /// <summary>Another errno, given with the answer.</summary>
    Other,
}

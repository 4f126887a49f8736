namespace PSLoopback.Routing;

/// <summary>
/// What a route does with a packet, with the values of Linux's RTN_*. <see cref="NoRoute"/> is not a route
/// type but the resolver's answer when no route matched at all (the kernel's "Network is unreachable").
/// </summary>
public enum RouteType : byte
{
    Unspecified = 0,
    Unicast = 1,
    Local = 2,
    Broadcast = 3,
    Anycast = 4,
    Multicast = 5,
    Blackhole = 6,
    Unreachable = 7,
    Prohibit = 8,
    Throw = 9,
    Nat = 10,
    ExternalResolve = 11,
    NoRoute = 255,
}

using System;

namespace PSLoopback.Routing;

/// <summary>Next-hop flags, with the values of Linux's RTNH_F_*.</summary>
[Flags]
public enum RouteFlags : uint
{
    None = 0,
    /// <summary>The next hop's device is down: the kernel skips it.</summary>
    Dead = 0x1,
    Pervasive = 0x2,
    /// <summary>The gateway is on the link even though no route says so.</summary>
    OnLink = 0x4,
    Offload = 0x8,
    /// <summary>The device has no carrier; skipped only where ignore_routes_with_linkdown is set.</summary>
    LinkDown = 0x10,
    Unresolved = 0x20,
    Trap = 0x40,
}

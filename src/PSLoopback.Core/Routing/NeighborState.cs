using System;

namespace PSLoopback.Routing;

/// <summary>A neighbour entry's state, with the values of Linux's NUD_* (include/uapi/linux/neighbour.h).</summary>
[Flags]
public enum NeighborState : ushort
{
    None = 0,
    Incomplete = 0x01,
    Reachable = 0x02,
    Stale = 0x04,
    Delay = 0x08,
    Probe = 0x10,
    Failed = 0x20,
    NoArp = 0x40,
    Permanent = 0x80,
}

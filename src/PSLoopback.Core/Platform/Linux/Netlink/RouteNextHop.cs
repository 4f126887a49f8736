namespace PSLoopback.Platform.Linux.Netlink;

/// <summary>One struct rtnexthop of an RTA_MULTIPATH attribute, with the gateway from its own attributes.</summary>
public sealed class RouteNextHop
{
    public int InterfaceIndex { get; internal set; }

    /// <summary>RTNH_F_* flags (dead, onlink, linkdown, ...).</summary>
    public byte Flags { get; internal set; }

    /// <summary>rtnh_hops as sent: the weight less one.</summary>
    public byte Hops { get; internal set; }

    /// <summary>The weight `ip route` shows and takes: the kernel stores it less one, so that 0 means weight 1.</summary>
    public int Weight => Hops + 1;

    /// <summary>RTA_GATEWAY (in the route's family) or the address of RTA_VIA (in <see cref="GatewayFamily"/>).</summary>
    public byte[]? Gateway { get; internal set; }

    /// <summary>The AF_* family of <see cref="Gateway"/>: the route's own, or RTA_VIA's (IPv6 for an IPv4 route via inet6).</summary>
    public ushort? GatewayFamily { get; internal set; }
}

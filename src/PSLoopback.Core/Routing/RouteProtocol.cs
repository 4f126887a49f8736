namespace PSLoopback.Routing;

/// <summary>Who installed a route, with the values of Linux's RTPROT_* (/etc/iproute2/rt_protos).</summary>
public enum RouteProtocol : byte
{
    Unspecified = 0,
    Redirect = 1,
    Kernel = 2,
    Boot = 3,
    Static = 4,
    Gated = 8,
    RouterAdvertisement = 9,
    Mrt = 10,
    Zebra = 11,
    Bird = 12,
    DecnetRouted = 13,
    Xorp = 14,
    Netsukuku = 15,
    Dhcp = 16,
    Mrouted = 17,
    Keepalived = 18,
    Babel = 42,
    OpenR = 99,
    Bgp = 186,
    Isis = 187,
    Ospf = 188,
    Rip = 189,
    Eigrp = 192,
}

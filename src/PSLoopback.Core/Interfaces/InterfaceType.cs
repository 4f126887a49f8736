namespace PSLoopback.Interfaces;

/// <summary>What kind of link an interface is, in words shared by Linux and Windows.</summary>
public enum InterfaceType
{
    Unknown,
    Loopback,
    Ethernet,
    Wireless,
    Tunnel,
    Ppp,
    Bridge,
    Bond,
    Vlan,
    Virtual,
    Infiniband,
    Can,
    Other,
}

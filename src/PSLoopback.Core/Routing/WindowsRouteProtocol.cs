namespace PSLoopback.Routing;

/// <summary>Who installed a Windows route: NL_ROUTE_PROTOCOL (MIB_IPPROTO_*), named as Get-NetRoute's Protocol is.</summary>
public enum WindowsRouteProtocol
{
    Other = 1,
    Local = 2,
    NetMgmt = 3,
    Icmp = 4,
    Egp = 5,
    Ggp = 6,
    Hello = 7,
    Rip = 8,
    IsIs = 9,
    EsIs = 10,
    Igrp = 11,
    Bbn = 12,
    Ospf = 13,
    Bgp = 14,
    Idpr = 15,
    Eigrp = 16,
    Dvmrp = 17,
    Rpl = 18,
    Dhcp = 19,
    NTAutostatic = 10002,
    NTStatic = 10006,
    NTStaticNonDod = 10007,
}

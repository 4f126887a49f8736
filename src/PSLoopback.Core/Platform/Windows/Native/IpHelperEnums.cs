namespace PSLoopback.Platform.Windows.Native;

// The Windows SDK enumerations whose values the builders switch on, with the SDK's names for each member, so
// tests/PSLoopback.Core.Tests/Platform/Windows/NativeConstantTests.cs compares every value with mingw-w64's
// headers. The structures keep these fields as the integers Windows writes; the builders cast.

/// <summary>IF_OPER_STATUS (ifdef.h): RFC 2863's ifOperStatus.</summary>
internal enum IF_OPER_STATUS
{
    IfOperStatusUp = 1,
    IfOperStatusDown = 2,
    IfOperStatusTesting = 3,
    IfOperStatusUnknown = 4,
    IfOperStatusDormant = 5,
    IfOperStatusNotPresent = 6,
    IfOperStatusLowerLayerDown = 7,
}

/// <summary>NET_IF_ADMIN_STATUS (ifdef.h): RFC 2863's ifAdminStatus.</summary>
internal enum NET_IF_ADMIN_STATUS
{
    NET_IF_ADMIN_STATUS_UP = 1,
    NET_IF_ADMIN_STATUS_DOWN = 2,
    NET_IF_ADMIN_STATUS_TESTING = 3,
}

/// <summary>NL_DAD_STATE (nldef.h): where duplicate address detection stands for an address.</summary>
internal enum NL_DAD_STATE
{
    IpDadStateInvalid = 0,
    IpDadStateTentative = 1,
    IpDadStateDuplicate = 2,
    IpDadStateDeprecated = 3,
    IpDadStatePreferred = 4,
}

/// <summary>NDIS_MEDIUM (ntddndis.h): MIB_IF_ROW2.MediaType.</summary>
internal enum NDIS_MEDIUM
{
    NdisMedium802_3 = 0,
    NdisMedium802_5 = 1,
    NdisMediumFddi = 2,
    NdisMediumWan = 3,
    NdisMediumLocalTalk = 4,
    NdisMediumDix = 5,
    NdisMediumArcnetRaw = 6,
    NdisMediumArcnet878_2 = 7,
    NdisMediumAtm = 8,
    NdisMediumWirelessWan = 9,
    NdisMediumIrda = 10,
    NdisMediumBpc = 11,
    NdisMediumCoWan = 12,
    NdisMedium1394 = 13,
    NdisMediumInfiniBand = 14,
    NdisMediumTunnel = 15,
    NdisMediumNative802_11 = 16,
    NdisMediumLoopback = 17,
    NdisMediumWiMAX = 18,
    NdisMediumIP = 19,
}

/// <summary>MIB_TCP_STATE (tcpmib.h): dwState of the TCP table rows, RFC 793's states and DELETE_TCB.</summary>
internal enum MIB_TCP_STATE
{
    MIB_TCP_STATE_CLOSED = 1,
    MIB_TCP_STATE_LISTEN = 2,
    MIB_TCP_STATE_SYN_SENT = 3,
    MIB_TCP_STATE_SYN_RCVD = 4,
    MIB_TCP_STATE_ESTAB = 5,
    MIB_TCP_STATE_FIN_WAIT1 = 6,
    MIB_TCP_STATE_FIN_WAIT2 = 7,
    MIB_TCP_STATE_CLOSE_WAIT = 8,
    MIB_TCP_STATE_CLOSING = 9,
    MIB_TCP_STATE_LAST_ACK = 10,
    MIB_TCP_STATE_TIME_WAIT = 11,
    MIB_TCP_STATE_DELETE_TCB = 12,
}

using System;
using System.Runtime.InteropServices;

namespace PSLoopback.Platform.Windows.Native;

// The IP Helper structures this project reads, declared once, with the Windows SDK's names (so the layout test
// finds each field in the C headers) and in its field order, so that Marshal.SizeOf and Marshal.OffsetOf give
// the real layout. tests/PSLoopback.Core.Tests/Platform/Windows/NativeLayoutTests.cs compares every field's
// offset and every size with the mingw-w64 headers for x64; pointers are IntPtr, so a 32-bit process gets
// the x86 layout, which no test checks. Unions and bitfields are declared by what holds them: NET_LUID is a
// ULONG64, SCOPE_ID its ULONG Value, a bitfield struct of BOOLEANs its one byte; BOOLEAN is a byte (bool
// would marshal as a 4-byte BOOL).

/// <summary>SOCKADDR_INET, declared as its widest member (SOCKADDR_IN6) so its size (28) and alignment (4) are
/// the union's; <see cref="Sockaddr"/> reads either family from its bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SOCKADDR_INET
{
    public ushort si_family;
    public ushort sin6_port;
    public uint sin6_flowinfo;
    [MarshalAs(UnmanagedType.ByValArray, SizeConst = 16)]
    public byte[] sin6_addr;
    public uint sin6_scope_id;
}

[StructLayout(LayoutKind.Sequential)]
internal struct SOCKET_ADDRESS
{
    public IntPtr lpSockaddr;
    public int iSockaddrLength;
}

[StructLayout(LayoutKind.Sequential)]
internal struct IP_ADDRESS_PREFIX
{
    public SOCKADDR_INET Prefix;
    public byte PrefixLength;
}

/// <summary>One adapter of GetAdaptersAddresses' linked list (Vista and later: the "LH" layout).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct IP_ADAPTER_ADDRESSES_LH
{
    public uint Length;
    public uint IfIndex;
    public IntPtr Next;
    public IntPtr AdapterName;
    public IntPtr FirstUnicastAddress;
    public IntPtr FirstAnycastAddress;
    public IntPtr FirstMulticastAddress;
    public IntPtr FirstDnsServerAddress;
    public IntPtr DnsSuffix;
    public IntPtr Description;
    public IntPtr FriendlyName;
    [MarshalAs(UnmanagedType.ByValArray, SizeConst = IpHelper.MAX_ADAPTER_ADDRESS_LENGTH)]
    public byte[] PhysicalAddress;
    public uint PhysicalAddressLength;
    public uint Flags;
    public uint Mtu;
    public uint IfType;
    public uint OperStatus;
    public uint Ipv6IfIndex;
    [MarshalAs(UnmanagedType.ByValArray, SizeConst = IpHelper.ScopeLevelCount)]
    public uint[] ZoneIndices;
    public IntPtr FirstPrefix;
    public ulong TransmitLinkSpeed;
    public ulong ReceiveLinkSpeed;
    public IntPtr FirstWinsServerAddress;
    public IntPtr FirstGatewayAddress;
    public uint Ipv4Metric;
    public uint Ipv6Metric;
    public ulong Luid;
    public SOCKET_ADDRESS Dhcpv4Server;
    public uint CompartmentId;
    public Guid NetworkGuid;
    public uint ConnectionType;
    public uint TunnelType;
    public SOCKET_ADDRESS Dhcpv6Server;
    [MarshalAs(UnmanagedType.ByValArray, SizeConst = IpHelper.MAX_DHCPV6_DUID_LENGTH)]
    public byte[] Dhcpv6ClientDuid;
    public uint Dhcpv6ClientDuidLength;
    public uint Dhcpv6Iaid;
    public IntPtr FirstDnsSuffix;
}

[StructLayout(LayoutKind.Sequential)]
internal struct IP_ADAPTER_UNICAST_ADDRESS_LH
{
    public uint Length;
    public uint Flags;
    public IntPtr Next;
    public SOCKET_ADDRESS Address;
    public int PrefixOrigin;
    public int SuffixOrigin;
    public int DadState;
    public uint ValidLifetime;
    public uint PreferredLifetime;
    public uint LeaseLifetime;
    public byte OnLinkPrefixLength;
}

[StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
internal struct MIB_IF_ROW2
{
    public ulong InterfaceLuid;
    public uint InterfaceIndex;
    public Guid InterfaceGuid;
    [MarshalAs(UnmanagedType.ByValArray, SizeConst = IpHelper.IF_MAX_STRING_SIZE + 1)]
    public char[] Alias;
    [MarshalAs(UnmanagedType.ByValArray, SizeConst = IpHelper.IF_MAX_STRING_SIZE + 1)]
    public char[] Description;
    public uint PhysicalAddressLength;
    [MarshalAs(UnmanagedType.ByValArray, SizeConst = IpHelper.IF_MAX_PHYS_ADDRESS_LENGTH)]
    public byte[] PhysicalAddress;
    [MarshalAs(UnmanagedType.ByValArray, SizeConst = IpHelper.IF_MAX_PHYS_ADDRESS_LENGTH)]
    public byte[] PermanentPhysicalAddress;
    public uint Mtu;
    public uint Type;
    public int TunnelType;
    public int MediaType;
    public int PhysicalMediumType;
    public int AccessType;
    public int DirectionType;
    public byte InterfaceAndOperStatusFlags;
    public int OperStatus;
    public int AdminStatus;
    public int MediaConnectState;
    public Guid NetworkGuid;
    public int ConnectionType;
    public ulong TransmitLinkSpeed;
    public ulong ReceiveLinkSpeed;
    public ulong InOctets;
    public ulong InUcastPkts;
    public ulong InNUcastPkts;
    public ulong InDiscards;
    public ulong InErrors;
    public ulong InUnknownProtos;
    public ulong InUcastOctets;
    public ulong InMulticastOctets;
    public ulong InBroadcastOctets;
    public ulong OutOctets;
    public ulong OutUcastPkts;
    public ulong OutNUcastPkts;
    public ulong OutDiscards;
    public ulong OutErrors;
    public ulong OutUcastOctets;
    public ulong OutMulticastOctets;
    public ulong OutBroadcastOctets;
    public ulong OutQLen;
}

/// <summary>The head of GetIfTable2's answer: the row count, then the rows (one declared, to place them).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct MIB_IF_TABLE2
{
    public uint NumEntries;
    public MIB_IF_ROW2 Table;
}

[StructLayout(LayoutKind.Sequential)]
internal struct MIB_UNICASTIPADDRESS_ROW
{
    public SOCKADDR_INET Address;
    public ulong InterfaceLuid;
    public uint InterfaceIndex;
    public int PrefixOrigin;
    public int SuffixOrigin;
    public uint ValidLifetime;
    public uint PreferredLifetime;
    public byte OnLinkPrefixLength;
    public byte SkipAsSource;
    public int DadState;
    public uint ScopeId;
    public long CreationTimeStamp;
}

[StructLayout(LayoutKind.Sequential)]
internal struct MIB_UNICASTIPADDRESS_TABLE
{
    public uint NumEntries;
    public MIB_UNICASTIPADDRESS_ROW Table;
}

[StructLayout(LayoutKind.Sequential)]
internal struct MIB_IPINTERFACE_ROW
{
    public ushort Family;
    public ulong InterfaceLuid;
    public uint InterfaceIndex;
    public uint MaxReassemblySize;
    public ulong InterfaceIdentifier;
    public uint MinRouterAdvertisementInterval;
    public uint MaxRouterAdvertisementInterval;
    public byte AdvertisingEnabled;
    public byte ForwardingEnabled;
    public byte WeakHostSend;
    public byte WeakHostReceive;
    public byte UseAutomaticMetric;
    public byte UseNeighborUnreachabilityDetection;
    public byte ManagedAddressConfigurationSupported;
    public byte OtherStatefulConfigurationSupported;
    public byte AdvertiseDefaultRoute;
    public int RouterDiscoveryBehavior;
    public uint DadTransmits;
    public uint BaseReachableTime;
    public uint RetransmitTime;
    public uint PathMtuDiscoveryTimeout;
    public int LinkLocalAddressBehavior;
    public uint LinkLocalAddressTimeout;
    [MarshalAs(UnmanagedType.ByValArray, SizeConst = IpHelper.ScopeLevelCount)]
    public uint[] ZoneIndices;
    public uint SitePrefixLength;
    public uint Metric;
    public uint NlMtu;
    public byte Connected;
    public byte SupportsWakeUpPatterns;
    public byte SupportsNeighborDiscovery;
    public byte SupportsRouterDiscovery;
    public uint ReachableTime;
    public byte TransmitOffload;
    public byte ReceiveOffload;
    public byte DisableDefaultRoutes;
}

[StructLayout(LayoutKind.Sequential)]
internal struct MIB_IPINTERFACE_TABLE
{
    public uint NumEntries;
    public MIB_IPINTERFACE_ROW Table;
}

[StructLayout(LayoutKind.Sequential)]
internal struct MIB_IPFORWARD_ROW2
{
    public ulong InterfaceLuid;
    public uint InterfaceIndex;
    public IP_ADDRESS_PREFIX DestinationPrefix;
    public SOCKADDR_INET NextHop;
    public byte SitePrefixLength;
    public uint ValidLifetime;
    public uint PreferredLifetime;
    public uint Metric;
    public int Protocol;
    public byte Loopback;
    public byte AutoconfigureAddress;
    public byte Publish;
    public byte Immortal;
    public uint Age;
    public int Origin;
}

[StructLayout(LayoutKind.Sequential)]
internal struct MIB_IPFORWARD_TABLE2
{
    public uint NumEntries;
    public MIB_IPFORWARD_ROW2 Table;
}

// The extended TCP and UDP tables (TCP_TABLE_OWNER_PID_ALL, UDP_TABLE_OWNER_PID). The IPv4 rows hold an address
// as a DWORD in network byte order (its bytes in memory are the address's), and every port as a DWORD whose
// low 16 bits hold the port in network byte order.

[StructLayout(LayoutKind.Sequential)]
internal struct MIB_TCPROW_OWNER_PID
{
    public uint dwState;
    public uint dwLocalAddr;
    public uint dwLocalPort;
    public uint dwRemoteAddr;
    public uint dwRemotePort;
    public uint dwOwningPid;
}

[StructLayout(LayoutKind.Sequential)]
internal struct MIB_TCPTABLE_OWNER_PID
{
    public uint dwNumEntries;
    public MIB_TCPROW_OWNER_PID table;
}

[StructLayout(LayoutKind.Sequential)]
internal struct MIB_TCP6ROW_OWNER_PID
{
    [MarshalAs(UnmanagedType.ByValArray, SizeConst = 16)]
    public byte[] ucLocalAddr;
    public uint dwLocalScopeId;
    public uint dwLocalPort;
    [MarshalAs(UnmanagedType.ByValArray, SizeConst = 16)]
    public byte[] ucRemoteAddr;
    public uint dwRemoteScopeId;
    public uint dwRemotePort;
    public uint dwState;
    public uint dwOwningPid;
}

[StructLayout(LayoutKind.Sequential)]
internal struct MIB_TCP6TABLE_OWNER_PID
{
    public uint dwNumEntries;
    public MIB_TCP6ROW_OWNER_PID table;
}

[StructLayout(LayoutKind.Sequential)]
internal struct MIB_UDPROW_OWNER_PID
{
    public uint dwLocalAddr;
    public uint dwLocalPort;
    public uint dwOwningPid;
}

[StructLayout(LayoutKind.Sequential)]
internal struct MIB_UDPTABLE_OWNER_PID
{
    public uint dwNumEntries;
    public MIB_UDPROW_OWNER_PID table;
}

[StructLayout(LayoutKind.Sequential)]
internal struct MIB_UDP6ROW_OWNER_PID
{
    [MarshalAs(UnmanagedType.ByValArray, SizeConst = 16)]
    public byte[] ucLocalAddr;
    public uint dwLocalScopeId;
    public uint dwLocalPort;
    public uint dwOwningPid;
}

[StructLayout(LayoutKind.Sequential)]
internal struct MIB_UDP6TABLE_OWNER_PID
{
    public uint dwNumEntries;
    public MIB_UDP6ROW_OWNER_PID table;
}

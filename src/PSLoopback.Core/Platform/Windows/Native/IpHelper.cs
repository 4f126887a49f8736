using System;
using System.Runtime.InteropServices;

namespace PSLoopback.Platform.Windows.Native;

/// <summary>
/// The iphlpapi.dll functions this project calls (Windows Vista and later), declared once. Each returns a
/// Win32 error code (NETIO_STATUS); the MIB table functions allocate the table, which FreeMibTable frees.
/// </summary>
internal static class IpHelper
{
    // Every constant here has the name of a Windows SDK macro or enumerator, so NativeConstantTests can compare
    // its value with mingw-w64's headers by that name.

    public const uint NO_ERROR = 0;
    public const uint ERROR_FILE_NOT_FOUND = 2;
    public const uint ERROR_NOT_SUPPORTED = 50;
    public const uint ERROR_INVALID_PARAMETER = 87;
    public const uint ERROR_BUFFER_OVERFLOW = 111;
    public const uint ERROR_INSUFFICIENT_BUFFER = 122;
    public const uint ERROR_NO_DATA = 232;
    public const uint ERROR_NETWORK_UNREACHABLE = 1231;
    public const uint ERROR_HOST_UNREACHABLE = 1232;

    public const ushort AF_UNSPEC = 0;
    public const ushort AF_INET = 2;
    public const ushort AF_INET6 = 23;

    public const int MAX_ADAPTER_ADDRESS_LENGTH = 8;
    public const int MAX_DHCPV6_DUID_LENGTH = 130;
    public const int IF_MAX_STRING_SIZE = 256;
    public const int IF_MAX_PHYS_ADDRESS_LENGTH = 32;

    /// <summary>SCOPE_LEVEL's count: the length of the ZoneIndices arrays.</summary>
    public const int ScopeLevelCount = 16;

    public const uint GAA_FLAG_SKIP_ANYCAST = 0x0002;
    public const uint GAA_FLAG_SKIP_MULTICAST = 0x0004;
    public const uint GAA_FLAG_SKIP_DNS_SERVER = 0x0008;

    /// <summary>IP_ADAPTER_ADDRESS_DNS_ELIGIBLE in IP_ADAPTER_UNICAST_ADDRESS.Flags: the address may be registered in DNS.</summary>
    public const uint IP_ADAPTER_ADDRESS_DNS_ELIGIBLE = 0x01;

    /// <summary>IP_ADAPTER_NO_MULTICAST in IP_ADAPTER_ADDRESSES.Flags.</summary>
    public const uint IP_ADAPTER_NO_MULTICAST = 0x0010;

    // IANA ifType values (ipifcons.h), as IfType and MIB_IF_ROW2.Type give them.
    public const uint IF_TYPE_ETHERNET_CSMACD = 6;
    public const uint IF_TYPE_PPP = 23;
    public const uint IF_TYPE_SOFTWARE_LOOPBACK = 24;
    public const uint IF_TYPE_PROP_VIRTUAL = 53;
    public const uint IF_TYPE_IEEE80211 = 71;
    public const uint IF_TYPE_TUNNEL = 131;
    public const uint IF_TYPE_L2_VLAN = 135;

    /// <summary>TCP_TABLE_CLASS: every TCP socket, listeners and connections, each with its owning pid.</summary>
    public const uint TCP_TABLE_OWNER_PID_ALL = 5;

    /// <summary>UDP_TABLE_CLASS: every UDP socket with its owning pid.</summary>
    public const uint UDP_TABLE_OWNER_PID = 1;

    private const string Dll = "iphlpapi.dll";

    [DllImport(Dll, ExactSpelling = true)]
    public static extern uint GetAdaptersAddresses(uint family, uint flags, IntPtr reserved, IntPtr adapterAddresses, ref uint sizePointer);

    [DllImport(Dll, ExactSpelling = true)]
    public static extern uint GetIfTable2(out IntPtr table);

    [DllImport(Dll, ExactSpelling = true)]
    public static extern uint GetUnicastIpAddressTable(ushort family, out IntPtr table);

    [DllImport(Dll, ExactSpelling = true)]
    public static extern uint GetIpInterfaceTable(ushort family, out IntPtr table);

    [DllImport(Dll, ExactSpelling = true)]
    public static extern uint GetIpForwardTable2(ushort family, out IntPtr table);

    /// <param name="interfaceLuid">NULL: the index alone names the interface, or 0 for any.</param>
    /// <param name="sourceAddress">A SOCKADDR_INET, or null for "Windows chooses".</param>
    /// <param name="destinationAddress">A SOCKADDR_INET.</param>
    /// <param name="bestRoute">Room for one MIB_IPFORWARD_ROW2, which Windows fills.</param>
    /// <param name="bestSourceAddress">Room for one SOCKADDR_INET, which Windows fills.</param>
    [DllImport(Dll, ExactSpelling = true)]
    public static extern uint GetBestRoute2(
        IntPtr interfaceLuid,
        uint interfaceIndex,
        byte[]? sourceAddress,
        byte[] destinationAddress,
        uint addressSortOptions,
        [Out] byte[] bestRoute,
        [Out] byte[] bestSourceAddress);

    [DllImport(Dll, ExactSpelling = true)]
    public static extern void FreeMibTable(IntPtr memory);

    /// <param name="table">Our buffer, which Windows fills with a MIB_TCPTABLE_OWNER_PID or MIB_TCP6TABLE_OWNER_PID; null to ask for the size.</param>
    /// <param name="size">The buffer's length in; the length Windows needs out, when it answers ERROR_INSUFFICIENT_BUFFER.</param>
    /// <param name="order">Whether Windows sorts the rows; a BOOL.</param>
    [DllImport(Dll, ExactSpelling = true)]
    public static extern uint GetExtendedTcpTable([Out] byte[]? table, ref uint size, int order, uint family, uint tableClass, uint reserved);

    /// <param name="table">Our buffer, which Windows fills with a MIB_UDPTABLE_OWNER_PID or MIB_UDP6TABLE_OWNER_PID; null to ask for the size.</param>
    /// <param name="size">The buffer's length in; the length Windows needs out, when it answers ERROR_INSUFFICIENT_BUFFER.</param>
    /// <param name="order">Whether Windows sorts the rows; a BOOL.</param>
    [DllImport(Dll, ExactSpelling = true)]
    public static extern uint GetExtendedUdpTable([Out] byte[]? table, ref uint size, int order, uint family, uint tableClass, uint reserved);
}

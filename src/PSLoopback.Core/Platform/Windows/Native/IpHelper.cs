using System;
using System.Runtime.InteropServices;

namespace PSLoopback.Platform.Windows.Native;

/// <summary>
/// The iphlpapi.dll functions this project calls (Windows Vista and later), declared once. Each returns a
/// Win32 error code (NETIO_STATUS); the MIB table functions allocate the table, which FreeMibTable frees.
/// </summary>
internal static class IpHelper
{
    public const uint NoError = 0;
    public const uint ErrorFileNotFound = 2;
    public const uint ErrorNotSupported = 50;
    public const uint ErrorInvalidParameter = 87;
    public const uint ErrorBufferOverflow = 111;
    public const uint ErrorNoData = 232;
    public const uint ErrorNetworkUnreachable = 1231;
    public const uint ErrorHostUnreachable = 1232;

    public const ushort AF_UNSPEC = 0;
    public const ushort AF_INET = 2;
    public const ushort AF_INET6 = 23;

    public const int MaxAdapterAddressLength = 8;
    public const int IfMaxStringSize = 256;
    public const int IfMaxPhysAddressLength = 32;

    public const uint GAA_FLAG_SKIP_ANYCAST = 0x0002;
    public const uint GAA_FLAG_SKIP_MULTICAST = 0x0004;
    public const uint GAA_FLAG_SKIP_DNS_SERVER = 0x0008;

    /// <summary>IP_ADAPTER_ADDRESS_DNS_ELIGIBLE in IP_ADAPTER_UNICAST_ADDRESS.Flags: the address may be registered in DNS.</summary>
    public const uint IP_ADAPTER_ADDRESS_DNS_ELIGIBLE = 0x01;

    /// <summary>IP_ADAPTER_NO_MULTICAST in IP_ADAPTER_ADDRESSES.Flags.</summary>
    public const uint IP_ADAPTER_NO_MULTICAST = 0x0010;

    /// <summary>A lifetime of 0xffffffff is "infinite" (Get-NetIPAddress and Get-NetRoute show Infinite).</summary>
    public const uint InfiniteLifetime = uint.MaxValue;

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
}

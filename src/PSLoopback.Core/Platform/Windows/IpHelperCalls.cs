using System;
using System.ComponentModel;
using System.Globalization;
using System.Runtime.InteropServices;
using PSLoopback.Platform.Windows.Native;

namespace PSLoopback.Platform.Windows;

/// <summary>
/// The calls into iphlpapi.dll, each returning a managed copy of Windows' answer. A function that is missing
/// (an older Windows, Wine) or answers ERROR_NOT_SUPPORTED becomes a <see cref="PlatformNotSupportedException"/>
/// naming it; any other error code a <see cref="Win32Exception"/> naming it. The sources decide which of
/// those they can do without.
/// </summary>
internal static class IpHelperCalls
{
    /// <summary>GetAdaptersAddresses: unicast addresses and friendly names, not the lists nothing here reads.</summary>
    private const uint AdapterFlags = IpHelper.GAA_FLAG_SKIP_ANYCAST | IpHelper.GAA_FLAG_SKIP_MULTICAST | IpHelper.GAA_FLAG_SKIP_DNS_SERVER;

    /// <summary>Microsoft's advice for a first GetAdaptersAddresses buffer; most machines need no second call.</summary>
    private const uint FirstAdapterBuffer = 15 * 1024;

    /// <summary>Adapters can appear between a call that says how much room it needs and the next: a few tries, no more.</summary>
    private const int AdapterAttempts = 4;

    private const uint MaxAdapterBuffer = 64 * 1024 * 1024;

    /// <summary>Room for about 290 IPv6 TCP rows: most desktops need no second call.</summary>
    private const uint FirstSocketTableBuffer = 16 * 1024;

    private const int SocketTableAttempts = 5;

    /// <summary>About 1.2 million IPv6 TCP rows of 56 bytes: a size past it is not believed.</summary>
    private const uint MaxSocketTableBuffer = 64 * 1024 * 1024;

    /// <summary>The adapter list as GetAdaptersAddresses wrote it into a managed buffer, and the address that buffer had.</summary>
    public static (byte[] Buffer, long BaseAddress) Adapters()
    {
        const string api = "GetAdaptersAddresses";
        var size = FirstAdapterBuffer;
        for (var attempt = 1; attempt <= AdapterAttempts; attempt++)
        {
            var buffer = new byte[size];
            var handle = GCHandle.Alloc(buffer, GCHandleType.Pinned);
            long baseAddress;
            uint status;
            try
            {
                var pointer = handle.AddrOfPinnedObject();
                baseAddress = pointer.ToInt64();
                status = Run(api, () => IpHelper.GetAdaptersAddresses(IpHelper.AF_UNSPEC, AdapterFlags, IntPtr.Zero, pointer, ref size));
            }
            finally
            {
                handle.Free();
            }

            switch (status)
            {
                case IpHelper.NO_ERROR:
                    return (buffer, baseAddress);
                case IpHelper.ERROR_NO_DATA:
                    return (Array.Empty<byte>(), 0);
                case IpHelper.ERROR_BUFFER_OVERFLOW when size <= MaxAdapterBuffer:
                    continue;
                case IpHelper.ERROR_BUFFER_OVERFLOW:
                    throw new IpHelperParseException($"{api} asks for a {size}-byte buffer, more than any real adapter list needs.");
                default:
                    throw Failure(api, status);
            }
        }

        throw new Win32Exception((int)IpHelper.ERROR_BUFFER_OVERFLOW, $"{api} still wanted a larger buffer after {AdapterAttempts} tries: the adapters keep changing.");
    }

    public static byte[] InterfaceTable() =>
        MibTable.Take<MIB_IF_TABLE2, MIB_IF_ROW2>("GetIfTable2", (out IntPtr table) => IpHelper.GetIfTable2(out table));

    public static byte[] UnicastAddressTable() =>
        MibTable.Take<MIB_UNICASTIPADDRESS_TABLE, MIB_UNICASTIPADDRESS_ROW>(
            "GetUnicastIpAddressTable", (out IntPtr table) => IpHelper.GetUnicastIpAddressTable(IpHelper.AF_UNSPEC, out table));

    public static byte[] IPInterfaceTable() =>
        MibTable.Take<MIB_IPINTERFACE_TABLE, MIB_IPINTERFACE_ROW>(
            "GetIpInterfaceTable", (out IntPtr table) => IpHelper.GetIpInterfaceTable(IpHelper.AF_UNSPEC, out table));

    /// <summary>Both families' routes in one call (AF_UNSPEC).</summary>
    public static byte[] ForwardTable() =>
        MibTable.Take<MIB_IPFORWARD_TABLE2, MIB_IPFORWARD_ROW2>(
            "GetIpForwardTable2", (out IntPtr table) => IpHelper.GetIpForwardTable2(IpHelper.AF_UNSPEC, out table));

    /// <summary>One family's TCP sockets (listeners and connections) with their pids: a MIB_TCPTABLE_OWNER_PID or MIB_TCP6TABLE_OWNER_PID.</summary>
    public static byte[] TcpTable(ushort family) =>
        SocketTable("GetExtendedTcpTable", family, (byte[]? table, ref uint size) =>
            IpHelper.GetExtendedTcpTable(table, ref size, 0, family, IpHelper.TCP_TABLE_OWNER_PID_ALL, 0));

    /// <summary>One family's UDP sockets with their pids: a MIB_UDPTABLE_OWNER_PID or MIB_UDP6TABLE_OWNER_PID.</summary>
    public static byte[] UdpTable(ushort family) =>
        SocketTable("GetExtendedUdpTable", family, (byte[]? table, ref uint size) =>
            IpHelper.GetExtendedUdpTable(table, ref size, 0, family, IpHelper.UDP_TABLE_OWNER_PID, 0));

    internal delegate uint FillTable(byte[]? table, ref uint size);

    /// <summary>
    /// A table that Windows writes into a buffer of ours, growing the buffer while Windows answers
    /// ERROR_INSUFFICIENT_BUFFER with the size it needs: sockets open between two calls, so each try asks
    /// for a quarter more than that, and the tries are bounded.
    /// </summary>
    /// <param name="fill">The call; a test's own to answer as it wants.</param>
    internal static byte[] SocketTable(string api, ushort family, FillTable fill)
    {
        var name = $"{api} ({(family == IpHelper.AF_INET6 ? "AF_INET6" : "AF_INET")})";
        var size = FirstSocketTableBuffer;
        for (var attempt = 1; attempt <= SocketTableAttempts; attempt++)
        {
            var buffer = new byte[size];
            var status = Run(name, () => fill(buffer, ref size));
            switch (status)
            {
                case IpHelper.NO_ERROR:
                    return buffer;
                case IpHelper.ERROR_INSUFFICIENT_BUFFER when size <= MaxSocketTableBuffer:
                    size += size / 4;
                    continue;
                case IpHelper.ERROR_INSUFFICIENT_BUFFER:
                    throw new IpHelperParseException($"{name} asks for a {size}-byte buffer, more than any real socket table needs.");
                default:
                    throw Failure(name, status);
            }
        }

        throw new Win32Exception((int)IpHelper.ERROR_INSUFFICIENT_BUFFER, $"{name} still wanted a larger buffer after {SocketTableAttempts} tries: the sockets keep changing.");
    }

    /// <summary>GetBestRoute2's answer: its status, and the route row and source address it wrote (zeros unless the status is NO_ERROR).</summary>
    public static (uint Status, byte[] Route, byte[] Source) BestRoute(byte[] destination, byte[]? source, uint interfaceIndex)
    {
        var route = new byte[Marshal.SizeOf<MIB_IPFORWARD_ROW2>()];
        var best = new byte[Sockaddr.Length];
        var status = Run("GetBestRoute2", () => IpHelper.GetBestRoute2(IntPtr.Zero, interfaceIndex, source, destination, 0, route, best));
        return (status, route, best);
    }

    /// <summary>Runs a call into iphlpapi.dll; a missing DLL or function becomes an exception that names the function.</summary>
    public static T Run<T>(string api, Func<T> call)
    {
        try
        {
            return call();
        }
        catch (EntryPointNotFoundException e)
        {
            throw new PlatformNotSupportedException($"{api} is missing from this system's iphlpapi.dll.", e);
        }
        catch (DllNotFoundException e)
        {
            throw new PlatformNotSupportedException($"{api} cannot be called: this system has no iphlpapi.dll.", e);
        }
    }

    /// <summary>The exception for an error code an IP Helper function returned.</summary>
    public static Exception Failure(string api, uint status)
    {
        if (status == IpHelper.ERROR_NOT_SUPPORTED)
        {
            return new PlatformNotSupportedException($"{api} answered ERROR_NOT_SUPPORTED ({IpHelper.ERROR_NOT_SUPPORTED}).");
        }

        // Win32Exception's own text for a code is the system's message for it (FormatMessage) on Windows.
        var text = new Win32Exception((int)status).Message;
        return new Win32Exception((int)status, string.Format(CultureInfo.InvariantCulture, "{0} failed with error {1}: {2}", api, status, text));
    }
}

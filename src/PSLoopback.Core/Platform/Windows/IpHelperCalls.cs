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

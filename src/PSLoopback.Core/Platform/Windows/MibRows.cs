using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using PSLoopback.Addressing;
using PSLoopback.Platform.Windows.Native;

namespace PSLoopback.Platform.Windows;

/// <summary>
/// Reads the rows of the MIB tables (copied by <see cref="MibTable"/>) into the native structures, checking
/// what the structures cannot: the address families and prefix lengths. Pure: tests feed it built bytes.
/// </summary>
internal static class MibRows
{
    private static readonly long UnicastAddress = Marshal.OffsetOf<MIB_UNICASTIPADDRESS_ROW>(nameof(MIB_UNICASTIPADDRESS_ROW.Address)).ToInt64();
    private static readonly long ForwardPrefix = Marshal.OffsetOf<MIB_IPFORWARD_ROW2>(nameof(MIB_IPFORWARD_ROW2.DestinationPrefix)).ToInt64()
        + Marshal.OffsetOf<IP_ADDRESS_PREFIX>(nameof(IP_ADDRESS_PREFIX.Prefix)).ToInt64();
    private static readonly long ForwardNextHop = Marshal.OffsetOf<MIB_IPFORWARD_ROW2>(nameof(MIB_IPFORWARD_ROW2.NextHop)).ToInt64();

    public static IReadOnlyList<MIB_IF_ROW2> Interfaces(byte[] table)
    {
        var rows = new List<MIB_IF_ROW2>();
        foreach (var offset in MibTable.RowOffsets<MIB_IF_TABLE2, MIB_IF_ROW2>(table, "GetIfTable2"))
        {
            rows.Add(NativeBuffer.Read<MIB_IF_ROW2>(table, offset, "a GetIfTable2 row"));
        }

        return rows;
    }

    public static IReadOnlyList<MIB_IPINTERFACE_ROW> IPInterfaces(byte[] table)
    {
        var rows = new List<MIB_IPINTERFACE_ROW>();
        foreach (var offset in MibTable.RowOffsets<MIB_IPINTERFACE_TABLE, MIB_IPINTERFACE_ROW>(table, "GetIpInterfaceTable"))
        {
            var row = NativeBuffer.Read<MIB_IPINTERFACE_ROW>(table, offset, "a GetIpInterfaceTable row");
            if (row.Family != IpHelper.AF_INET && row.Family != IpHelper.AF_INET6)
            {
                throw new IpHelperParseException($"a GetIpInterfaceTable row of interface {row.InterfaceIndex} has address family {row.Family}, neither AF_INET ({IpHelper.AF_INET}) nor AF_INET6 ({IpHelper.AF_INET6}).");
            }

            rows.Add(row);
        }

        return rows;
    }

    public static IReadOnlyList<UnicastAddressRow> UnicastAddresses(byte[] table)
    {
        var rows = new List<UnicastAddressRow>();
        foreach (var offset in MibTable.RowOffsets<MIB_UNICASTIPADDRESS_TABLE, MIB_UNICASTIPADDRESS_ROW>(table, "GetUnicastIpAddressTable"))
        {
            var row = NativeBuffer.Read<MIB_UNICASTIPADDRESS_ROW>(table, offset, "a GetUnicastIpAddressTable row");
            var what = $"the address of a GetUnicastIpAddressTable row of interface {row.InterfaceIndex}";
            var address = Sockaddr.Decode(table, offset + UnicastAddress, Sockaddr.Length, what);
            CheckPrefixLength(address, row.OnLinkPrefixLength, what);
            rows.Add(new UnicastAddressRow(row, address));
        }

        return rows;
    }

    public static IReadOnlyList<ForwardRow> Routes(byte[] table)
    {
        var rows = new List<ForwardRow>();
        foreach (var offset in MibTable.RowOffsets<MIB_IPFORWARD_TABLE2, MIB_IPFORWARD_ROW2>(table, "GetIpForwardTable2"))
        {
            rows.Add(Route(table, offset, "a GetIpForwardTable2 row"));
        }

        return rows;
    }

    /// <summary>One MIB_IPFORWARD_ROW2 at <paramref name="offset"/>: a table's row, or GetBestRoute2's answer.</summary>
    public static ForwardRow Route(byte[] buffer, long offset, string what)
    {
        var row = NativeBuffer.Read<MIB_IPFORWARD_ROW2>(buffer, offset, what);
        var network = Sockaddr.Decode(buffer, offset + ForwardPrefix, Sockaddr.Length, $"the destination of {what} of interface {row.InterfaceIndex}");
        var length = row.DestinationPrefix.PrefixLength;
        CheckPrefixLength(network, length, $"the destination {network} of {what} of interface {row.InterfaceIndex}");
        // MIB_IPFORWARD_ROW2's documentation calls an on-link next hop "unspecified (all zeros)": family 0 too.
        var nextHop = Sockaddr.IsAllZeros(buffer, offset + ForwardNextHop)
            ? (network.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any)
            : Sockaddr.Decode(buffer, offset + ForwardNextHop, Sockaddr.Length, $"the next hop of {what} to {network}/{length}");
        if (nextHop.AddressFamily != network.AddressFamily)
        {
            throw new IpHelperParseException($"{what} to {network}/{length} has a next hop of the other family, {nextHop}.");
        }

        return new ForwardRow(row, new IPPrefix(network, length), nextHop);
    }

    internal static void CheckPrefixLength(IPAddress address, int length, string what)
    {
        var bits = address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        if (length > bits)
        {
            throw new IpHelperParseException($"{what} has prefix length {length}, more than {bits}.");
        }
    }
}

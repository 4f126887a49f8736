using System;
using System.Collections.Generic;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using PSLoopback.Platform.Windows;
using PSLoopback.Platform.Windows.Native;

namespace PSLoopback.Core.Tests.Platform.Windows;

/// <summary>
/// Builds IP Helper answers as Windows writes them, with the same structure declarations the parser reads
/// (Marshal.StructureToPtr), so a test sets the fields it cares about and breaks the bytes it wants broken.
/// </summary>
internal static class IpHelperBytes
{
    /// <summary>A structure read from zeros: every fixed array already has its declared length, as StructureToPtr needs.</summary>
    public static T Blank<T>()
        where T : struct => FromBytes<T>(new byte[Marshal.SizeOf<T>()]);

    public static byte[] ToBytes<T>(T value)
        where T : struct
    {
        var bytes = new byte[Marshal.SizeOf<T>()];
        var handle = GCHandle.Alloc(bytes, GCHandleType.Pinned);
        try
        {
            Marshal.StructureToPtr(value, handle.AddrOfPinnedObject(), false);
        }
        finally
        {
            handle.Free();
        }

        return bytes;
    }

    public static T FromBytes<T>(byte[] bytes)
        where T : struct
    {
        var handle = GCHandle.Alloc(bytes, GCHandleType.Pinned);
        try
        {
            return Marshal.PtrToStructure<T>(handle.AddrOfPinnedObject());
        }
        finally
        {
            handle.Free();
        }
    }

    /// <summary>A SOCKADDR_INET holding <paramref name="address"/>, written byte by byte as Windows lays it out.</summary>
    public static SOCKADDR_INET Sockaddr(string address)
    {
        var ip = IPAddress.Parse(address);
        var bytes = new byte[28];
        var raw = ip.GetAddressBytes();
        if (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            bytes[0] = 2;
            raw.CopyTo(bytes, 4);
        }
        else
        {
            bytes[0] = 23;
            raw.CopyTo(bytes, 8);
        }

        return FromBytes<SOCKADDR_INET>(bytes);
    }

    /// <summary>
    /// Parses 2,000 copies of <paramref name="table"/>, each with one to five bytes set at random: each must parse
    /// or fail with <see cref="IpHelperParseException"/>, never anything worse (an index or overflow exception).
    /// </summary>
    public static void ParseCorrupted(byte[] table, Action<byte[]> parse, int seed)
    {
        var random = new Random(seed);
        for (var round = 0; round < 2000; round++)
        {
            var corrupt = (byte[])table.Clone();
            for (var flips = random.Next(1, 6); flips > 0; flips--)
            {
                corrupt[random.Next(corrupt.Length)] = (byte)random.Next(256);
            }

            try
            {
                parse(corrupt);
            }
            catch (IpHelperParseException)
            {
            }
        }
    }

    /// <summary>A MIB table: the row count, then the rows where the table structure places them.</summary>
    /// <param name="count">The row count to write, to claim more rows than there are; the number of rows by default.</param>
    /// <param name="rowsField">The table structure's rows field: "Table", or the older extended tables' "table".</param>
    public static byte[] Table<TTable, TRow>(IReadOnlyList<TRow> rows, uint? count = null, string rowsField = "Table")
        where TTable : struct
        where TRow : struct
    {
        var header = Marshal.OffsetOf<TTable>(rowsField).ToInt32();
        var size = Marshal.SizeOf<TRow>();
        var table = new byte[header + (rows.Count * size)];
        BitConverter.GetBytes(count ?? (uint)rows.Count).CopyTo(table, 0);
        for (var i = 0; i < rows.Count; i++)
        {
            ToBytes(rows[i]).CopyTo(table, header + (i * size));
        }

        return table;
    }

    public static MIB_IF_ROW2 IfRow(uint index, ulong luid)
    {
        var row = Blank<MIB_IF_ROW2>();
        row.InterfaceIndex = index;
        row.InterfaceLuid = luid;
        row.AdminStatus = 1;
        row.OperStatus = 1;
        return row;
    }

    public static MIB_UNICASTIPADDRESS_ROW UnicastRow(uint index, ulong luid, string address, byte prefixLength)
    {
        var row = Blank<MIB_UNICASTIPADDRESS_ROW>();
        row.InterfaceIndex = index;
        row.InterfaceLuid = luid;
        row.Address = Sockaddr(address);
        row.OnLinkPrefixLength = prefixLength;
        row.DadState = 4;
        row.ValidLifetime = uint.MaxValue;
        row.PreferredLifetime = uint.MaxValue;
        return row;
    }

    public static MIB_IPINTERFACE_ROW IPInterfaceRow(uint index, ulong luid, ushort family, uint metric)
    {
        var row = Blank<MIB_IPINTERFACE_ROW>();
        row.InterfaceIndex = index;
        row.InterfaceLuid = luid;
        row.Family = family;
        row.Metric = metric;
        row.Connected = 1;
        return row;
    }

    public static MIB_IPFORWARD_ROW2 ForwardRow(uint index, string prefix, string nextHop, uint metric = 0)
    {
        var slash = prefix.IndexOf('/');
        var row = Blank<MIB_IPFORWARD_ROW2>();
        row.InterfaceIndex = index;
        row.DestinationPrefix.Prefix = Sockaddr(prefix.Substring(0, slash));
        row.DestinationPrefix.PrefixLength = byte.Parse(prefix.Substring(slash + 1), System.Globalization.CultureInfo.InvariantCulture);
        row.NextHop = Sockaddr(nextHop);
        row.Metric = metric;
        row.Protocol = 3;
        row.ValidLifetime = uint.MaxValue;
        row.PreferredLifetime = uint.MaxValue;
        return row;
    }

    /// <summary>UTF-16 with its terminating NUL, as PWCHAR fields point to.</summary>
    public static byte[] WideString(string text) => Encoding.Unicode.GetBytes(text + "\0");
}

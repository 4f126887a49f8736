using System;
using System.Runtime.InteropServices;
using PSLoopback.Platform.Windows.Native;

namespace PSLoopback.Platform.Windows;

/// <summary>
/// The MIB tables of the IP Helper API: a ULONG row count, then that many rows of one structure, at the
/// offset the table structure's <c>Table</c> field has. They are copied out of the memory Windows allocated
/// (freed with FreeMibTable on every path) and read from the copy, so a parse never touches native memory.
/// </summary>
internal static class MibTable
{
    /// <summary>Larger than any real table (a million routes is 100 MB); a count past it is not believed.</summary>
    private const long MaxTableBytes = 1L << 30;

    internal delegate uint Allocate(out IntPtr table);

    /// <summary>Calls a function that allocates a MIB table, and returns a copy of the table.</summary>
    /// <exception cref="PlatformNotSupportedException">The function is missing or answers ERROR_NOT_SUPPORTED.</exception>
    /// <exception cref="System.ComponentModel.Win32Exception">The function failed.</exception>
    public static byte[] Take<TTable, TRow>(string api, Allocate allocate)
        where TTable : struct
        where TRow : struct =>
        Take<TTable, TRow>(api, allocate, table => IpHelperCalls.Run(api + " (FreeMibTable)", () =>
        {
            IpHelper.FreeMibTable(table);
            return true;
        }));

    /// <param name="free">FreeMibTable; a test's own to count the calls.</param>
    internal static byte[] Take<TTable, TRow>(string api, Allocate allocate, Action<IntPtr> free)
        where TTable : struct
        where TRow : struct
    {
        var table = IpHelperCalls.Run(api, () =>
        {
            var status = allocate(out var allocated);
            if (status != IpHelper.NO_ERROR)
            {
                // Windows leaves the pointer NULL on failure; a non-NULL one is freed all the same.
                if (allocated != IntPtr.Zero)
                {
                    free(allocated);
                }

                throw IpHelperCalls.Failure(api, status);
            }

            return allocated != IntPtr.Zero
                ? allocated
                : throw new IpHelperParseException($"{api} answered NO_ERROR without a table.");
        });

        try
        {
            var count = (uint)Marshal.ReadInt32(table);
            var length = Header<TTable>() + ((long)count * Marshal.SizeOf<TRow>());
            if (length > MaxTableBytes)
            {
                throw new IpHelperParseException($"{api} says it has {count} rows, {length} bytes: more than any real table.");
            }

            var copy = new byte[length];
            Marshal.Copy(table, copy, 0, copy.Length);
            return copy;
        }
        finally
        {
            free(table);
        }
    }

    /// <summary>Where each row of a copied table starts, once the bytes are known to hold every row the count claims.</summary>
    /// <param name="rowsField">The table structure's field that holds the rows: Table, or table in the older tables (MIB_TCPTABLE_OWNER_PID).</param>
    public static long[] RowOffsets<TTable, TRow>(byte[] table, string api, string rowsField = "Table")
        where TTable : struct
        where TRow : struct
    {
        NativeBuffer.Require(table, 0, 4, api + "'s row count");
        var count = BitConverter.ToUInt32(table, 0);
        var header = Header<TTable>(rowsField);
        var size = Marshal.SizeOf<TRow>();
        var room = Math.Max(0, table.Length - header) / size;
        if (count > room)
        {
            throw new IpHelperParseException($"{api} says it has {count} rows of {size} bytes, but its {table.Length} bytes hold {room}.");
        }

        var offsets = new long[count];
        for (var i = 0; i < offsets.Length; i++)
        {
            offsets[i] = header + ((long)i * size);
        }

        return offsets;
    }

    private static int Header<TTable>(string rowsField = "Table")
        where TTable : struct => Marshal.OffsetOf<TTable>(rowsField).ToInt32();
}

using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Runtime.InteropServices;
using PSLoopback.Platform.Windows;
using PSLoopback.Platform.Windows.Native;
using static PSLoopback.Core.Tests.Platform.Windows.IpHelperBytes;

namespace PSLoopback.Core.Tests.Platform.Windows;

/// <summary>The copy out of native memory, with a stand-in for the IP Helper function and for FreeMibTable.</summary>
public class MibTableTests
{
    private readonly List<IntPtr> freed = new();

    [Fact]
    public void ATableIsCopiedAndFreedOnce()
    {
        var table = Table<MIB_IPFORWARD_TABLE2, MIB_IPFORWARD_ROW2>(new[] { ForwardRow(1, "127.0.0.0/8", "0.0.0.0") });
        var native = Native(table);
        var copy = Take(NativeCall(0, native));
        Assert.Equal(table, copy);
        Assert.Equal(new[] { native }, freed);
    }

    [Fact]
    public void AFailureIsNamedAndWhatWindowsAllocatedIsStillFreed()
    {
        var native = Native(new byte[8]);
        var e = Assert.Throws<Win32Exception>(() => Take(NativeCall(5, native)));
        Assert.Equal(5, e.NativeErrorCode);
        Assert.StartsWith("GetIpForwardTable2 failed with error 5", e.Message);
        Assert.Equal(new[] { native }, freed);
    }

    [Fact]
    public void NotSupportedAndMissingFunctionsSayWhichFunction()
    {
        var e = Assert.Throws<PlatformNotSupportedException>(() => Take(NativeCall(IpHelper.ERROR_NOT_SUPPORTED, IntPtr.Zero)));
        Assert.Equal("GetIpForwardTable2 answered ERROR_NOT_SUPPORTED (50).", e.Message);

        e = Assert.Throws<PlatformNotSupportedException>(() => Take((out IntPtr table) => throw new EntryPointNotFoundException("no such export")));
        Assert.Equal("GetIpForwardTable2 is missing from this system's iphlpapi.dll.", e.Message);

        e = Assert.Throws<PlatformNotSupportedException>(() => Take((out IntPtr table) => throw new DllNotFoundException("iphlpapi.dll")));
        Assert.Contains("no iphlpapi.dll", e.Message);
        Assert.Empty(freed);
    }

    [Fact]
    public void AnUnbelievableRowCountIsNotCopiedButFreed()
    {
        var head = new byte[8];
        BitConverter.GetBytes(uint.MaxValue).CopyTo(head, 0);
        var native = Native(head);
        var e = Assert.Throws<IpHelperParseException>(() => Take(NativeCall(0, native)));
        Assert.Contains("more than any real table", e.Message);
        Assert.Equal(new[] { native }, freed);
    }

    [Fact]
    public void SuccessWithoutATableIsMalformed()
    {
        Assert.Throws<IpHelperParseException>(() => Take(NativeCall(0, IntPtr.Zero)));
        Assert.Empty(freed);
    }

    private static MibTable.Allocate NativeCall(uint status, IntPtr result) => (out IntPtr table) =>
    {
        table = result;
        return status;
    };

    private static IntPtr Native(byte[] bytes)
    {
        var memory = Marshal.AllocHGlobal(bytes.Length);
        Marshal.Copy(bytes, 0, memory, bytes.Length);
        return memory;
    }

    private byte[] Take(MibTable.Allocate allocate) =>
        MibTable.Take<MIB_IPFORWARD_TABLE2, MIB_IPFORWARD_ROW2>("GetIpForwardTable2", allocate, table =>
        {
            freed.Add(table);
            Marshal.FreeHGlobal(table);
        });
}

using System;
using System.Collections.Generic;
using System.ComponentModel;
using PSLoopback.Platform.Windows;
using PSLoopback.Platform.Windows.Native;

namespace PSLoopback.Core.Tests.Platform.Windows;

/// <summary>The buffer loop of GetExtendedTcpTable and GetExtendedUdpTable, against calls that answer as a test wants.</summary>
public class SocketTableCallTests
{
    [Fact]
    public void ABufferTooSmallGrowsToWhatWindowsAsksAndMore()
    {
        var sizes = new List<int>();
        var table = IpHelperCalls.SocketTable("GetExtendedTcpTable", IpHelper.AF_INET, (byte[]? buffer, ref uint size) =>
        {
            sizes.Add(buffer!.Length);
            if (buffer.Length < 100_000)
            {
                size = 100_000;
                return IpHelper.ERROR_INSUFFICIENT_BUFFER;
            }

            buffer[0] = 42;
            return IpHelper.NO_ERROR;
        });
        Assert.Equal(2, sizes.Count);
        Assert.Equal(16 * 1024, sizes[0]);
        Assert.Equal(125_000, sizes[1]);
        Assert.Equal(42, table[0]);
    }

    [Fact]
    public void TablesThatKeepGrowingStopAfterAFewTries()
    {
        var calls = 0;
        var e = Assert.Throws<Win32Exception>(() => IpHelperCalls.SocketTable("GetExtendedUdpTable", IpHelper.AF_INET6, (byte[]? buffer, ref uint size) =>
        {
            calls++;
            size = (uint)buffer!.Length * 2;
            return IpHelper.ERROR_INSUFFICIENT_BUFFER;
        }));
        Assert.Equal(5, calls);
        Assert.Equal((int)IpHelper.ERROR_INSUFFICIENT_BUFFER, e.NativeErrorCode);
        Assert.Contains("GetExtendedUdpTable (AF_INET6) still wanted a larger buffer after 5 tries", e.Message);
    }

    [Fact]
    public void ASizePastAnyRealTableIsNotBelieved()
    {
        var calls = 0;
        var e = Assert.Throws<IpHelperParseException>(() => IpHelperCalls.SocketTable("GetExtendedTcpTable", IpHelper.AF_INET6, (byte[]? buffer, ref uint size) =>
        {
            calls++;
            size = uint.MaxValue;
            return IpHelper.ERROR_INSUFFICIENT_BUFFER;
        }));
        Assert.Equal(1, calls);
        Assert.Contains("GetExtendedTcpTable (AF_INET6) asks for a 4294967295-byte buffer", e.Message);
    }

    [Fact]
    public void OtherErrorsNameTheFunctionAndFamily()
    {
        var e = Assert.Throws<Win32Exception>(() => IpHelperCalls.SocketTable("GetExtendedTcpTable", IpHelper.AF_INET, (byte[]? buffer, ref uint size) => IpHelper.ERROR_INVALID_PARAMETER));
        Assert.Equal((int)IpHelper.ERROR_INVALID_PARAMETER, e.NativeErrorCode);
        Assert.StartsWith("GetExtendedTcpTable (AF_INET) failed with error 87", e.Message);

        var unsupported = Assert.Throws<PlatformNotSupportedException>(() => IpHelperCalls.SocketTable("GetExtendedUdpTable", IpHelper.AF_INET6, (byte[]? buffer, ref uint size) => IpHelper.ERROR_NOT_SUPPORTED));
        Assert.Equal("GetExtendedUdpTable (AF_INET6) answered ERROR_NOT_SUPPORTED (50).", unsupported.Message);

        var missing = Assert.Throws<PlatformNotSupportedException>(() => IpHelperCalls.SocketTable("GetExtendedTcpTable", IpHelper.AF_INET, (byte[]? buffer, ref uint size) => throw new EntryPointNotFoundException()));
        Assert.Equal("GetExtendedTcpTable (AF_INET) is missing from this system's iphlpapi.dll.", missing.Message);
    }
}

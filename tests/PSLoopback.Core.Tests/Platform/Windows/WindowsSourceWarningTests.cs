using System;
using System.Collections.Generic;
using System.ComponentModel;
using PSLoopback.Platform;
using PSLoopback.Platform.Windows;

namespace PSLoopback.Core.Tests.Platform.Windows;

/// <summary>What the sources do when an optional IP Helper function fails, and when a core one does.</summary>
public class WindowsSourceWarningTests
{
    [Fact]
    public void AnOptionalFunctionThatFailsLeavesItsFactsEmptyWithAWarningNamingIt()
    {
        var warnings = new List<string>();
        Assert.Null(WindowsInterfaceSource.Optional<object>(warnings, "no interface metrics",
            () => throw IpHelperCalls.Failure("GetIpInterfaceTable", 50)));
        Assert.Null(WindowsInterfaceSource.Optional<object>(warnings, "no counters",
            () => IpHelperCalls.Run<object>("GetIfTable2", () => throw new EntryPointNotFoundException())));
        Assert.Null(WindowsInterfaceSource.Optional<object>(warnings, "no lifetimes",
            () => throw new IpHelperParseException("GetUnicastIpAddressTable says it has 9 rows")));
        Assert.Equal(
            new[]
            {
                "GetIpInterfaceTable answered ERROR_NOT_SUPPORTED (50): no interface metrics.",
                "GetIfTable2 is missing from this system's iphlpapi.dll: no counters.",
                "Malformed IP Helper answer: GetUnicastIpAddressTable says it has 9 rows: no lifetimes.",
            },
            warnings);
    }

    [Fact]
    public void AnythingElseIsNotSwallowed()
    {
        Assert.Throws<InvalidOperationException>(() => WindowsInterfaceSource.Optional<object>(new List<string>(), "x", () => throw new InvalidOperationException()));
    }

    [Fact]
    public void WithoutTheInterfaceListOrTheRouteTableTheSourcesThrow()
    {
        Assert.False(OperatingSystem.IsWindows(), "this test checks the answer where iphlpapi.dll is missing");
        var interfaces = new WindowsInterfaceSource();
        Assert.Equal("GetAdaptersAddresses cannot be called: this system has no iphlpapi.dll.", Assert.Throws<PlatformNotSupportedException>(() => interfaces.GetInterfaces()).Message);
        Assert.Empty(interfaces.Warnings);
        // A routing source that exists but cannot read is a read failure, not a platform without routes.
        var routes = Assert.Throws<InvalidOperationException>(() => new WindowsRouteSource().ReadSnapshot());
        Assert.IsType<PlatformNotSupportedException>(routes.InnerException);
        Assert.Contains("GetAdaptersAddresses", routes.Message);
        Assert.IsAssignableFrom<ISourceWarnings>(interfaces);
    }

    [Fact]
    public void OtherErrorCodesAreWin32ExceptionsNamingTheFunction()
    {
        var e = Assert.IsType<Win32Exception>(IpHelperCalls.Failure("GetIpForwardTable2", 5));
        Assert.Equal(5, e.NativeErrorCode);
        Assert.StartsWith("GetIpForwardTable2 failed with error 5: ", e.Message);
    }
}

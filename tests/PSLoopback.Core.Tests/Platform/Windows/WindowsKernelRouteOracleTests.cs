using System;
using System.Linq;
using System.Net;
using PSLoopback.Interfaces;
using PSLoopback.Platform.Windows;
using PSLoopback.Platform.Windows.Native;
using PSLoopback.Routing;
using static PSLoopback.Core.Tests.Platform.Windows.IpHelperBytes;

namespace PSLoopback.Core.Tests.Platform.Windows;

/// <summary>GetBestRoute2's answers, as the bytes it writes, read into what -Verify compares.</summary>
public class WindowsKernelRouteOracleTests
{
    private static readonly NetInterfaceInfo[] Interfaces = WindowsInterfaceBuilder.Build(
        AdapterAddressesReader.Parse(new AdapterListBuilder().Adapter(7, "Ethernet", 7, unicast: new[] { ("192.0.2.2", (byte)24) }).Build(), AdapterListBuilder.Base),
        null,
        null,
        null).ToArray();

    [Fact]
    public void ARouteThroughAGatewayNamesInterfaceGatewayAndSource()
    {
        var answer = WindowsKernelRouteOracle.Read(0, ToBytes(ForwardRow(7, "0.0.0.0/0", "192.0.2.1")), ToBytes(Sockaddr("192.0.2.2")), Interfaces);
        Assert.Equal(RouteError.None, answer.Error);
        Assert.Equal(RouteType.Unicast, answer.RouteType);
        Assert.Equal((7, "Ethernet"), (answer.InterfaceIndex!.Value, answer.InterfaceAlias!));
        Assert.Equal(IPAddress.Parse("192.0.2.1"), answer.Gateway);
        Assert.Equal(IPAddress.Parse("192.0.2.2"), answer.PreferredSource);
        Assert.Null(answer.Table);
    }

    [Fact]
    public void AnOnLinkRouteHasNoGateway()
    {
        var answer = WindowsKernelRouteOracle.Read(0, ToBytes(ForwardRow(1, "::1/128", "::")), ToBytes(Sockaddr("::1")), Interfaces);
        Assert.Null(answer.Gateway);
        Assert.Equal(IPAddress.IPv6Loopback, answer.PreferredSource);
        Assert.Equal(1, answer.InterfaceIndex);
        Assert.Null(answer.InterfaceAlias);
    }

    [Theory]
    [InlineData(1231u, RouteError.NetworkUnreachable)]
    [InlineData(1232u, RouteError.HostUnreachable)]
    [InlineData(87u, RouteError.InvalidArgument)]
    [InlineData(2u, RouteError.NoSuchDevice)]
    [InlineData(1168u, RouteError.Other)]
    public void AFailureIsAnAnswerWithItsCode(uint status, RouteError error)
    {
        var answer = WindowsKernelRouteOracle.Read(status, new byte[104], new byte[28], Interfaces);
        Assert.Equal(error, answer.Error);
        Assert.Equal((int)status, answer.Errno);
    }

    [Fact]
    public void NotSupportedMeansVerifyCannotAsk()
    {
        var e = Assert.Throws<PlatformNotSupportedException>(() => WindowsKernelRouteOracle.Read(IpHelper.ERROR_NOT_SUPPORTED, new byte[104], new byte[28], Interfaces));
        Assert.StartsWith("-Verify cannot ask Windows for its route: GetBestRoute2 answered ERROR_NOT_SUPPORTED (50).", e.Message);
    }

    [Fact]
    public void AMalformedAnswerIsAParseError()
    {
        var route = ForwardRow(7, "0.0.0.0/0", "192.0.2.1");
        route.NextHop.si_family = 0;
        Assert.Throws<IpHelperParseException>(() => WindowsKernelRouteOracle.Read(0, ToBytes(route), ToBytes(Sockaddr("192.0.2.2")), Interfaces));
        Assert.Throws<IpHelperParseException>(() => WindowsKernelRouteOracle.Read(0, ToBytes(ForwardRow(7, "0.0.0.0/0", "192.0.2.1")), new byte[28], Interfaces));
        Assert.Throws<IpHelperParseException>(() => WindowsKernelRouteOracle.Read(0, new byte[50], ToBytes(Sockaddr("192.0.2.2")), Interfaces));
    }

    [Fact]
    public void OffWindowsTheOracleSaysItCannotAsk()
    {
        Assert.False(OperatingSystem.IsWindows(), "this test checks the answer where iphlpapi.dll is missing");
        using var oracle = new WindowsKernelRouteOracle(Interfaces);
        var e = Assert.Throws<PlatformNotSupportedException>(() => oracle.Ask(new RouteQuery(IPAddress.Loopback)));
        Assert.Equal("-Verify cannot ask Windows for its route: GetBestRoute2 cannot be called: this system has no iphlpapi.dll. Without GetBestRoute2 only PSLoopback's own answer is given.", e.Message);
    }
}

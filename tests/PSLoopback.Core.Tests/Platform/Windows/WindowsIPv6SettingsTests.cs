using System.Linq;
using PSLoopback.Interfaces;
using PSLoopback.Platform.Windows;

namespace PSLoopback.Core.Tests.Platform.Windows;

public class WindowsIPv6SettingsTests
{
    private const string Key = @"HKLM\SYSTEM\CurrentControlSet\Services\Tcpip6\Parameters";

    [Theory]
    [InlineData(0xFFu, "DisabledComponents = 0xFF under " + Key + " (IPv6 off on every non-tunnel interface; IPv6 off on every tunnel interface; IPv4 preferred over IPv6)")]
    [InlineData(0x20u, "DisabledComponents = 0x20 under " + Key + " (IPv4 preferred over IPv6)")]
    [InlineData(0x01u, "DisabledComponents = 0x01 under " + Key + " (IPv6 off on every tunnel interface)")]
    [InlineData(0x0Au, "DisabledComponents = 0x0A under " + Key + " (IPv6 off on the 6to4, Teredo tunnels)")]
    [InlineData(0x11u, "DisabledComponents = 0x11 under " + Key + " (IPv6 off on every non-tunnel interface; IPv6 off on every tunnel interface)")]
    [InlineData(0x40u, "DisabledComponents = 0x40 under " + Key)]
    public void TheValueIsSaidInWords(uint value, string text) => Assert.Equal(text, WindowsIPv6Settings.Describe(value));

    [Fact]
    public void ALoopbackWithIPv6IsNotDisabledWhateverTheValue()
    {
        // Microsoft documents 0xFF as IPv6 off everywhere but on the loopback: ::1 still answers.
        Assert.Null(WindowsIPv6Settings.IPv6DisabledBy(Interfaces("127.0.0.1", "::1"), 0xFF));
        Assert.Null(WindowsIPv6Settings.IPv6DisabledBy(Interfaces("127.0.0.1", "::1"), null));
    }

    [Fact]
    public void ALoopbackWithoutIPv6SaysSoAndNamesTheValue()
    {
        Assert.Equal(
            "the loopback interface Loopback Pseudo-Interface 1 has no IPv6 address; DisabledComponents = 0xFF under " + Key
            + " (IPv6 off on every non-tunnel interface; IPv6 off on every tunnel interface; IPv4 preferred over IPv6)",
            WindowsIPv6Settings.IPv6DisabledBy(Interfaces("127.0.0.1"), 0xFF));
        Assert.Equal("the loopback interface Loopback Pseudo-Interface 1 has no IPv6 address", WindowsIPv6Settings.IPv6DisabledBy(Interfaces("127.0.0.1"), 0));
        Assert.Equal("the loopback interface Loopback Pseudo-Interface 1 has no IPv6 address", WindowsIPv6Settings.IPv6DisabledBy(Interfaces("127.0.0.1"), null));
    }

    [Fact]
    public void WithoutALoopbackInterfaceNothingIsClaimed() =>
        Assert.Null(WindowsIPv6Settings.IPv6DisabledBy(System.Array.Empty<NetInterfaceInfo>(), 0xFF));

    [Fact]
    public void OffWindowsTheValueIsNotSet()
    {
        Assert.False(System.OperatingSystem.IsWindows(), "this test checks the answer where advapi32.dll is missing");
        Assert.Null(WindowsIPv6Settings.ReadDisabledComponents());
    }

    private static NetInterfaceInfo[] Interfaces(params string[] loopbackAddresses) => WindowsInterfaceBuilder.Build(
        AdapterAddressesReader.Parse(
            new AdapterListBuilder()
                .Adapter(1, "Loopback Pseudo-Interface 1", 1, ifType: 24, unicast: loopbackAddresses.Select(a => (a, (byte)(a.Contains(':') ? 128 : 8))).ToArray())
                .Build(),
            AdapterListBuilder.Base),
        null,
        null,
        null).ToArray();
}

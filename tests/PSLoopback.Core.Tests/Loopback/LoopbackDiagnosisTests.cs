using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using PSLoopback.Core.Tests.Support;
using PSLoopback.Loopback;
using PSLoopback.Routing;

namespace PSLoopback.Core.Tests.Loopback;

/// <summary>The judgements Test-Loopback makes before and after sending, on hosts whose faults are known.</summary>
public class LoopbackDiagnosisTests
{
    private static SnapshotBuilder Healthy() => SnapshotBuilder.WithLoopback()
        .Interface(2, "eth0", false, "192.0.2.10/24")
        .Route("local 192.0.2.10 dev eth0 table local scope host src 192.0.2.10")
        .Route("192.0.2.0/24 dev eth0 scope link src 192.0.2.10")
        .Route("default via 192.0.2.1 dev eth0");

    private static LoopbackFacts Facts(SnapshotBuilder host, string hosts = "127.0.0.1 localhost\n::1 localhost\n")
    {
        var snapshot = host.Build();
        return new LoopbackFacts(snapshot.Interfaces, new LinuxRouteResolver(snapshot), HostsFile.Parse(hosts), "/etc/hosts");
    }

    private static (LoopbackStatus? Status, LoopbackTestResult Result) Before(LoopbackFacts facts, string address, bool named = false)
    {
        var result = new LoopbackTestResult(named ? "localhost" : address);
        return (LoopbackDiagnosis.BeforeSending(facts, result, IPAddress.Parse(address), named), result);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.200.1.2")]
    [InlineData("::1")]
    public void OnAHealthyHostLoopbackAddressesAreSentTo(string address)
    {
        var (status, result) = Before(Facts(Healthy()), address);
        Assert.Null(status);
        Assert.True(result.IsLoopbackAddress);
        Assert.True(result.StaysOnHost);
        Assert.Equal("lo", result.InterfaceAlias);
        Assert.Equal(RouteType.Local, result.RouteType);
    }

    [Fact]
    public void TheHostsOwnLanAddressIsNotLoopbackButStaysOnTheHost()
    {
        var (status, result) = Before(Facts(Healthy()), "192.0.2.10");
        Assert.Null(status);
        Assert.False(result.IsLoopbackAddress);
        Assert.True(result.StaysOnHost);
    }

    [Fact]
    public void AnAddressThatLeavesTheHostGetsNoTraffic()
    {
        var (status, result) = Before(Facts(Healthy()), "198.51.100.7");
        Assert.Equal(LoopbackStatus.NotLoopback, status);
        Assert.Contains("eth0 via 192.0.2.1", result.Diagnosis);
        Assert.Contains("sent nothing", result.Diagnosis);
    }

    [Fact]
    public void ALoopbackInterfaceThatIsDownIsNamed()
    {
        var snapshot = Healthy().Build();
        var lo = snapshot.Interfaces[0];
        lo.AdminStatus = PSLoopback.Interfaces.AdminStatus.Down;
        var facts = new LoopbackFacts(snapshot.Interfaces, new LinuxRouteResolver(snapshot), Array.Empty<HostsEntry>(), "/etc/hosts");
        var (status, result) = Before(facts, "127.0.0.1");
        Assert.Equal(LoopbackStatus.LoopbackDown, status);
        Assert.Contains("ip link set lo up", result.Diagnosis);
    }

    [Fact]
    public void OnWindowsALoopbackReportedDownOnlyByItsOperationalStatusGetsWindowsAdvice()
    {
        var snapshot = Healthy().Build();
        snapshot.Interfaces[0].Status = PSLoopback.Interfaces.InterfaceStatus.Down;
        var facts = new LoopbackFacts(snapshot.Interfaces, new LinuxRouteResolver(snapshot), Array.Empty<HostsEntry>(), @"C:\Windows\System32\drivers\etc\hosts") { OS = HostOS.Windows };
        var (status, result) = Before(facts, "127.0.0.1");
        Assert.Equal(LoopbackStatus.LoopbackDown, status);
        Assert.Contains("Get-NetIPInterface -InterfaceAlias 'lo'", result.Diagnosis);
        Assert.Contains("netsh int ip reset", result.Diagnosis);
        Assert.DoesNotContain("ip link", result.Diagnosis);
    }

    [Fact]
    public void OnWindowsTheWindowsModelStillSeesTheLoopbackDown()
    {
        var host = WindowsHost.WithLoopback().Interface(12, "Ethernet", 25, "192.0.2.10/24").Route("0.0.0.0/0", "192.0.2.1", "Ethernet", 0);
        host.Status(WindowsHost.Loopback, PSLoopback.Interfaces.InterfaceStatus.Down);
        var snapshot = host.Build();
        var facts = new LoopbackFacts(snapshot.Interfaces, RouteResolvers.For(snapshot), Array.Empty<HostsEntry>(), @"C:\Windows\System32\drivers\etc\hosts") { OS = HostOS.Windows };
        var (status, result) = Before(facts, "127.0.0.1");
        Assert.Equal(LoopbackStatus.LoopbackDown, status);
        Assert.Contains($"The loopback interface {WindowsHost.Loopback} is down", result.Diagnosis);
        Assert.Contains("netsh int ip reset", result.Diagnosis);

        var (other, elsewhere) = Before(facts, "198.51.100.7");
        Assert.Equal(LoopbackStatus.NotLoopback, other);
        Assert.Contains("leave by Ethernet via 192.0.2.1", elsewhere.Diagnosis);
    }

    [Theory]
    [InlineData(HostOS.Linux, "sysctl -w net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.lo.disable_ipv6=0", "DisabledComponents")]
    [InlineData(HostOS.Windows, "DisabledComponents to 0x20", "sysctl")]
    public void DisabledIPv6GetsTheRemedyOfTheOS(HostOS os, string remedy, string otherOS)
    {
        var facts = Facts(Healthy());
        facts.OS = os;
        facts.IPv6DisabledBy = "the operating system reports no IPv6 support";
        var (_, result) = Before(facts, "::1");
        Assert.Contains(remedy, result.Diagnosis);
        Assert.DoesNotContain(otherOS, result.Diagnosis);
    }

    [Theory]
    [InlineData(HostOS.Linux, "0.0.0.0", "as if to 127.0.0.1")]
    [InlineData(HostOS.Windows, "::", "WSAEADDRNOTAVAIL")]
    public void TheUnspecifiedAddressIsExplainedAsTheOSTreatsIt(HostOS os, string address, string expected)
    {
        var facts = Facts(Healthy());
        facts.OS = os;
        var (status, result) = Before(facts, address);
        Assert.Equal(LoopbackStatus.NotLoopback, status);
        Assert.Contains(expected, result.Diagnosis);
    }

    [Fact]
    public void OnlyOneAddressOfTheBlockRoutedIsNotRoutedAsOnMacOS()
    {
        var host = SnapshotBuilder.WithLoopback().Interface(2, "eth0", false, "192.0.2.10/24").Route("default via 192.0.2.1 dev eth0");
        var snapshot = host.Build();
        var routes = new List<NetRouteInfo>(snapshot.Routes);
        routes.RemoveAll(r => r.DestinationPrefix.ToString() == "127.0.0.0/8");
        var facts = new LoopbackFacts(snapshot.Interfaces, new LinuxRouteResolver(new RouteSnapshot(snapshot.Interfaces, routes, snapshot.Rules)), Array.Empty<HostsEntry>(), "/etc/hosts");
        var (status, result) = Before(facts, "127.5.5.5");
        Assert.Equal(LoopbackStatus.NotRouted, status);
        Assert.Contains("127.0.0.0/8 is not routed to the loopback interface", result.Diagnosis);
        Assert.Null(Before(facts, "127.0.0.1").Status);
    }

    [Fact]
    public void DisabledIPv6IsNamedForIPv6AddressesOnly()
    {
        var facts = Facts(Healthy());
        facts.IPv6DisabledBy = "net.ipv6.conf.all.disable_ipv6 = 1";
        var (status, result) = Before(facts, "::1");
        Assert.Equal(LoopbackStatus.FamilyDisabled, status);
        Assert.Contains("disable_ipv6", result.Diagnosis);
        Assert.Null(Before(facts, "127.0.0.1").Status);
    }

    [Fact]
    public void LocalhostResolvingElsewhereIsNotLoopbackAndTheHostsFileIsNamed()
    {
        var facts = Facts(Healthy(), "198.51.100.9 localhost\n");
        var (status, result) = Before(facts, "198.51.100.9", named: true);
        Assert.Equal(LoopbackStatus.NotLoopback, status);
        Assert.Contains("should mean this host", result.Diagnosis);
        Assert.Contains("/etc/hosts maps localhost to 198.51.100.9", LoopbackDiagnosis.HostsText(facts, "localhost", new[] { IPAddress.Parse("198.51.100.9") }));
        Assert.Contains("/etc/hosts has no line for localhost", LoopbackDiagnosis.HostsText(Facts(Healthy(), "10.0.0.1 other\n"), "localhost", Array.Empty<IPAddress>()));
        Assert.Null(LoopbackDiagnosis.HostsText(Facts(Healthy()), "localhost", new[] { IPAddress.Loopback }));
    }

    [Theory]
    [InlineData(SocketError.ConnectionRefused, LoopbackStatus.Refused)]
    [InlineData(SocketError.TimedOut, LoopbackStatus.TimedOut)]
    [InlineData(SocketError.AddressNotAvailable, LoopbackStatus.AddressNotAvailable)]
    [InlineData(SocketError.AddressFamilyNotSupported, LoopbackStatus.FamilyDisabled)]
    [InlineData(SocketError.NetworkUnreachable, LoopbackStatus.NotRouted)]
    [InlineData(SocketError.OperationAborted, LoopbackStatus.Stopped)]
    [InlineData(SocketError.AccessDenied, LoopbackStatus.Failed)]
    public void SocketErrorsMeanStatuses(SocketError error, LoopbackStatus expected)
    {
        var result = new LoopbackTestResult("127.0.0.2");
        Assert.Equal(expected, LoopbackDiagnosis.AfterError(Facts(Healthy()), result, IPAddress.Parse("127.0.0.2"), error, "connect", 8080));
        Assert.False(string.IsNullOrEmpty(result.Diagnosis));
    }

    [Fact]
    public void AServiceOnIPv4OnlyWhileLocalhostPrefersIPv6IsTheClassicTrap()
    {
        var v6 = new LoopbackTestResult("localhost") { RemoteAddress = IPAddress.IPv6Loopback, Status = LoopbackStatus.Refused };
        var v4 = new LoopbackTestResult("localhost") { RemoteAddress = IPAddress.Loopback, Status = LoopbackStatus.Success };
        LoopbackDiagnosis.AcrossFamilies(new[] { v6, v4 }, 3000);
        Assert.Contains("listens on IPv4 only", v6.Diagnosis);
        Assert.Contains("resolves to ::1 first", v6.Diagnosis);
        Assert.Null(v4.Diagnosis);

        var v4First = new LoopbackTestResult("localhost") { RemoteAddress = IPAddress.Loopback, Status = LoopbackStatus.Refused };
        var v6Second = new LoopbackTestResult("localhost") { RemoteAddress = IPAddress.IPv6Loopback, Status = LoopbackStatus.Success };
        LoopbackDiagnosis.AcrossFamilies(new[] { v4First, v6Second }, 3000);
        Assert.Contains("listens on IPv6 only", v4First.Diagnosis);
        Assert.Contains("resolves to 127.0.0.1 first", v4First.Diagnosis);
    }
}

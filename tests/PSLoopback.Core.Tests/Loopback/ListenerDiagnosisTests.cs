using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using PSLoopback.Interfaces;
using PSLoopback.Loopback;
using PSLoopback.Sockets;

namespace PSLoopback.Core.Tests.Loopback;

/// <summary>Test-Loopback -Port names the server: the decisions over constructed socket tables.</summary>
public class ListenerDiagnosisTests
{
    private const int Port = 3000;

    /// <summary>lo, and two devices with addresses of their own, as LoopbackFacts.Interfaces gives them.</summary>
    private static readonly NetInterfaceInfo[] Interfaces =
    {
        Device(1, "lo", true, "127.0.0.1/8", "::1/128"),
        Device(2, "eth0", false, "192.0.2.10/24", "fe80::1/64"),
        Device(3, "v0", false, "10.77.0.1/24", "fd77::1/64"),
    };

    private static NetInterfaceInfo Device(int index, string name, bool loopback, params string[] addresses) => new(index, name)
    {
        InterfaceType = loopback ? InterfaceType.Loopback : InterfaceType.Ethernet,
        Addresses = addresses.Select(a => a.Split('/')).Select(a => new NetInterfaceAddress(index, name, IPAddress.Parse(a[0]), int.Parse(a[1], System.Globalization.CultureInfo.InvariantCulture))).ToList(),
    };

    private static NetSocketInfo Listen(string address, int port = Port, int? pid = 812, string? name = "node", uint? uid = 1000, bool? v6only = false, string? device = null, string? user = "dev") => new()
    {
        Protocol = SocketProtocol.Tcp,
        State = SocketState.Listen,
        LocalAddress = IPAddress.Parse(address),
        LocalPort = port,
        RemoteAddress = IPAddress.Parse(address).AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any,
        OwningProcess = pid,
        ProcessName = pid is null ? null : name,
        Uid = uid,
        UserName = user,
        IPv6Only = IPAddress.Parse(address).AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? v6only : null,
        BoundInterfaceIndex = device is null ? null : Interfaces.Single(i => i.Name == device).InterfaceIndex,
        BoundInterfaceAlias = device,
        SendQueue = 511,
        ReceiveQueue = 0,
    };

    private static ListenerFacts Facts(HostOS os, params NetSocketInfo[] sockets) => new(sockets, os, 1000, "dev", Interfaces);

    private static LoopbackTestResult Tried(string target, string address, LoopbackStatus status) => new(target)
    {
        RemoteAddress = IPAddress.Parse(address),
        IsLoopbackAddress = PSLoopback.Addressing.AddressClass.IsLoopback(IPAddress.Parse(address)),
        Port = Port,
        Status = status,
        Diagnosis = status == LoopbackStatus.Refused ? $"Nothing listens on {address}:{Port}: the connection was refused." : null,
        Steps = new[] { new LoopbackStep("route lookup", "lo", 10), new LoopbackStep("connect", "done", 50) },
    };

    /// <summary>The self-check with -Port, where localhost resolves to ::1 first: localhost's two addresses.</summary>
    private static LoopbackTestResult[] Localhost(LoopbackStatus v6, LoopbackStatus v4) =>
        new[] { Tried("localhost", "::1", v6), Tried("localhost", "127.0.0.1", v4) };

    private static bool Takes(IEnumerable<NetSocketInfo> table, string address) =>
        ListenerLookup.Acceptors(ListenerLookup.OnPort(table, SocketProtocol.Tcp, Port), IPAddress.Parse(address), Interfaces).Count > 0;

    [Theory]
    [InlineData("127.0.0.1", null, true, false)]
    [InlineData("::1", true, false, true)]
    [InlineData("::", false, true, true)]
    [InlineData("::", true, false, true)]
    [InlineData("0.0.0.0", null, true, false)]
    [InlineData("192.0.2.10", null, false, false)]
    [InlineData("::ffff:127.0.0.1", false, true, false)]
    public void WhichLoopbackConnectionsAListenerTakes(string address, bool? v6only, bool takesIPv4, bool takesIPv6)
    {
        var table = new[] { Listen(address, v6only: v6only) };
        Assert.Equal(takesIPv4, Takes(table, "127.0.0.1"));
        Assert.Equal(takesIPv6, Takes(table, "::1"));
        Assert.Equal(takesIPv4, Takes(table, "::ffff:127.0.0.1"));
    }

    [Fact]
    public void OnlyListenersOfTheProtocolAndPortCountAndTheExactAddressBeatsTheWildcard()
    {
        var exact = Listen("127.0.0.1", pid: 1, name: "exact");
        var table = new[]
        {
            Listen("0.0.0.0", pid: 2, name: "wildcard"), exact, Listen("::", pid: 3, name: "dual"),
            Listen("127.0.0.1", port: 3001), new NetSocketInfo { Protocol = SocketProtocol.Udp, State = SocketState.Listen, LocalAddress = IPAddress.Loopback, LocalPort = Port },
            new NetSocketInfo { Protocol = SocketProtocol.Tcp, State = SocketState.Established, LocalAddress = IPAddress.Loopback, LocalPort = Port },
        };
        var onPort = ListenerLookup.OnPort(table, SocketProtocol.Tcp, Port);
        Assert.Equal(3, onPort.Count);
        Assert.Same(exact, Assert.Single(ListenerLookup.Acceptors(onPort, IPAddress.Loopback, Interfaces)));
        Assert.Equal("wildcard", Assert.Single(ListenerLookup.Acceptors(onPort, IPAddress.Parse("127.0.0.2"), Interfaces)).ProcessName);
        Assert.Equal("dual", Assert.Single(ListenerLookup.Acceptors(onPort, IPAddress.IPv6Loopback, Interfaces)).ProcessName);
    }

    [Fact]
    public void OnlyOn127001WhileLocalhostPrefersIPv6TheServerIsNamedWithTheAdvice()
    {
        var results = Localhost(LoopbackStatus.Refused, LoopbackStatus.Success);
        var warnings = ListenerDiagnosis.Apply(results, Port, Facts(HostOS.Linux, Listen("127.0.0.1")), detailed: false);
        Assert.Empty(warnings);
        Assert.Equal(
            "node (pid 812) listens on 127.0.0.1:3000, not on [::1]:3000; localhost resolves to ::1 first here, so clients that try only the first address "
            + "(Node 17-19, Test-Connection localhost -TcpPort) fail: it listens on IPv4 only; make it listen on both 127.0.0.1 and ::1, or on :: with IPv6Only off "
            + "(which other hosts can reach too), or connect to 127.0.0.1:3000.",
            results[0].Diagnosis);
        Assert.Null(results[0].Listener);
        Assert.Equal(812, results[1].Listener?.OwningProcess);
        Assert.Null(results[1].Diagnosis);
        Assert.All(results, r => Assert.Single(r.Listeners!));
    }

    [Fact]
    public void OnlyOnIPv6LoopbackWhileLocalhostPrefersIt_MostClientsWorkButIPv4Fails()
    {
        var results = Localhost(LoopbackStatus.Success, LoopbackStatus.Refused);
        ListenerDiagnosis.Apply(results, Port, Facts(HostOS.Linux, Listen("::1", v6only: true)), detailed: false);
        Assert.Contains("node (pid 812) listens on [::1]:3000, not on 127.0.0.1:3000", results[1].Diagnosis, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("localhost resolves to ::1 first here, so most clients work, but any that pick 127.0.0.1 fail", results[1].Diagnosis);
        Assert.EndsWith("fail: it listens on IPv6 only; make it listen on both 127.0.0.1 and ::1, or connect to [::1]:3000.", results[1].Diagnosis);
        Assert.DoesNotContain("IPV6_V6ONLY", results[1].Diagnosis);
    }

    [Theory]
    [InlineData(HostOS.Linux, "net.ipv6.bindv6only", "Socket.DualMode")]
    [InlineData(HostOS.Windows, "Socket.DualMode = $true", "sysctl")]
    public void AV6OnlyWildcardTakesNoIPv4AndTheAdviceFitsTheOS(HostOS os, string advice, string otherOS)
    {
        var results = new[] { Tried("127.0.0.1", "127.0.0.1", LoopbackStatus.Refused), Tried("::1", "::1", LoopbackStatus.Success) };
        ListenerDiagnosis.Apply(results, Port, Facts(os, Listen("::", v6only: true)), detailed: false);
        var text = results[0].Diagnosis!;
        Assert.StartsWith("node (pid 812) listens on [::]:3000 (IPv6 only), not on 127.0.0.1:3000: [::]:3000 (IPv6 only) takes no IPv4: clear IPV6_V6ONLY", text);
        Assert.Contains(advice, text);
        Assert.DoesNotContain(otherOS, text);
        Assert.DoesNotContain("localhost", text);
        Assert.EndsWith("or make it listen on 127.0.0.1 too, or connect to [::1]:3000.", text);
    }

    [Fact]
    public void ADualStackWildcardTakesBothFamiliesAndIsExposed()
    {
        var results = Localhost(LoopbackStatus.Success, LoopbackStatus.Success);
        var warnings = ListenerDiagnosis.Apply(results, Port, Facts(HostOS.Linux, Listen("::", v6only: false)), detailed: true);
        Assert.All(results, r => Assert.True(r.Listener!.TakesIPv4));
        Assert.All(results, r => Assert.Null(r.Diagnosis));
        var warning = Assert.Single(warnings);
        Assert.Equal("node (pid 812) listens on [::]:3000 (IPv4 too): other hosts can reach it through every interface, not only this machine, unless a firewall stops them. "
            + "If only this machine should use it, make it listen on 127.0.0.1 and ::1 instead.", warning);
        var step = results[1].Steps.Last();
        Assert.Equal(ListenerDiagnosis.ServerStepName, step.Name);
        Assert.Equal("node (pid 812) listening on [::]:3000 (IPv4 too) (backlog 511)", step.Detail);
        Assert.Equal(50, step.ElapsedMicroseconds);
    }

    [Fact]
    public void AnIPv4WildcardIsExposedAndLeavesIPv6Refused()
    {
        var results = Localhost(LoopbackStatus.Refused, LoopbackStatus.Success);
        var warning = Assert.Single(ListenerDiagnosis.Apply(results, Port, Facts(HostOS.Linux, Listen("0.0.0.0")), detailed: false));
        Assert.StartsWith("node (pid 812) listens on 0.0.0.0:3000: other hosts can reach it through every interface", warning);
        Assert.EndsWith("make it listen on 127.0.0.1 instead.", warning);
        Assert.StartsWith("node (pid 812) listens on 0.0.0.0:3000, not on [::1]:3000; localhost resolves to ::1 first", results[0].Diagnosis);
        Assert.Contains("or connect to 127.0.0.1:3000.", results[0].Diagnosis);
    }

    [Fact]
    public void ALanAddressOnlyListenerIsReachedByItsAddressNotLoopbackAndIsExposed()
    {
        var results = new[] { Tried("127.0.0.1", "127.0.0.1", LoopbackStatus.Refused) };
        var warning = Assert.Single(ListenerDiagnosis.Apply(results, Port, Facts(HostOS.Linux, Listen("192.0.2.10")), detailed: false));
        Assert.Equal("node (pid 812) listens on 192.0.2.10:3000, not on 127.0.0.1:3000: make it listen on 127.0.0.1 too, or connect to 192.0.2.10:3000.", results[0].Diagnosis);
        Assert.Contains("hosts that can reach 192.0.2.10 can connect to it, not only this machine", warning);
    }

    [Fact]
    public void TheOwnLanAddressAskedForGetsNoExposureWarning()
    {
        var results = new[] { Tried("192.0.2.10", "192.0.2.10", LoopbackStatus.Success) };
        Assert.Empty(ListenerDiagnosis.Apply(results, Port, Facts(HostOS.Linux, Listen("192.0.2.10")), detailed: false));
        Assert.Equal(812, results[0].Listener?.OwningProcess);
    }

    [Theory]
    [InlineData("0.0.0.0", "v0", "10.77.0.1", true)]
    [InlineData("0.0.0.0", "v0", "127.0.0.1", false)]
    [InlineData("0.0.0.0", "v0", "192.0.2.10", false)]
    [InlineData("::", "v0", "fd77::1", true)]
    [InlineData("::", "v0", "::1", false)]
    [InlineData("10.77.0.1", "v0", "10.77.0.1", true)]
    [InlineData("0.0.0.0", "lo", "127.0.0.1", true)]
    [InlineData("0.0.0.0", "lo", "127.0.0.2", true)]
    [InlineData("0.0.0.0", "lo", "10.77.0.1", false)]
    [InlineData("::", "lo", "::1", true)]
    [InlineData("::", "lo", "fd77::1", false)]
    [InlineData("fe80::1", "eth0", "fe80::1", true)]
    public void ADeviceBoundListenerTakesExactlyTheAddressesItsDeviceHolds(string bound, string device, string target, bool takes)
    {
        var table = new[] { Listen(bound, v6only: true, device: device) };
        Assert.Equal(takes, Takes(table, target));
    }

    [Fact]
    public void ADeviceBoundListenerIsFoundByItsIndexOrByItsName()
    {
        var byName = Listen("0.0.0.0", device: "v0");
        byName.BoundInterfaceIndex = null;
        var byIndex = Listen("0.0.0.0", device: "v0");
        byIndex.BoundInterfaceAlias = null;
        Assert.True(Takes(new[] { byName }, "10.77.0.1"));
        Assert.True(Takes(new[] { byIndex }, "10.77.0.1"));
        Assert.False(Takes(new[] { byIndex }, "127.0.0.1"));
        Assert.False(ListenerLookup.Acceptors(new[] { byIndex }, IPAddress.Parse("10.77.0.1"), Array.Empty<NetInterfaceInfo>()).Count > 0);
    }

    [Fact]
    public void AListenerBoundToAnotherDeviceTakesLoopbackFromNobodyAndTheAdviceNamesItsDevicesAddress()
    {
        var results = new[] { Tried("127.0.0.1", "127.0.0.1", LoopbackStatus.Refused) };
        var warnings = ListenerDiagnosis.Apply(results, Port, Facts(HostOS.Linux, Listen("0.0.0.0", device: "eth0")), detailed: false);
        Assert.Equal("node (pid 812) listens on 0.0.0.0:3000 on eth0, not on 127.0.0.1:3000: 0.0.0.0:3000 on eth0 is bound to eth0 (SO_BINDTODEVICE), so it takes only connections to eth0's own addresses: "
            + "connect to 192.0.2.10:3000, or drop the binding, or make it listen on 127.0.0.1 too.", results[0].Diagnosis);
        Assert.Contains("hosts on eth0's network can reach it", Assert.Single(warnings));

        var v6 = new[] { Tried("::1", "::1", LoopbackStatus.Refused) };
        ListenerDiagnosis.Apply(v6, Port, Facts(HostOS.Linux, Listen("::", v6only: true, device: "eth0")), detailed: false);
        Assert.EndsWith("so it takes only connections to eth0's own addresses: drop the binding, or make it listen on ::1 too.", v6[0].Diagnosis);
    }

    [Fact]
    public void AConnectToTheDevicesOwnAddressReachesTheDeviceBoundListenerAndTheStepNamesIt()
    {
        var results = new[] { Tried("10.77.0.1", "10.77.0.1", LoopbackStatus.Success) };
        Assert.Empty(ListenerDiagnosis.Apply(results, Port, Facts(HostOS.Linux, Listen("0.0.0.0", device: "v0")), detailed: true));
        Assert.Equal(812, results[0].Listener?.OwningProcess);
        Assert.Equal("node (pid 812) listening on 0.0.0.0:3000 on v0 (backlog 511)", results[0].Steps.Last().Detail);
    }

    [Fact]
    public void ALinkLocalListenersDeviceIsItsScopeNotABindingToDrop()
    {
        var linkLocal = Listen("fe80::1", v6only: true, device: "eth0");
        var results = new[] { Tried("::1", "::1", LoopbackStatus.Refused) };
        ListenerDiagnosis.Apply(results, Port, Facts(HostOS.Linux, linkLocal), detailed: false);
        Assert.Equal("node (pid 812) listens on [fe80::1%eth0]:3000, not on [::1]:3000: make it listen on ::1 too, or connect to [fe80::1%eth0]:3000.",
            results[0].Diagnosis);
        Assert.DoesNotContain("SO_BINDTODEVICE", results[0].Diagnosis);
        var scoped = new[] { Tried("fe80::1%2", "fe80::1%2", LoopbackStatus.Success) };
        ListenerDiagnosis.Apply(scoped, Port, Facts(HostOS.Linux, linkLocal), detailed: false);
        Assert.Same(linkLocal, scoped[0].Listener);
    }

    [Theory]
    [InlineData(HostOS.Windows)]
    [InlineData(HostOS.MacOS)]
    public void AWildcardOfUnknownV6OnlyThatTookIPv4IsShownToTakeIPv4(HostOS os)
    {
        var results = new[] { Tried("127.0.0.1", "127.0.0.1", LoopbackStatus.Success), Tried("::1", "::1", LoopbackStatus.Success) };
        ListenerDiagnosis.Apply(results, Port, Facts(os, Listen("::", v6only: null)), detailed: true);
        Assert.All(results, r => Assert.Equal(812, r.Listener?.OwningProcess));
        Assert.Equal("node (pid 812) listening on [::]:3000 (backlog 511), which took this IPv4 connection, so it takes IPv4 too (IPV6_V6ONLY off)", results[0].Steps.Last().Detail);
        Assert.Equal("node (pid 812) listening on [::]:3000 (backlog 511)", results[1].Steps.Last().Detail);
    }

    [Theory]
    [InlineData(HostOS.Windows, "on Windows a plain IPv6 socket has it on; .NET's Socket.DualMode = $true clears it, and Node's listen on :: is dual-stack unless ipv6Only is set")]
    [InlineData(HostOS.MacOS, ".NET's Socket.DualMode = $true does; Node's listen on :: is dual-stack unless ipv6Only is set")]
    public void ARefusedIPv4ConnectToAWildcardOfUnknownV6OnlySaysItMayBeIPv6OnlyWithTheOSsAdvice(HostOS os, string advice)
    {
        var results = new[] { Tried("127.0.0.1", "127.0.0.1", LoopbackStatus.Refused) };
        ListenerDiagnosis.Apply(results, Port, Facts(os, Listen("::", v6only: null, uid: null, user: null)), detailed: false);
        Assert.Equal("node (pid 812) listens on [::]:3000, not on 127.0.0.1:3000: [::]:3000 may be IPv6-only, as this system does not say whether IPV6_V6ONLY is set: "
            + $"clear IPV6_V6ONLY on it ({advice}), or make it listen on 127.0.0.1 too, or connect to [::1]:3000.", results[0].Diagnosis);
        Assert.Equal(812, results[0].Listener?.OwningProcess);
    }

    [Fact]
    public void OnLinuxAWildcardWithV6OnlyKnownIsNeverCalledUncertain()
    {
        var results = new[] { Tried("127.0.0.1", "127.0.0.1", LoopbackStatus.Refused) };
        ListenerDiagnosis.Apply(results, Port, Facts(HostOS.Linux, Listen("::", v6only: true)), detailed: false);
        Assert.DoesNotContain("may be IPv6-only", results[0].Diagnosis);
        Assert.Null(results[0].Listener);
        Assert.True(Takes(new[] { Listen("::", v6only: null) }, "127.0.0.1"));
        Assert.False(Takes(new[] { Listen("::", v6only: true) }, "127.0.0.1"));
    }

    [Fact]
    public void WhenLocalhostResolvesToOneAddressOnlyEveryClientFails()
    {
        var results = new[] { Tried("localhost", "127.0.0.1", LoopbackStatus.Refused) };
        ListenerDiagnosis.Apply(results, Port, Facts(HostOS.Linux, Listen("::1", v6only: true)), detailed: false);
        Assert.StartsWith("node (pid 812) listens on [::1]:3000, not on 127.0.0.1:3000; localhost resolves only to 127.0.0.1 here, so every client that connects to localhost fails: ", results[0].Diagnosis);
        Assert.DoesNotContain("first", results[0].Diagnosis);
    }

    [Fact]
    public void SeveralProcessesAreEachNamedWithTheirAddresses()
    {
        var table = new[]
        {
            Listen("127.0.0.1", pid: 812, name: "node"), Listen("127.0.0.1", pid: 813, name: "node"),
            Listen("192.0.2.10", pid: 90, name: "python3"),
        };
        var results = Localhost(LoopbackStatus.Refused, LoopbackStatus.Success);
        ListenerDiagnosis.Apply(results, Port, Facts(HostOS.Linux, table), detailed: true);
        Assert.StartsWith("node (pid 812) listens on 127.0.0.1:3000; node (pid 813) listens on 127.0.0.1:3000; python3 (pid 90) listens on 192.0.2.10:3000, not on [::1]:3000", results[0].Diagnosis);
        Assert.Equal(3, results[0].Listeners!.Count);
        Assert.Equal("one of node (pid 812) listening on 127.0.0.1:3000 (backlog 511), node (pid 813) listening on 127.0.0.1:3000 (backlog 511), which share the port (SO_REUSEPORT)",
            results[1].Steps.Last().Detail);
    }

    [Fact]
    public void ProcessesGroupTheirOwnSockets()
    {
        var results = new[] { Tried("127.0.0.2", "127.0.0.2", LoopbackStatus.Refused) };
        ListenerDiagnosis.Apply(results, Port, Facts(HostOS.Linux, Listen("127.0.0.1"), Listen("::1", v6only: true)), detailed: false);
        Assert.Equal("node (pid 812) listens on 127.0.0.1:3000 and [::1]:3000, not on 127.0.0.2:3000: make it listen on 127.0.0.2 too, or connect to 127.0.0.1:3000.", results[0].Diagnosis);
    }

    [Fact]
    public void NothingListeningNamesTheUsersNearestListeningPorts()
    {
        var table = new[]
        {
            Listen("127.0.0.1", port: 3001, pid: 4242, name: "pwsh"), Listen("::1", port: 3001, pid: 4242, name: "pwsh", v6only: true),
            Listen("0.0.0.0", port: 8080, pid: 90, name: "python3"), Listen("0.0.0.0", port: 9000, pid: 91, name: "far"),
            Listen("0.0.0.0", port: 2998, pid: 77, name: "other", uid: 0, user: "root"),
            Listen("127.0.0.1", port: 2990, pid: 78, name: "mine"),
        };
        var results = Localhost(LoopbackStatus.Refused, LoopbackStatus.Refused);
        var warnings = ListenerDiagnosis.Apply(results, Port, Facts(HostOS.Linux, table), detailed: false);
        Assert.Empty(warnings);
        Assert.Equal("Nothing listens on TCP port 3000 on any address of this host, so the connection to [::1]:3000 was refused. The nearest ports dev's processes listen on: "
            + "pwsh (pid 4242) on 127.0.0.1:3001 and [::1]:3001; mine (pid 78) on 127.0.0.1:2990; python3 (pid 90) on 0.0.0.0:8080. Is the service set to another port?",
            results[0].Diagnosis);
        Assert.DoesNotContain("other (pid 77)", results[1].Diagnosis);
        Assert.DoesNotContain("far (pid 91)", results[1].Diagnosis);
        Assert.All(results, r => Assert.Empty(r.Listeners!));
    }

    [Fact]
    public void NothingListeningAndNoListenerOfTheUser()
    {
        var results = new[] { Tried("127.0.0.1", "127.0.0.1", LoopbackStatus.Refused) };
        ListenerDiagnosis.Apply(results, Port, Facts(HostOS.Linux, Listen("0.0.0.0", port: 22, pid: 1, name: "sshd", uid: 0, user: "root")), detailed: false);
        Assert.EndsWith("None of dev's processes listens on a TCP port: is the service running?", results[0].Diagnosis);
    }

    [Theory]
    [InlineData(HostOS.Windows)]
    [InlineData(HostOS.MacOS)]
    public void WhereNoSocketCarriesAUserTheNearestPortsAreLeftOut(HostOS os)
    {
        var results = new[] { Tried("127.0.0.1", "127.0.0.1", LoopbackStatus.Refused) };
        var facts = new ListenerFacts(new[] { Listen("127.0.0.1", port: 3001, uid: null, user: null) }, os, null, "dev", Interfaces);
        ListenerDiagnosis.Apply(results, Port, facts, detailed: false);
        Assert.Equal("Nothing listens on TCP port 3000 on any address of this host, so the connection to 127.0.0.1:3000 was refused.", results[0].Diagnosis);
    }

    [Theory]
    [InlineData(HostOS.Linux, "sudo")]
    [InlineData(HostOS.MacOS, "lsof -nP -iTCP -sTCP:LISTEN")]
    public void AnOwnerThatMayNotBeInspectedIsNeverGuessed(HostOS os, string hint)
    {
        var results = Localhost(LoopbackStatus.Refused, LoopbackStatus.Success);
        ListenerDiagnosis.Apply(results, Port, Facts(os, Listen("127.0.0.1", pid: null, uid: 0, user: null)), detailed: true);
        Assert.StartsWith("An unidentified process (uid 0) listens on 127.0.0.1:3000, not on [::1]:3000", results[0].Diagnosis);
        Assert.Contains(hint, results[0].Diagnosis);
        Assert.DoesNotContain("node", results[0].Diagnosis);
        Assert.Null(results[1].Listener!.OwningProcess);
        Assert.Equal("an unidentified process (uid 0) listening on 127.0.0.1:3000 (backlog 511)", results[1].Steps.Last().Detail);
        Assert.Equal("pid 5, whose name could not be read, listening on 127.0.0.1:3000 (backlog 511)", ListenerDiagnosis.Listening(Listen("127.0.0.1", pid: 5, name: null)));

        var asRoot = Localhost(LoopbackStatus.Refused, LoopbackStatus.Success);
        ListenerDiagnosis.Apply(asRoot, Port, new ListenerFacts(new[] { Listen("127.0.0.1", pid: null, uid: 0, user: "root") }, HostOS.Linux, 0, "root"), detailed: false);
        Assert.StartsWith("An unidentified process (user root) listens", asRoot[0].Diagnosis);
        Assert.EndsWith("Even root finds no process holding it under /proc: it belongs to another PID namespace (a container), or its process is exiting.", asRoot[0].Diagnosis);
    }

    [Fact]
    public void AListenerThatTimesOutWithAFullAcceptQueueSaysSo()
    {
        var full = Listen("127.0.0.1");
        full.ReceiveQueue = 512;
        var results = new[] { Tried("127.0.0.1", "127.0.0.1", LoopbackStatus.TimedOut) };
        results[0].Diagnosis = "No answer from 127.0.0.1:3000 within the timeout (while trying to connect).";
        ListenerDiagnosis.Apply(results, Port, Facts(HostOS.Linux, full), detailed: false);
        Assert.Equal("No answer from 127.0.0.1:3000 within the timeout (while trying to connect). node (pid 812) listens on 127.0.0.1:3000, but its accept queue is full (512 waiting, backlog 511): "
            + "the program does not accept connections fast enough, or hangs.", results[0].Diagnosis);
    }

    [Theory]
    [InlineData(511, 511)]
    [InlineData(0, 0)]
    public void AQueueIsFullOnlyWithMoreWaitingThanTheBacklog(long waiting, long backlog)
    {
        var idle = Listen("127.0.0.1");
        idle.ReceiveQueue = waiting;
        idle.SendQueue = backlog;
        var results = new[] { Tried("127.0.0.1", "127.0.0.1", LoopbackStatus.TimedOut) };
        ListenerDiagnosis.Apply(results, Port, Facts(HostOS.Linux, idle), detailed: false);
        Assert.DoesNotContain("full", results[0].Diagnosis);
        Assert.Contains("a firewall rule, or a listener that came or went during the test, stopped the connection", results[0].Diagnosis);
    }

    [Fact]
    public void ARefusalDespiteAListenerBlamesWhatElseCanRefuse()
    {
        var results = new[] { Tried("127.0.0.1", "127.0.0.1", LoopbackStatus.Refused) };
        ListenerDiagnosis.Apply(results, Port, Facts(HostOS.Linux, Listen("127.0.0.1")), detailed: false);
        Assert.Contains("a firewall rule, or a listener that came or went during the test, refused the connection", results[0].Diagnosis);
    }

    [Fact]
    public void ASuccessWhoseListenerIsGoneSaysSoInTheLastStep()
    {
        var results = new[] { Tried("127.0.0.1", "127.0.0.1", LoopbackStatus.Success) };
        ListenerDiagnosis.Apply(results, Port, Facts(HostOS.Linux), detailed: true);
        Assert.Contains("may have stopped listening", results[0].Steps.Last().Detail);
        Assert.Null(results[0].Listener);
    }

    [Fact]
    public void WithoutDetailedNoStepIsAdded()
    {
        var results = new[] { Tried("127.0.0.1", "127.0.0.1", LoopbackStatus.Success) };
        ListenerDiagnosis.Apply(results, Port, Facts(HostOS.Linux, Listen("127.0.0.1")), detailed: false);
        Assert.Equal(2, results[0].Steps.Count);
    }

    [Fact]
    public void AFailingReadIsAWarningAndNoFacts()
    {
        var (facts, warning) = ListenerFacts.Read(new Source(_ => throw new PSLoopback.Platform.Linux.Netlink.NetlinkParseException("a truncated message")), "sock_diag", HostOS.Linux, 1000, "dev");
        Assert.Null(facts);
        Assert.Equal("Could not read the listening sockets from sock_diag (NetlinkParseException: Malformed netlink message: a truncated message), so the result does not name the server.", warning);
        foreach (var failure in new Exception[] { new System.IO.IOException("eio"), new UnauthorizedAccessException("no"), new System.ComponentModel.Win32Exception(5), new InvalidOperationException("every table failed"), new PlatformNotSupportedException() })
        {
            Assert.Null(ListenerFacts.Read(new Source(_ => throw failure), "x", HostOS.Windows, null, null).Facts);
        }
    }

    [Fact]
    public void AReadThatFailsForAnyOtherReasonIsABugAndPropagates()
    {
        Assert.Throws<OperationCanceledException>(() => ListenerFacts.Read(new Source(_ => throw new OperationCanceledException()), "x", HostOS.Linux, null, null));
        Assert.Throws<NullReferenceException>(() => ListenerFacts.Read(new Source(_ => throw new NullReferenceException()), "x", HostOS.Linux, null, null));
        Assert.Throws<ArgumentException>(() => ListenerFacts.Read(new Source(_ => throw new ArgumentException("bad request")), "x", HostOS.Linux, null, null));
    }

    [Fact]
    public void TheReadAsksForTcpListenersWithOwners()
    {
        SocketRequest? asked = null;
        var (facts, warning) = ListenerFacts.Read(new Source(r => { asked = r; return new[] { Listen("127.0.0.1") }; }), "sock_diag", HostOS.Linux, 1000, "dev");
        Assert.Null(warning);
        Assert.Single(facts!.Sockets);
        Assert.Equal(SocketProtocol.Tcp, asked!.Protocol);
        Assert.Equal(new[] { SocketState.Listen }, asked.States);
        Assert.True(asked.IncludeOwners);
    }

    [Fact]
    public void TheUserIsMatchedByUidWhereKnownElseByNameWithoutTheDomain()
    {
        var linux = new ListenerFacts(Array.Empty<NetSocketInfo>(), HostOS.Linux, 1000, "dev");
        Assert.True(linux.IsCurrentUser(Listen("127.0.0.1", uid: 1000, user: "someone")));
        Assert.False(linux.IsCurrentUser(Listen("127.0.0.1", uid: 0, user: "dev")));
        var windows = new ListenerFacts(Array.Empty<NetSocketInfo>(), HostOS.Windows, null, "Dev");
        Assert.True(windows.IsCurrentUser(Listen("127.0.0.1", uid: null, user: @"HOST\dev")));
        Assert.False(windows.IsCurrentUser(Listen("127.0.0.1", uid: null, user: @"HOST\other")));
        Assert.False(windows.IsCurrentUser(Listen("127.0.0.1", uid: null, user: null)));
    }

    [Fact]
    public void LocalhostsOrderComesFromTheNamedTargetsResults()
    {
        var results = new[] { Tried("127.0.0.1", "127.0.0.1", LoopbackStatus.Success) }.Concat(Localhost(LoopbackStatus.Refused, LoopbackStatus.Success)).ToList();
        var order = ListenerDiagnosis.LocalhostOrder(results);
        Assert.Equal("localhost", order?.Name);
        Assert.Equal(new[] { IPAddress.IPv6Loopback, IPAddress.Loopback }, order?.Addresses);
        Assert.Null(ListenerDiagnosis.LocalhostOrder(new[] { Tried("::1", "::1", LoopbackStatus.Refused) }));
    }

    [Fact]
    public void WhatTheSourceCouldNotReadIsPassedOn()
    {
        var source = new Source(_ => new[] { Listen("127.0.0.1") }) { Warnings = new[] { "The IPv4 UDP dump failed." } };
        var (facts, warning) = ListenerFacts.Read(source, "sock_diag", HostOS.Linux, 0, "root");
        Assert.Null(warning);
        Assert.Equal(new[] { "The IPv4 UDP dump failed." }, facts!.SourceWarnings);
        Assert.Empty(ListenerFacts.Read(new Source(_ => Array.Empty<NetSocketInfo>()), "x", HostOS.Linux, 0, "root").Facts!.SourceWarnings);
    }

    private sealed class Source : ISocketSource, PSLoopback.Platform.ISourceWarnings
    {
        private readonly Func<SocketRequest, IReadOnlyList<NetSocketInfo>> read;

        public Source(Func<SocketRequest, IReadOnlyList<NetSocketInfo>> read) => this.read = read;

        public IReadOnlyList<string> Warnings { get; init; } = Array.Empty<string>();

        public IReadOnlyList<NetSocketInfo> GetSockets(SocketRequest request) => read(request);
    }
}

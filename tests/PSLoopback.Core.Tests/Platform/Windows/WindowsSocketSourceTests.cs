using System;
using System.Collections.Generic;
using System.Linq;
using PSLoopback.Addressing;
using PSLoopback.Platform.Windows;
using PSLoopback.Platform.Windows.Native;
using PSLoopback.Sockets;
using static PSLoopback.Core.Tests.Platform.Windows.SocketTableBytes;

namespace PSLoopback.Core.Tests.Platform.Windows;

/// <summary>The Windows socket source over built tables: which tables a request reads, the filters, the names, the failures.</summary>
public class WindowsSocketSourceTests
{
    private readonly List<string> calls = new();
    private readonly List<int> lookedUp = new();
    private readonly HashSet<string> failing = new();

    [Fact]
    public void EveryTableOfBothFamiliesIsReadWithItsOwners()
    {
        var sockets = Source().GetSockets(new SocketRequest());
        Assert.Equal(new[] { "TCP AF_INET", "TCP AF_INET6", "UDP AF_INET", "UDP AF_INET6" }, calls);
        Assert.Equal(
            new[]
            {
                "tcp Listen 127.0.0.1:3000 0.0.0.0:* node(812)",
                "tcp Established 127.0.0.1:3000 127.0.0.1:50123 node(812)",
                "tcp TimeWait 127.0.0.1:50124 127.0.0.1:3000 Idle(0)",
                "tcp Listen [::]:445 [::]:* System(4)",
                "tcp Established [fe80::1%7]:22 [fe80::2%7]:50000 ?(1200)",
                "udp Listen 0.0.0.0:53 0.0.0.0:* dns(900)",
                "udp Listen [::1]:5353 [::]:* mdns(901)",
            },
            sockets.Select(s => s.ToString()));
        Assert.Equal(new[] { 812, 0, 4, 1200, 900, 901 }, lookedUp);
        Assert.Equal(SocketExposure.LoopbackOnly, sockets[0].Exposure);
        Assert.Equal(SocketExposure.AllInterfaces, sockets[3].Exposure);
        Assert.Equal(SocketExposure.Interface, sockets[4].Exposure);
    }

    [Fact]
    public void WhatTheTablesDoNotSayStaysNull()
    {
        foreach (var socket in Source().GetSockets(new SocketRequest()))
        {
            Assert.Null(socket.IPv6Only);
            Assert.Null(socket.BoundInterfaceIndex);
            Assert.Null(socket.BoundInterfaceAlias);
            Assert.Null(socket.ReceiveQueue);
            Assert.Null(socket.SendQueue);
            Assert.Null(socket.Uid);
            Assert.Null(socket.UserName);
            Assert.Null(socket.Inode);
            Assert.NotNull(socket.OwningProcess);
        }
    }

    [Fact]
    public void OnlyTheTablesOfTheRequestedProtocolAndFamilyAreRead()
    {
        var udp6 = Source().GetSockets(new SocketRequest { Protocol = SocketProtocol.Udp, Family = IPAddressFamily.IPv6 });
        Assert.Equal(new[] { "UDP AF_INET6" }, calls);
        Assert.Equal("udp Listen [::1]:5353 [::]:* mdns(901)", Assert.Single(udp6).ToString());

        calls.Clear();
        var tcp4 = Source().GetSockets(new SocketRequest { Protocol = SocketProtocol.Tcp, Family = IPAddressFamily.IPv4 });
        Assert.Equal(new[] { "TCP AF_INET" }, calls);
        Assert.Equal(3, tcp4.Count);
    }

    [Fact]
    public void StatesFilterTheRowsAndLeaveOutUdpUnlessListenIsAsked()
    {
        var established = Source().GetSockets(new SocketRequest { States = new[] { SocketState.Established, SocketState.TimeWait } });
        Assert.Equal(new[] { "TCP AF_INET", "TCP AF_INET6" }, calls);
        Assert.Equal(new[] { SocketState.Established, SocketState.TimeWait, SocketState.Established }, established.Select(s => s.State));
        Assert.Equal(new[] { 812, 0, 1200 }, lookedUp);

        calls.Clear();
        var listening = Source().GetSockets(new SocketRequest { States = new[] { SocketState.Listen } });
        Assert.Equal(4, calls.Count);
        Assert.Equal(new[] { "tcp:3000", "tcp:445", "udp:53", "udp:5353" }, listening.Select(s => $"{s.Protocol.ToString().ToLowerInvariant()}:{s.LocalPort}"));
    }

    [Fact]
    public void WithoutOwnersNoNameIsLookedUpButThePidsStay()
    {
        var sockets = Source().GetSockets(new SocketRequest { IncludeOwners = false });
        Assert.Empty(lookedUp);
        Assert.All(sockets, s => Assert.Null(s.ProcessName));
        Assert.Equal(812, sockets[0].OwningProcess);
    }

    [Fact]
    public void ATableThatFailsLeavesItsSocketsOutWithAWarningNamingIt()
    {
        failing.Add("TCP AF_INET6");
        failing.Add("UDP AF_INET6");
        var source = Source();
        var sockets = source.GetSockets(new SocketRequest());
        Assert.Equal(4, sockets.Count);
        Assert.All(sockets, s => Assert.Equal(IPAddressFamily.IPv4, s.AddressFamily));
        Assert.Equal(
            new[]
            {
                "GetExtendedTcpTable (AF_INET6) answered ERROR_NOT_SUPPORTED (50): no IPv6 TCP sockets.",
                "GetExtendedUdpTable (AF_INET6) answered ERROR_NOT_SUPPORTED (50): no IPv6 UDP sockets.",
            },
            source.Warnings);

        failing.Clear();
        source.GetSockets(new SocketRequest());
        Assert.Empty(source.Warnings);
    }

    [Fact]
    public void AMalformedTableIsAWarningToo()
    {
        var source = new WindowsSocketSource(
            family => family == IpHelper.AF_INET ? new byte[] { 9, 0, 0, 0 } : Tcp6Table(),
            family => Udp4Table(),
            pid => null);
        Assert.Empty(source.GetSockets(new SocketRequest()));
        Assert.Equal("Malformed IP Helper answer: GetExtendedTcpTable (AF_INET) says it has 9 rows of 24 bytes, but its 4 bytes hold 0: no IPv4 TCP sockets.", Assert.Single(source.Warnings));
    }

    [Fact]
    public void WhenEveryTableItNeedsFailsTheReadFails()
    {
        failing.Add("UDP AF_INET");
        failing.Add("UDP AF_INET6");
        var e = Assert.Throws<InvalidOperationException>(() => Source().GetSockets(new SocketRequest { Protocol = SocketProtocol.Udp }));
        Assert.Contains("GetExtendedUdpTable (AF_INET) answered ERROR_NOT_SUPPORTED", e.Message);
        Assert.Contains("GetExtendedUdpTable (AF_INET6) answered ERROR_NOT_SUPPORTED", e.Message);
        Assert.IsType<PlatformNotSupportedException>(e.InnerException);

        // TCP still reads: only the tables a request needs count.
        Assert.Equal(5, Source().GetSockets(new SocketRequest { Protocol = SocketProtocol.Tcp }).Count);
    }

    [Fact]
    public void ErrorsThatAreNotTheOperatingSystemsAreNotSwallowed()
    {
        var source = new WindowsSocketSource(family => throw new OutOfMemoryException(), family => Udp4Table(), pid => null);
        Assert.Throws<OutOfMemoryException>(() => source.GetSockets(new SocketRequest()));
    }

    private WindowsSocketSource Source() => new(
        family => Answer("TCP", family, family == IpHelper.AF_INET
            ? Tcp4Table(Tcp4("127.0.0.1", 3000, "0.0.0.0", 0, 2, 812), Tcp4("127.0.0.1", 3000, "127.0.0.1", 50123, 5, 812), Tcp4("127.0.0.1", 50124, "127.0.0.1", 3000, 11, 0))
            : Tcp6Table(Tcp6("::", 0, 445, "::", 0, 0, 2, 4), Tcp6("fe80::1", 7, 22, "fe80::2", 7, 50000, 5, 1200))),
        family => Answer("UDP", family, family == IpHelper.AF_INET ? Udp4Table(Udp4("0.0.0.0", 53, 900)) : Udp6Table(Udp6("::1", 0, 5353, 901))),
        pid =>
        {
            lookedUp.Add(pid);
            return pid switch { 812 => "node", 0 => "Idle", 4 => "System", 900 => "dns", 901 => "mdns", _ => null };
        });

    private byte[] Answer(string protocol, ushort family, byte[] table)
    {
        var name = $"{protocol} {(family == IpHelper.AF_INET ? "AF_INET" : "AF_INET6")}";
        calls.Add(name);
        var api = protocol == "TCP" ? "GetExtendedTcpTable" : "GetExtendedUdpTable";
        return failing.Contains(name)
            ? throw IpHelperCalls.Failure($"{api} ({(family == IpHelper.AF_INET ? "AF_INET" : "AF_INET6")})", IpHelper.ERROR_NOT_SUPPORTED)
            : table;
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using PSLoopback.Addressing;
using PSLoopback.Platform.Portable;
using PSLoopback.Sockets;

namespace PSLoopback.Core.Tests.Portable;

/// <summary>
/// The macOS socket source. .NET answers the same IPGlobalProperties calls on Linux (from /proc/net), so the
/// live test runs here; that checks the mapping and the shared code, not macOS itself.
/// </summary>
public class NetworkInformationSocketSourceTests
{
    [Fact]
    public void FindsAListenerAConnectionAndAUdpSocketThisTestOpenedOnLoopback()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var client = new TcpClient(AddressFamily.InterNetwork);
        client.Connect(IPAddress.Loopback, port);
        using var accepted = listener.AcceptTcpClient();
        var clientPort = ((IPEndPoint)client.Client.LocalEndPoint!).Port;
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var udpPort = ((IPEndPoint)udp.Client.LocalEndPoint!).Port;

        var source = new NetworkInformationSocketSource();
        var sockets = source.GetSockets(new SocketRequest());

        Assert.Empty(source.Warnings);
        // Matched by address and port: Linux gives a connection a local port that sockets on other addresses, or to
        // other destinations, of the same host may hold too, and this table is the whole host's.
        var listen = Assert.Single(sockets, s => s.Protocol == SocketProtocol.Tcp && IsLoopback(s.LocalAddress, s.LocalPort, port) && s.State == SocketState.Listen);
        Assert.Equal(IPAddress.Any, listen.RemoteAddress);
        Assert.Equal(SocketExposure.LoopbackOnly, listen.Exposure);
        var outgoing = Assert.Single(sockets, s => s.Protocol == SocketProtocol.Tcp && IsLoopback(s.LocalAddress, s.LocalPort, clientPort) && s.RemotePort == port);
        Assert.Equal((SocketState.Established, "127.0.0.1"), (outgoing.State, outgoing.RemoteAddress.ToString()));
        Assert.Single(sockets, s => s.Protocol == SocketProtocol.Tcp && IsLoopback(s.LocalAddress, s.LocalPort, port) && IsLoopback(s.RemoteAddress, s.RemotePort, clientPort) && s.State == SocketState.Established);
        var datagram = Assert.Single(sockets, s => s.Protocol == SocketProtocol.Udp && IsLoopback(s.LocalAddress, s.LocalPort, udpPort));
        Assert.Equal(SocketState.Listen, datagram.State);
        Assert.All(sockets, s =>
        {
            Assert.Null(s.OwningProcess);
            Assert.Null(s.ProcessName);
        });

        var udpOnly = source.GetSockets(new SocketRequest { Protocol = SocketProtocol.Udp, Family = IPAddressFamily.IPv4 });
        Assert.Contains(udpOnly, s => s.LocalPort == udpPort);
        Assert.All(udpOnly, s => Assert.Equal((SocketProtocol.Udp, IPAddressFamily.IPv4), (s.Protocol, s.AddressFamily)));
        var established = source.GetSockets(new SocketRequest { States = new[] { SocketState.Established } });
        Assert.Contains(established, s => s.LocalPort == clientPort);
        Assert.DoesNotContain(established, s => s.State != SocketState.Established);
    }

    [Fact]
    public void ACallThePlatformRefusesLeavesItsSocketsOutAndSaysSo()
    {
        var source = new NetworkInformationSocketSource(
            () => throw new PlatformNotSupportedException("Not supported on this platform."),
            () => new[] { new IPEndPoint(IPAddress.IPv6Any, 22) },
            () => throw new NetworkInformationException(13));
        var sockets = source.GetSockets(new SocketRequest());
        var socket = Assert.Single(sockets);
        Assert.Equal("tcp Listen [::]:22 [::]:*", socket.ToString());
        Assert.Equal(IPAddress.IPv6Any, socket.RemoteAddress);
        Assert.Equal(2, source.Warnings.Count);
        Assert.StartsWith("GetActiveTcpConnections failed on this system (Not supported on this platform): no TCP connections.", source.Warnings[0]);
        Assert.StartsWith("GetActiveUdpListeners failed on this system (", source.Warnings[1]);
        Assert.EndsWith("): no UDP sockets.", source.Warnings[1]);
    }

    [Fact]
    public void OtherErrorsAreNotSwallowed()
    {
        var source = new NetworkInformationSocketSource(() => throw new InvalidOperationException(), Array.Empty<IPEndPoint>, Array.Empty<IPEndPoint>);
        Assert.Throws<InvalidOperationException>(() => source.GetSockets(new SocketRequest()));
    }

    [Fact]
    public void ListenersAreCountedOnceAndUnknownStatesAreLeftOutWithAWarning()
    {
        var listener = new IPEndPoint(IPAddress.Loopback, 3000);
        var source = new NetworkInformationSocketSource(
            () => new[]
            {
                new Connection(listener, new IPEndPoint(IPAddress.Any, 0), TcpState.Listen),
                new Connection(listener, new IPEndPoint(IPAddress.Loopback, 50000), TcpState.Established),
                new Connection(new IPEndPoint(IPAddress.IPv6Loopback, 3001), new IPEndPoint(IPAddress.IPv6Loopback, 50001), TcpState.TimeWait),
                new Connection(listener, new IPEndPoint(IPAddress.Loopback, 50002), TcpState.Unknown),
            },
            () => new[] { listener },
            Array.Empty<IPEndPoint>);
        var sockets = source.GetSockets(new SocketRequest());
        Assert.Equal(
            new[] { "tcp Listen 127.0.0.1:3000 0.0.0.0:*", "tcp Established 127.0.0.1:3000 127.0.0.1:50000", "tcp TimeWait [::1]:3001 [::1]:50001" },
            sockets.Select(s => s.ToString()));
        Assert.Equal("GetActiveTcpConnections gave 1 connections in state Unknown: they are left out.", Assert.Single(source.Warnings));

        var v6 = source.GetSockets(new SocketRequest { Family = IPAddressFamily.IPv6 });
        Assert.Equal("tcp TimeWait [::1]:3001 [::1]:50001", Assert.Single(v6).ToString());
    }

    [Fact]
    public void NoListenerIsAskedForWhenListenIsNotAmongTheStates()
    {
        var asked = new List<string>();
        var source = new NetworkInformationSocketSource(
            () => { asked.Add("connections"); return Array.Empty<TcpConnectionInformation>(); },
            () => { asked.Add("tcp listeners"); return Array.Empty<IPEndPoint>(); },
            () => { asked.Add("udp listeners"); return Array.Empty<IPEndPoint>(); });
        source.GetSockets(new SocketRequest { States = new[] { SocketState.TimeWait } });
        Assert.Equal(new[] { "connections" }, asked);
    }

    [Theory]
    [InlineData(TcpState.Closed, SocketState.Closed)]
    [InlineData(TcpState.Listen, SocketState.Listen)]
    [InlineData(TcpState.SynSent, SocketState.SynSent)]
    [InlineData(TcpState.SynReceived, SocketState.SynReceived)]
    [InlineData(TcpState.Established, SocketState.Established)]
    [InlineData(TcpState.FinWait1, SocketState.FinWait1)]
    [InlineData(TcpState.FinWait2, SocketState.FinWait2)]
    [InlineData(TcpState.CloseWait, SocketState.CloseWait)]
    [InlineData(TcpState.Closing, SocketState.Closing)]
    [InlineData(TcpState.LastAck, SocketState.LastAck)]
    [InlineData(TcpState.TimeWait, SocketState.TimeWait)]
    [InlineData(TcpState.DeleteTcb, SocketState.DeleteTcb)]
    public void EachTcpStateHasItsName(TcpState state, SocketState expected)
    {
        Assert.Equal(expected, NetworkInformationSocketSource.ToSocketState(state));
    }

    private sealed class Connection : TcpConnectionInformation
    {
        public Connection(IPEndPoint local, IPEndPoint remote, TcpState state)
        {
            LocalEndPoint = local;
            RemoteEndPoint = remote;
            State = state;
        }

        public override IPEndPoint LocalEndPoint { get; }

        public override IPEndPoint RemoteEndPoint { get; }

        public override TcpState State { get; }
    }

    private static bool IsLoopback(IPAddress address, int port, int expectedPort) => port == expectedPort && IPAddress.Loopback.Equals(address);
}

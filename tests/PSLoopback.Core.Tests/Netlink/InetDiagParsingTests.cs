using System;
using System.Collections.Generic;
using System.Net;
using PSLoopback.Core.Tests.Support;
using PSLoopback.Platform.Linux;
using PSLoopback.Platform.Linux.Netlink;
using PSLoopback.Sockets;
using static PSLoopback.Core.Tests.Support.InetDiagBuilder;

namespace PSLoopback.Core.Tests.Netlink;

public class InetDiagParsingTests
{
    private const byte Established = 1;
    private const byte SynRecv = 3;
    private const byte FinWait2 = 5;
    private const byte TimeWait = 6;
    private const byte Close = 7;
    private const byte Listen = 10;

    [Fact]
    public void AListenerGivesItsBacklogAsQueuesAndItsPortInNetworkOrder()
    {
        var socket = Tcp(Message(Listen, "0.0.0.0", 8080, receiveQueue: 2, sendQueue: 128, uid: 1000, inode: 123456));
        Assert.Equal(SocketState.Listen, socket.State);
        Assert.Equal(IPAddress.Any, socket.LocalAddress);
        Assert.Equal(8080, socket.LocalPort);
        Assert.Equal(0, socket.RemotePort);
        Assert.Equal(2, socket.ReceiveQueue);
        Assert.Equal(128, socket.SendQueue);
        Assert.Equal(1000u, socket.Uid);
        Assert.Equal(123456ul, socket.Inode);
        Assert.Null(socket.IPv6Only);
        Assert.Null(socket.BoundInterfaceIndex);
        Assert.Equal(SocketExposure.AllInterfaces, socket.Exposure);
    }

    [Fact]
    public void AnEstablishedConnectionHasBothEndsAndItsQueues()
    {
        var socket = Tcp(Message(Established, "192.0.2.10", 0xABCD, "198.51.100.7", 443, receiveQueue: 10, sendQueue: 20, uid: 33, inode: 99));
        Assert.Equal(SocketState.Established, socket.State);
        Assert.Equal(IPAddress.Parse("192.0.2.10"), socket.LocalAddress);
        Assert.Equal(0xABCD, socket.LocalPort);
        Assert.Equal(IPAddress.Parse("198.51.100.7"), socket.RemoteAddress);
        Assert.Equal(443, socket.RemotePort);
        Assert.Equal(10, socket.ReceiveQueue);
        Assert.Equal(20, socket.SendQueue);
        Assert.Equal(SocketExposure.Interface, socket.Exposure);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0x2au)]
    public void ATimeWaitSocketHasNoQueuesUidOrInodeRatherThanZeros(uint? mark)
    {
        var socket = Tcp(NoFullSocket(TimeWait, 3, "127.0.0.1", 40000, "127.0.0.1", 80, mark));
        Assert.Equal(SocketState.TimeWait, socket.State);
        Assert.Null(socket.ReceiveQueue);
        Assert.Null(socket.SendQueue);
        Assert.Null(socket.Uid);
        Assert.Null(socket.Inode);
        Assert.Equal(SocketExposure.LoopbackOnly, socket.Exposure);
    }

    [Fact]
    public void AnOrphanInFinWait2IsATimeWaitSocketThatKeepsItsSubstate()
    {
        // The kernel turns an orphaned FIN_WAIT2 into a time-wait socket and reports its substate, with timer 3.
        var socket = Tcp(NoFullSocket(FinWait2, 3, "::1", 40000, "::1", 80));
        Assert.Equal(SocketState.FinWait2, socket.State);
        Assert.Null(socket.Uid);
        Assert.Null(socket.Inode);
        Assert.Null(socket.ReceiveQueue);
        Assert.Null(socket.SendQueue);
        Assert.Null(socket.IPv6Only);
    }

    [Fact]
    public void AFullSocketInFinWait2KeepsItsOwnerAndQueues()
    {
        var socket = Tcp(Message(FinWait2, "127.0.0.1", 40000, "127.0.0.1", 80, sendQueue: 0, uid: 1000, inode: 77, timer: 2));
        Assert.Equal(SocketState.FinWait2, socket.State);
        Assert.Equal(1000u, socket.Uid);
        Assert.Equal(77ul, socket.Inode);
        Assert.Equal(0, socket.SendQueue);
    }

    [Fact]
    public void ARequestSocketIsSynReceivedWithNoUidInodeOrQueues()
    {
        // inet_req_diag_fill: TCP_SYN_RECV (not TCP_NEW_SYN_RECV), timer 1, uid, inode and queues 0.
        var socket = Tcp(NoFullSocket(SynRecv, 1, "127.0.0.1", 80, "127.0.0.1", 40001, mark: 0));
        Assert.Equal(SocketState.SynReceived, socket.State);
        Assert.Null(socket.Uid);
        Assert.Null(socket.Inode);
        Assert.Null(socket.ReceiveQueue);
        Assert.Null(socket.SendQueue);
    }

    [Fact]
    public void AnUnacceptedConnectionHasNoInodeButItsListenersUid()
    {
        // A full socket in the accept queue has no struct socket yet (inode 0) but inherits its listener's uid.
        var socket = Tcp(Message(Established, "127.0.0.1", 80, "127.0.0.1", 40002, receiveQueue: 5, uid: 65534));
        Assert.Equal(65534u, socket.Uid);
        Assert.Null(socket.Inode);
        Assert.Equal(5, socket.ReceiveQueue);
    }

    [Theory]
    [InlineData(1, 0, SocketState.Established)]
    [InlineData(2, 5, SocketState.SynSent)]
    [InlineData(3, 5, SocketState.SynReceived)]
    [InlineData(4, 5, SocketState.FinWait1)]
    [InlineData(5, 5, SocketState.FinWait2)]
    [InlineData(7, 5, SocketState.Bound)]
    [InlineData(7, 0, SocketState.Closed)]
    [InlineData(8, 5, SocketState.CloseWait)]
    [InlineData(9, 5, SocketState.LastAck)]
    [InlineData(10, 5, SocketState.Listen)]
    [InlineData(11, 5, SocketState.Closing)]
    [InlineData(12, 5, SocketState.SynReceived)]
    public void KernelTcpStatesMapToGetNetTcpConnectionsNames(byte state, int localPort, SocketState expected)
    {
        Assert.Equal(expected, LinuxSocketStates.ToSocketState(state, SocketProtocol.Tcp, localPort));
    }

    [Fact]
    public void UdpIsListenUnconnectedAndEstablishedConnected()
    {
        var unconnected = LinuxSocketSource.ToSocketInfo(Parse(Message(Close, "127.0.0.53", 53, uid: 101, inode: 5)), SocketProtocol.Udp);
        var connected = LinuxSocketSource.ToSocketInfo(Parse(Message(Established, "10.0.0.2", 5000, "10.0.0.1", 53)), SocketProtocol.Udp);
        Assert.Equal(SocketState.Listen, unconnected.State);
        Assert.Equal(SocketProtocol.Udp, unconnected.Protocol);
        Assert.Equal(53, unconnected.LocalPort);
        Assert.Equal(SocketState.Established, connected.State);
        Assert.Throws<NetlinkParseException>(() => LinuxSocketStates.ToSocketState(Listen, SocketProtocol.Udp, 53));
    }

    [Fact]
    public void AnUnknownKernelStateIsMalformedNotGuessed()
    {
        Assert.Throws<NetlinkParseException>(() => Tcp(Message(99, "127.0.0.1", 1)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void IPv6SocketsCarryV6OnlyFromTheirAttribute(bool v6Only)
    {
        var socket = Tcp(Message(Listen, "::", 443, v6Only: v6Only));
        Assert.Equal(IPAddress.IPv6Any, socket.LocalAddress);
        Assert.Equal(v6Only, socket.IPv6Only);
        Assert.Equal(!v6Only, socket.TakesIPv4);
    }

    [Fact]
    public void AnIPv6SocketWithoutTheAttributeSaysNothingOfV6Only()
    {
        Assert.Null(Tcp(Message(Established, "2001:db8::1", 443, "2001:db8::2", 50000)).IPv6Only);
    }

    [Fact]
    public void AnIPv4MappedAddressStaysAsTheKernelGivesIt()
    {
        var socket = Tcp(Message(Established, "::ffff:127.0.0.1", 8080, "::ffff:127.0.0.1", 40000, v6Only: false));
        Assert.Equal(IPAddress.Parse("::ffff:127.0.0.1"), socket.LocalAddress);
        Assert.Equal(PSLoopback.Addressing.IPAddressFamily.IPv6, socket.AddressFamily);
        Assert.Equal(SocketExposure.LoopbackOnly, socket.Exposure);
    }

    [Fact]
    public void ABoundDeviceComesFromIdiagIf()
    {
        var socket = Tcp(Message(Listen, "0.0.0.0", 22, device: 3, inode: 1));
        Assert.Equal(3, socket.BoundInterfaceIndex);
        Assert.Equal(SocketExposure.Interface, socket.Exposure);
    }

    [Fact]
    public void ADatagramOfSocketsEndsWithDone()
    {
        var datagram = Concat(
            Wrap(SOCK_DIAG_BY_FAMILY, Message(Listen, "127.0.0.1", 80)),
            Wrap(SOCK_DIAG_BY_FAMILY, Message(Listen, "127.0.0.1", 81), sequence: Sequence + 1),
            Wrap(SOCK_DIAG_BY_FAMILY, Message(Listen, "127.0.0.1", 82), portId: PortId + 1),
            Wrap(SOCK_DIAG_BY_FAMILY, Message(Established, "::1", 83, "::1", 9, v6Only: false)),
            Done());
        var ports = new List<int>();
        Assert.True(InetDiagParser.ReadDatagram(datagram, datagram.Length, Sequence, PortId, m => ports.Add(m.SourcePort)));

        // Messages for another request or another socket are not this dump's.
        Assert.Equal(new[] { 80, 83 }, ports);
    }

    [Fact]
    public void TheTimerByteIsRead()
    {
        Assert.Equal(3, Parse(NoFullSocket(TimeWait, 3, "127.0.0.1", 1, "127.0.0.1", 2)).Timer);
        Assert.Equal(4, Parse(Message(Established, "127.0.0.1", 1, timer: 4)).Timer);
    }

    [Fact]
    public void AnUnreadableMessageGoesToItsHandlerAndTheRestAreRead()
    {
        var datagram = Concat(
            Wrap(SOCK_DIAG_BY_FAMILY, Message(Listen, "127.0.0.1", 80)),
            Wrap(SOCK_DIAG_BY_FAMILY, Message(Listen, "127.0.0.1", 81, family: 7)),
            Wrap(SOCK_DIAG_BY_FAMILY, Message(Listen, "127.0.0.1", 82)[..40]),
            Wrap(SOCK_DIAG_BY_FAMILY, Message(Listen, "127.0.0.1", 83)),
            Done());
        var ports = new List<int>();
        var malformed = new List<NetlinkParseException>();
        Assert.True(InetDiagParser.ReadDatagram(datagram, datagram.Length, Sequence, PortId, m => ports.Add(m.SourcePort), malformed.Add));
        Assert.Equal(new[] { 80, 83 }, ports);
        Assert.Equal(2, malformed.Count);

        // Without a handler the first one ends the read.
        Assert.Throws<NetlinkParseException>(() => InetDiagParser.ReadDatagram(datagram, datagram.Length, Sequence, PortId, _ => { }));
    }

    [Fact]
    public void ADatagramWithoutDoneLeavesTheDumpOpen()
    {
        var datagram = Wrap(SOCK_DIAG_BY_FAMILY, Message(Listen, "127.0.0.1", 80));
        var count = 0;
        Assert.False(InetDiagParser.ReadDatagram(datagram, datagram.Length, Sequence, PortId, _ => count++));
        Assert.Equal(1, count);
    }

    [Fact]
    public void AnErrorMessageCarriesTheKernelsErrno()
    {
        var datagram = Error(1);
        var error = Assert.Throws<NetlinkException>(() => InetDiagParser.ReadDatagram(datagram, datagram.Length, Sequence, PortId, _ => { }));
        Assert.Equal(1, error.Errno);
    }

    [Fact]
    public void AnAcknowledgementEndsTheDump()
    {
        var datagram = Error(0);
        Assert.True(InetDiagParser.ReadDatagram(datagram, datagram.Length, Sequence, PortId, _ => { }));
    }

    [Fact]
    public void AnErrorTooShortForItsCodeIsMalformed()
    {
        var datagram = Wrap(NLMSG_ERROR, new byte[2]);
        Assert.Throws<NetlinkParseException>(() => InetDiagParser.ReadDatagram(datagram, datagram.Length, Sequence, PortId, _ => { }));
    }

    [Fact]
    public void TheRequestIsInetDiagReqV2()
    {
        var request = InetDiagParser.Request(10, 17, 0x80000082);
        Assert.Equal(56, request.Length);
        Assert.Equal(new byte[] { 10, 17, 0, 0, 0x82, 0, 0, 0x80 }, request[..8]);
        Assert.All(request[8..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void StateMasksAskTheKernelForOnlyTheStatesWanted()
    {
        Assert.Equal(uint.MaxValue, LinuxSocketStates.KernelMask(SocketProtocol.Tcp, null));
        Assert.Equal((1u << 1) | (1u << 7), LinuxSocketStates.KernelMask(SocketProtocol.Udp, Array.Empty<SocketState>()));
        Assert.Equal(1u << 10, LinuxSocketStates.KernelMask(SocketProtocol.Tcp, new[] { SocketState.Listen }));
        Assert.Equal(1u << 7, LinuxSocketStates.KernelMask(SocketProtocol.Udp, new[] { SocketState.Listen }));
        Assert.Equal((1u << 3) | (1u << 12), LinuxSocketStates.KernelMask(SocketProtocol.Tcp, new[] { SocketState.SynReceived }));
        Assert.Equal((1u << 7) | (1u << 13), LinuxSocketStates.KernelMask(SocketProtocol.Tcp, new[] { SocketState.Bound }));
        Assert.Equal(0u, LinuxSocketStates.KernelMask(SocketProtocol.Udp, new[] { SocketState.TimeWait }));
        Assert.Equal(0u, LinuxSocketStates.KernelMask(SocketProtocol.Tcp, new[] { SocketState.DeleteTcb }));
    }

    private static InetDiagMessage Parse(byte[] payload) => InetDiagParser.ParseMessage(payload, 0, payload.Length);

    private static NetSocketInfo Tcp(byte[] payload) => LinuxSocketSource.ToSocketInfo(Parse(payload), SocketProtocol.Tcp);
}

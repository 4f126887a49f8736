using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using PSLoopback.Platform.Linux;
using PSLoopback.Sockets;

namespace PSLoopback.Core.Tests.Linux;

/// <summary>
/// Opens listeners of every kind in this process (loopback addresses only, or wildcards nobody connects to) and
/// finds each through a real sock_diag read, with its owner, device, IPv6-only flag and exposure.
/// </summary>
[Collection("Live sockets")]
public class LiveSocketSourceTests
{
    [LinuxFact]
    public void FindsThisProcesssOwnListenersWithTheirFacts()
    {
        var pid = Environment.ProcessId;
        using var self = Process.GetCurrentProcess();
        var name = self.ProcessName;

        // "Uid:\treal\teffective\t...": sockets belong to the effective uid.
        var uid = uint.Parse(System.IO.File.ReadAllLines("/proc/self/status").Single(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t')[2]);
        var opened = new List<(Socket Socket, SocketProtocol Protocol, string Address, bool? V6Only, string? Device, SocketExposure Exposure)>();
        try
        {
            opened.Add((Listen("127.0.0.1", null, null), SocketProtocol.Tcp, "127.0.0.1", null, null, SocketExposure.LoopbackOnly));
            opened.Add((Listen("::1", true, null), SocketProtocol.Tcp, "::1", true, null, SocketExposure.LoopbackOnly));
            opened.Add((Listen("::", true, null), SocketProtocol.Tcp, "::", true, null, SocketExposure.AllInterfaces));
            opened.Add((Listen("::", false, null), SocketProtocol.Tcp, "::", false, null, SocketExposure.AllInterfaces));
            opened.Add((Listen("0.0.0.0", null, null), SocketProtocol.Tcp, "0.0.0.0", null, null, SocketExposure.AllInterfaces));
            opened.Add((Listen("0.0.0.0", null, "lo"), SocketProtocol.Tcp, "0.0.0.0", null, "lo", SocketExposure.LoopbackOnly));
            opened.Add((Udp("127.0.0.1"), SocketProtocol.Udp, "127.0.0.1", null, null, SocketExposure.LoopbackOnly));

            var sockets = new LinuxSocketSource().GetSockets(new SocketRequest());
            foreach (var (socket, protocol, address, v6Only, device, exposure) in opened)
            {
                var port = ((IPEndPoint)socket.LocalEndPoint!).Port;
                var found = Assert.Single(sockets, s => s.Protocol == protocol && s.LocalPort == port && s.State == SocketState.Listen && s.LocalAddress.Equals(IPAddress.Parse(address)));
                var what = found.ToString();
                Assert.True(v6Only == found.IPv6Only, $"{what}: IPv6Only {found.IPv6Only}");
                Assert.True(device == found.BoundInterfaceAlias, $"{what}: device {found.BoundInterfaceAlias}");
                Assert.True(exposure == found.Exposure, $"{what}: exposure {found.Exposure}");
                Assert.True(pid == found.OwningProcess, $"{what}: owner {found.OwningProcess}");
                Assert.Equal(name, found.ProcessName);
                Assert.Equal(uid, found.Uid);
                Assert.Equal(Environment.UserName, found.UserName);
                Assert.NotNull(found.Inode);
                if (protocol == SocketProtocol.Tcp)
                {
                    Assert.Equal(0, found.ReceiveQueue);
                    Assert.Equal(7, found.SendQueue);
                }
            }
        }
        finally
        {
            foreach (var entry in opened)
            {
                entry.Socket.Dispose();
            }
        }
    }

    [LinuxFact]
    public void ABoundTcpSocketThatNeitherListensNorConnectsIsBoundWhereTheKernelReportsIt()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)socket.LocalEndPoint!).Port;

        var all = new LinuxSocketSource().GetSockets(new SocketRequest()).Where(s => s.Protocol == SocketProtocol.Tcp && s.LocalPort == port && IPAddress.Loopback.Equals(s.LocalAddress)).ToList();
        var bound = new LinuxSocketSource().GetSockets(new SocketRequest { States = new[] { SocketState.Bound } });
        var listening = new LinuxSocketSource().GetSockets(new SocketRequest { States = new[] { SocketState.Listen } });

        // Linux 6.6 and later dump bound-only sockets (TCPF_BOUND_INACTIVE); older kernels show none.
        var release = Environment.OSVersion.Version;
        if (release.Major > 6 || (release.Major == 6 && release.Minor >= 6))
        {
            var found = Assert.Single(all);
            Assert.Equal(SocketState.Bound, found.State);
            Assert.Equal(Environment.ProcessId, found.OwningProcess);
            Assert.Contains(bound, s => s.LocalPort == port);
        }
        else
        {
            Assert.Empty(all);
        }

        Assert.All(bound, s => Assert.Equal(SocketState.Bound, s.State));
        Assert.DoesNotContain(listening, s => s.LocalPort == port && s.Protocol == SocketProtocol.Tcp && IPAddress.Loopback.Equals(s.LocalAddress));
    }

    [LinuxFact]
    public void ARequestSocketAndAnOrphanInFinWait2HaveNoUidInodeOrQueues()
    {
        // TCP_DEFER_ACCEPT: the listener drops the client's bare ACK, so the connection stays a request socket
        // (SYN-RECV) on the listener's side until data comes, here never.
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        // IPPROTO_TCP, TCP_DEFER_ACCEPT (seconds); .NET's SetSocketOption does not pass this name through.
        listener.SetRawSocketOption(6, 9, BitConverter.GetBytes(30));
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(5);
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        silent.Connect(listener.LocalEndPoint!);
        var listenerPort = ((IPEndPoint)listener.LocalEndPoint!).Port;
        var silentPort = ((IPEndPoint)silent.LocalEndPoint!).Port;

        // A client closed while the server keeps its end open: the server's ACK of its FIN leaves it in FIN_WAIT2
        // with no process, and the kernel then keeps it as a time-wait socket whose substate is FIN_WAIT2
        // (when tcp_fin_timeout is at most the 60 s of TIME_WAIT; longer, it stays a full socket).
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        server.Listen(5);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(server.LocalEndPoint!);
        using var accepted = server.Accept();
        // By both ports and the address: Linux gives a connection a local port that sockets to other destinations
        // may hold too, and the table is the whole host's.
        var clientPort = ((IPEndPoint)client.LocalEndPoint!).Port;
        var serverPort = ((IPEndPoint)server.LocalEndPoint!).Port;
        client.Dispose();
        var orphaned = int.Parse(System.IO.File.ReadAllText("/proc/sys/net/ipv4/tcp_fin_timeout").Trim(), System.Globalization.CultureInfo.InvariantCulture) <= 60;

        // The ACK and the kernel's handshake steps are immediate on loopback; a few reads give them time all the same.
        List<NetSocketInfo> mine = new();
        for (var attempt = 0; attempt < 20; attempt++)
        {
            mine = new LinuxSocketSource().GetSockets(new SocketRequest { Protocol = SocketProtocol.Tcp })
                .Where(s => (s.LocalPort == listenerPort && s.RemotePort == silentPort) || (s.LocalPort == clientPort && s.RemotePort == serverPort))
                .Where(s => IPAddress.Loopback.Equals(s.LocalAddress))
                .ToList();
            if (mine.Any(s => s.State == SocketState.SynReceived) && mine.Any(s => s.State == SocketState.FinWait2))
            {
                break;
            }

            System.Threading.Thread.Sleep(50);
        }

        var request = Assert.Single(mine, s => s.LocalPort == listenerPort);
        Assert.Equal(SocketState.SynReceived, request.State);
        Assert.Null(request.Uid);
        Assert.Null(request.UserName);
        Assert.Null(request.Inode);
        Assert.Null(request.ReceiveQueue);
        Assert.Null(request.SendQueue);
        Assert.Null(request.OwningProcess);

        var finWait2 = Assert.Single(mine, s => s.LocalPort == clientPort);
        Assert.Equal(SocketState.FinWait2, finWait2.State);
        Assert.Null(finWait2.Inode);
        Assert.Null(finWait2.OwningProcess);
        if (orphaned)
        {
            Assert.Null(finWait2.Uid);
            Assert.Null(finWait2.UserName);
            Assert.Null(finWait2.SendQueue);
        }
    }

    private static Socket Listen(string address, bool? v6Only, string? device)
    {
        var ip = IPAddress.Parse(address);
        var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        Configure(socket, v6Only, device);
        socket.Bind(new IPEndPoint(ip, 0));

        // A backlog that no default has, so that Send-Q (the backlog, for a listener) is recognisably this one's.
        socket.Listen(7);
        return socket;
    }

    private static Socket Udp(string address)
    {
        var ip = IPAddress.Parse(address);
        var socket = new Socket(ip.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(ip, 0));
        return socket;
    }

    private static void Configure(Socket socket, bool? v6Only, string? device)
    {
        if (v6Only is bool only)
        {
            socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.IPv6Only, only);
        }

        if (device is not null)
        {
            // SOL_SOCKET, SO_BINDTODEVICE.
            socket.SetRawSocketOption(1, 25, Encoding.ASCII.GetBytes(device + "\0"));
        }
    }
}

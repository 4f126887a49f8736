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
public class LiveSocketSourceTests
{
    [LinuxFact]
    public void FindsThisProcesssOwnListenersWithTheirFacts()
    {
        var pid = Environment.ProcessId;
        var comm = System.IO.File.ReadAllText($"/proc/{pid}/comm").TrimEnd('\n');

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
                var found = Assert.Single(sockets, s => s.Protocol == protocol && s.LocalPort == port && s.State == SocketState.Listen);
                var what = found.ToString();
                Assert.True(IPAddress.Parse(address).Equals(found.LocalAddress), what);
                Assert.True(v6Only == found.IPv6Only, $"{what}: IPv6Only {found.IPv6Only}");
                Assert.True(device == found.BoundInterfaceAlias, $"{what}: device {found.BoundInterfaceAlias}");
                Assert.True(exposure == found.Exposure, $"{what}: exposure {found.Exposure}");
                Assert.True(pid == found.OwningProcess, $"{what}: owner {found.OwningProcess}");
                Assert.Equal(comm, found.ProcessName);
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

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using PSLoopback.Addressing;
using PSLoopback.Platform.Linux;
using PSLoopback.Platform.Linux.Netlink;
using PSLoopback.Sockets;
using static PSLoopback.Core.Tests.Support.InetDiagBuilder;

namespace PSLoopback.Core.Tests.Linux;

/// <summary>The Linux source over a test's own kernel answers: one dump or message that fails loses only itself.</summary>
public sealed class LinuxSocketSourceWarningsTests : IDisposable
{
    private const byte AF_INET = 2;
    private const byte IPPROTO_UDP = 17;

    private readonly string passwd = Path.Combine(Path.GetTempPath(), "pslb-fixdiag-passwd-" + Guid.NewGuid().ToString("N"));

    public LinuxSocketSourceWarningsTests()
    {
        File.WriteAllText(passwd, "root:x:0:0::/root:/bin/sh\nnobody:x:65534:65534::/:/usr/sbin/nologin\n");
    }

    public void Dispose() => File.Delete(passwd);

    [Fact]
    public void AMissingUdpDiagLosesOnlyUdpAndSaysSo()
    {
        var source = Source(request => request[1] == IPPROTO_UDP
            ? Error(2)
            : Concat(Wrap(SOCK_DIAG_BY_FAMILY, Message(10, request[0] == AF_INET ? "127.0.0.1" : "::1", 3000, uid: 65534, inode: 11, v6Only: request[0] == AF_INET ? null : true)), Done()));
        var sockets = source.GetSockets(new SocketRequest { IncludeOwners = false });

        Assert.Equal(new[] { "127.0.0.1", "::1" }, sockets.Select(s => s.LocalAddress.ToString()));
        Assert.All(sockets, s => Assert.Equal("nobody", s.UserName));
        Assert.Equal(2, source.Warnings.Count);
        Assert.Contains("IPv4 UDP", source.Warnings[0], StringComparison.Ordinal);
        Assert.Contains("errno 2", source.Warnings[0], StringComparison.Ordinal);
        Assert.Contains("udp_diag", source.Warnings[0], StringComparison.Ordinal);
        Assert.Contains("IPv6 UDP", source.Warnings[1], StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnreadableDatagramLosesItsDumpWhole()
    {
        // A header whose length runs past the datagram: nothing after it can be found, so the dump gives nothing.
        var broken = Concat(Wrap(SOCK_DIAG_BY_FAMILY, Message(10, "127.0.0.1", 3000, inode: 5)), BitConverter.GetBytes(4096u), new byte[12]);
        var source = Source(request => request[0] == AF_INET ? broken : Concat(Wrap(SOCK_DIAG_BY_FAMILY, Message(10, "::1", 3001, inode: 6)), Done()));
        var sockets = source.GetSockets(new SocketRequest { Protocol = SocketProtocol.Tcp, IncludeOwners = false });

        Assert.Equal(3001, Assert.Single(sockets).LocalPort);
        Assert.Contains("IPv4 TCP", Assert.Single(source.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownStatesAndUnreadableMessagesAreLeftOutInOneWarning()
    {
        var datagram = Concat(
            Wrap(SOCK_DIAG_BY_FAMILY, Message(10, "127.0.0.1", 3000, inode: 1)),
            Wrap(SOCK_DIAG_BY_FAMILY, Message(14, "127.0.0.1", 3001, inode: 2)),
            Wrap(SOCK_DIAG_BY_FAMILY, Message(15, "127.0.0.1", 3002, inode: 3)),
            Wrap(SOCK_DIAG_BY_FAMILY, Message(10, "127.0.0.1", 3003, family: 7)),
            Wrap(SOCK_DIAG_BY_FAMILY, Message(1, "127.0.0.1", 3004, "127.0.0.1", 40000, inode: 4)),
            Done());
        var source = Source(_ => datagram);
        var sockets = source.GetSockets(new SocketRequest { Protocol = SocketProtocol.Tcp, Family = IPAddressFamily.IPv4, IncludeOwners = false });

        Assert.Equal(new[] { 3000, 3004 }, sockets.Select(s => s.LocalPort));
        var warning = Assert.Single(source.Warnings);
        Assert.StartsWith("3 socket message(s) left out (IPv4 TCP)", warning, StringComparison.Ordinal);
        Assert.Contains("state 14", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void WhenEveryDumpFailsTheReadFails()
    {
        var source = Source(_ => Error(1));
        var error = Assert.Throws<InvalidOperationException>(() => source.GetSockets(new SocketRequest { IncludeOwners = false }));
        Assert.IsType<NetlinkException>(error.InnerException);
        Assert.Contains("IPv6 UDP", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AReadThatWorksClearsTheLastReadsWarnings()
    {
        var fail = true;
        var source = Source(request => fail && request[1] == IPPROTO_UDP ? Error(2) : Done());
        source.GetSockets(new SocketRequest { IncludeOwners = false });
        Assert.NotEmpty(source.Warnings);
        fail = false;
        Assert.Empty(source.GetSockets(new SocketRequest { IncludeOwners = false }));
        Assert.Empty(source.Warnings);
    }

    /// <summary>A source whose kernel answers each request with one datagram.</summary>
    private LinuxSocketSource Source(Func<byte[], byte[]> answer) =>
        new("/nonexistent", passwd, (request, handler) =>
        {
            var datagram = answer(request);
            if (!handler(datagram, datagram.Length, Sequence, PortId))
            {
                throw new NetlinkException("netlink dump did not finish: the test kernel gave one datagram only.");
            }
        });
}

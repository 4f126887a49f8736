using System.Linq;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Sockets;

namespace PSLoopback.Core.Tests.Sockets;

public class SocketFilterTests
{
    private static NetSocketInfo[] Snapshot() => new[]
    {
        Socket(SocketProtocol.Tcp, "127.0.0.1", 3000, "0.0.0.0", 0, SocketState.Listen, 812),
        Socket(SocketProtocol.Tcp, "::", 3000, "::", 0, SocketState.Listen, 812),
        Socket(SocketProtocol.Tcp, "0.0.0.0", 22, "0.0.0.0", 0, SocketState.Listen, null),
        Socket(SocketProtocol.Udp, "0.0.0.0", 53, "0.0.0.0", 0, SocketState.Listen, 40),
        Socket(SocketProtocol.Tcp, "10.1.2.3", 22, "192.0.2.9", 50000, SocketState.Established, 41),
        Socket(SocketProtocol.Tcp, "::ffff:127.0.0.1", 3000, "::ffff:127.0.0.1", 41000, SocketState.TimeWait, null),
    };

    private static NetSocketInfo Socket(SocketProtocol protocol, string local, int localPort, string remote, int remotePort, SocketState state, int? pid) => new()
    {
        Protocol = protocol,
        LocalAddress = IPAddress.Parse(local),
        LocalPort = localPort,
        RemoteAddress = IPAddress.Parse(remote),
        RemotePort = remotePort,
        State = state,
        OwningProcess = pid,
    };

    private static int[] Selected(SocketFilter filter) =>
        Snapshot().Select((s, i) => (s, i)).Where(x => filter.Matches(x.s)).Select(x => x.i).ToArray();

    [Fact]
    public void EmptyFilterKeepsEverySocket() => Assert.Equal(new[] { 0, 1, 2, 3, 4, 5 }, Selected(new SocketFilter()));

    [Fact]
    public void FiltersAreAndedAndValuesOred()
    {
        Assert.Equal(new[] { 0, 1, 2 }, Selected(new SocketFilter { Protocols = new[] { SocketProtocol.Tcp }, States = new[] { SocketState.Listen } }));
        Assert.Equal(new[] { 2, 4 }, Selected(new SocketFilter { LocalPorts = new[] { 22 } }));
        Assert.Equal(new[] { 2, 3, 4 }, Selected(new SocketFilter { LocalPorts = new[] { 22, 53 } }));
        Assert.Equal(new[] { 4 }, Selected(new SocketFilter { RemotePorts = new[] { 50000 } }));
    }

    [Fact]
    public void TheIPv4WildcardIsNotTheIPv6One()
    {
        Assert.Equal(new[] { 2, 3 }, Selected(new SocketFilter { LocalAddresses = new[] { IPPrefix.Parse("0.0.0.0") } }));
        Assert.Equal(new[] { 1 }, Selected(new SocketFilter { LocalAddresses = new[] { IPPrefix.Parse("::") } }));
        Assert.Equal(new[] { 0, 2, 3, 4, 5 }, Selected(new SocketFilter { LocalAddresses = new[] { IPPrefix.Parse("0.0.0.0/0") } }));
    }

    [Fact]
    public void APrefixSelectsItsAddresses()
    {
        Assert.Equal(new[] { 4 }, Selected(new SocketFilter { LocalAddresses = new[] { IPPrefix.Parse("10.0.0.0/8") }, RemoteAddresses = new[] { IPPrefix.Parse("192.0.2.0/24") } }));
        Assert.Empty(Selected(new SocketFilter { LocalAddresses = new[] { IPPrefix.Parse("10.128.0.0/9") } }));
    }

    [Fact]
    public void AnIPv4AddressOrPrefixAlsoSelectsTheMappedAddressesInIt()
    {
        Assert.Equal(new[] { 0, 5 }, Selected(new SocketFilter { LocalAddresses = new[] { IPPrefix.Parse("127.0.0.1") } }));
        Assert.Equal(new[] { 0, 5 }, Selected(new SocketFilter { LocalAddresses = new[] { IPPrefix.Parse("127.0.0.0/8") } }));
        Assert.Equal(new[] { 5 }, Selected(new SocketFilter { RemoteAddresses = new[] { IPPrefix.Parse("127.0.0.1") } }));
        Assert.Empty(Selected(new SocketFilter { LocalAddresses = new[] { IPPrefix.Parse("127.0.0.2") } }));
        Assert.Empty(Selected(new SocketFilter { LocalAddresses = new[] { IPPrefix.Parse("126.0.0.0/8") } }));
    }

    [Fact]
    public void AMappedAddressSelectsOnlyIPv6Sockets()
    {
        Assert.Equal(new[] { 5 }, Selected(new SocketFilter { LocalAddresses = new[] { IPPrefix.Parse("::ffff:127.0.0.1") } }));
        Assert.Equal(new[] { 5 }, Selected(new SocketFilter { LocalAddresses = new[] { IPPrefix.Parse("::ffff:0.0.0.0/96") } }));
    }

    [Fact]
    public void AnOwnerFilterNeverMatchesASocketWithoutOwner()
    {
        Assert.Equal(new[] { 0, 1 }, Selected(new SocketFilter { OwningProcesses = new[] { 812 } }));
        Assert.Empty(Selected(new SocketFilter { OwningProcesses = new[] { 0 } }));
    }

    [Fact]
    public void TheRequestAsksTheOSForOneProtocolAndTheStates()
    {
        var request = new SocketFilter { Protocols = new[] { SocketProtocol.Udp }, States = new[] { SocketState.Listen } }.ToRequest();
        Assert.Equal(SocketProtocol.Udp, request.Protocol);
        Assert.Equal(new[] { SocketState.Listen }, request.States);
        Assert.True(request.IncludeOwners);

        var both = new SocketFilter { Protocols = new[] { SocketProtocol.Udp, SocketProtocol.Tcp } }.ToRequest();
        Assert.Null(both.Protocol);
        Assert.Null(both.States);
    }
}

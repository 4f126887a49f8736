using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;
using PSLoopback.Routing;
using Xunit;

namespace PSLoopback.Core.Tests.Routing;

/// <summary>A saved Linux snapshot's nexthop objects, neighbour entries and sysctls answer as the live ones did.</summary>
public class LinuxStateTests
{
    private static SavedInterface Eth(int index, string name, string address) => new(index, name)
    {
        InterfaceType = InterfaceType.Ethernet,
        AdminStatus = AdminStatus.Up,
        Addresses = new[] { new SavedAddress(IPAddress.Parse(address), 24) { Scope = AddressScope.Global } },
    };

    private static NetRouteInfo Connected(string prefix, int index, string name, string source) => new()
    {
        DestinationPrefix = IPPrefix.Parse(prefix),
        InterfaceIndex = index,
        InterfaceAlias = name,
        Scope = AddressScope.Link,
        Protocol = RouteProtocol.Kernel,
        PreferredSource = IPAddress.Parse(source),
    };

    /// <summary>As nexthop_compat_mode=0 dumps it: the id and nothing of the paths.</summary>
    private static NetRouteInfo ByIdOnly(uint id) => new() { DestinationPrefix = IPPrefix.Parse("203.0.113.0/24"), NextHopId = id };

    private static NetNextHopObject Gateway(uint id, string gateway, int index) =>
        new(id) { AddressFamily = IPAddressFamily.IPv4, Gateway = IPAddress.Parse(gateway), InterfaceIndex = index, Scope = AddressScope.Link };

    private static RouteSnapshot Build(LinuxState state) => SavedSnapshot.Build(
        new[] { Eth(2, "eth0", "192.0.2.10"), Eth(3, "eth1", "198.51.100.10") },
        new List<NetRouteInfo> { Connected("192.0.2.0/24", 2, "eth0", "192.0.2.10"), Connected("198.51.100.0/24", 3, "eth1", "198.51.100.10"), ByIdOnly(10) },
        Array.Empty<NetRouteRule>(),
        Array.Empty<int>(),
        HostOS.Linux,
        state);

    private static LinuxState State(IEnumerable<NetNeighbor>? neighbors = null, params NetNextHopObject[] extra) => new(
        new[] { Gateway(1, "192.0.2.1", 2), Gateway(2, "198.51.100.1", 3), new NetNextHopObject(10) { Group = new[] { new NetNextHopGroupMember(1, 1), new NetNextHopGroupMember(2, 1) } } }.Concat(extra).ToList(),
        (neighbors ?? Array.Empty<NetNeighbor>()).ToList(),
        new[] { new KeyValuePair<string, long>("net.ipv4.fib_multipath_use_neigh", 1) });

    [Fact]
    public void ASavedRouteExceptionIsKeptAndOneOnAnInterfaceTheSnapshotLacksIsRefused()
    {
        NetRouteException Redirect(int index) => new() { Destination = IPAddress.Parse("203.0.113.5"), NextHop = IPAddress.Parse("192.0.2.2"), InterfaceIndex = index, Redirected = true };
        LinuxState With(NetRouteException exception) => new(Array.Empty<NetNextHopObject>(), Array.Empty<NetNeighbor>(), Array.Empty<KeyValuePair<string, long>>(), new[] { exception });

        Assert.Single(Build(With(Redirect(2))).Exceptions);
        var refused = Assert.Throws<ArgumentException>(() => Build(With(Redirect(9))));
        Assert.Contains("interface 9, which the snapshot does not have", refused.Message);
        var windows = Assert.Throws<ArgumentException>(() => SavedSnapshot.Build(
            Array.Empty<SavedInterface>(), Array.Empty<NetRouteInfo>(), Array.Empty<NetRouteRule>(), Array.Empty<int>(), HostOS.Windows, With(Redirect(2))));
        Assert.Contains("route exceptions", windows.Message);
    }

    [Fact]
    public void ARouteSavedWithOnlyItsNexthopIdAnswersFromTheSavedObjects()
    {
        var snapshot = Build(State(new[] { new NetNeighbor(IPAddress.Parse("192.0.2.1"), 2, NeighborState.Failed) }));

        var decision = new LinuxRouteResolver(snapshot).Resolve(new RouteQuery(IPAddress.Parse("203.0.113.5")));

        Assert.Equal("eth1", decision.InterfaceAlias);
        Assert.Equal(IPAddress.Parse("198.51.100.1"), decision.NextHop);
        Assert.Equal(1, snapshot.Settings.Get("net.ipv4.fib_multipath_use_neigh", 0));
        Assert.Single(snapshot.Neighbors);
    }

    [Fact]
    public void ANexthopIdTwiceIsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => Build(State(null, Gateway(1, "192.0.2.2", 2))));
        Assert.Contains("twice", error.Message);
    }

    [Fact]
    public void AGroupOfAnUnknownMemberIsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => Build(State(null, new NetNextHopObject(11) { Group = new[] { new NetNextHopGroupMember(99, 1) } })));
        Assert.Contains("member 99", error.Message);
    }

    [Fact]
    public void ANeighbourOnAnInterfaceTheSnapshotLacksIsRefused()
    {
        var error = Assert.Throws<ArgumentException>(() => Build(State(new[] { new NetNeighbor(IPAddress.Parse("192.0.2.1"), 9, NeighborState.Reachable) })));
        Assert.Contains("interface 9", error.Message);
    }

    [Fact]
    public void ARouteNamingAMissingObjectIsRefused()
    {
        var state = new LinuxState(new[] { Gateway(1, "192.0.2.1", 2) }, Array.Empty<NetNeighbor>(), Array.Empty<KeyValuePair<string, long>>());
        var error = Assert.Throws<ArgumentException>(() => Build(state));
        Assert.Contains("nexthop object 10", error.Message);
    }
}

using System.Linq;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;

namespace PSLoopback.Core.Tests.Interfaces;

public class InterfaceFilterTests
{
    private static NetInterfaceInfo[] Snapshot()
    {
        var lo = new NetInterfaceInfo(1, "lo") { InterfaceType = InterfaceType.Loopback, Status = InterfaceStatus.Unknown };
        lo.Addresses = new[] { Address(lo, "127.0.0.1", 8), Address(lo, "::1", 128) };

        var eth = new NetInterfaceInfo(2, "eth0") { InterfaceType = InterfaceType.Ethernet, Status = InterfaceStatus.Up };
        eth.Addresses = new[] { Address(eth, "192.0.2.1", 24), Address(eth, "2001:db8::1", 64), Address(eth, "fe80::1", 64) };

        var v6only = new NetInterfaceInfo(3, "wg0") { InterfaceType = InterfaceType.Tunnel, Status = InterfaceStatus.Unknown };
        v6only.Addresses = new[] { Address(v6only, "2001:db8:1::1", 128) };

        var down = new NetInterfaceInfo(4, "eth1") { InterfaceType = InterfaceType.Ethernet, Status = InterfaceStatus.Down };

        return new[] { lo, eth, v6only, down };
    }

    [Fact]
    public void EmptyFilterKeepsEverythingUnchanged()
    {
        var snapshot = Snapshot();
        var result = new InterfaceFilter().Apply(snapshot).ToArray();
        Assert.Equal(snapshot, result);
    }

    [Fact]
    public void AddressFamilyKeepsOnlyInterfacesAndAddressesOfThatFamily()
    {
        var snapshot = Snapshot();
        var result = new InterfaceFilter { AddressFamilies = new[] { IPAddressFamily.IPv4 } }.Apply(snapshot).ToArray();

        Assert.Equal(new[] { "lo", "eth0" }, result.Select(i => i.Name));
        Assert.Equal(new[] { "127.0.0.1/8" }, result[0].Addresses.Select(a => a.ToString()));
        Assert.Equal(new[] { "192.0.2.1/24" }, result[1].Addresses.Select(a => a.ToString()));
        Assert.Empty(result[1].IPv6Address);
        Assert.Equal(InterfaceStatus.Up, result[1].Status);
    }

    [Fact]
    public void BothFamiliesKeepEveryInterfaceWithAnAddressAndAllItsAddresses()
    {
        var snapshot = Snapshot();
        var result = new InterfaceFilter { AddressFamilies = new[] { IPAddressFamily.IPv4, IPAddressFamily.IPv6 } }.Apply(snapshot).ToArray();

        Assert.Equal(snapshot.Where(i => i.Addresses.Count > 0).Select(i => i.Name), result.Select(i => i.Name));
        Assert.Equal(new[] { "192.0.2.1/24", "2001:db8::1/64", "fe80::1/64" }, result.Single(i => i.Name == "eth0").Addresses.Select(a => a.ToString()));
    }

    [Fact]
    public void AddressFamilyLeavesTheOriginalObjectsUnchanged()
    {
        var snapshot = Snapshot();
        var eth = snapshot[1];
        var result = new InterfaceFilter { AddressFamilies = new[] { IPAddressFamily.IPv6 } }.Apply(snapshot).ToArray();

        Assert.Equal(new[] { "lo", "eth0", "wg0" }, result.Select(i => i.Name));
        Assert.Equal(new[] { "2001:db8::1/64", "fe80::1/64" }, result[1].Addresses.Select(a => a.ToString()));
        Assert.NotSame(eth, result[1]);
        Assert.Equal(new[] { "192.0.2.1/24", "2001:db8::1/64", "fe80::1/64" }, eth.Addresses.Select(a => a.ToString()));
        Assert.Equal(new[] { IPAddress.Parse("192.0.2.1") }, eth.IPv4Address);
    }

    [Fact]
    public void LoopbackTrueKeepsOnlyLoopback()
    {
        var result = new InterfaceFilter { Loopback = true }.Apply(Snapshot());
        Assert.Equal(new[] { "lo" }, result.Select(i => i.Name));
    }

    [Fact]
    public void LoopbackFalseDropsLoopback()
    {
        var result = new InterfaceFilter { Loopback = false }.Apply(Snapshot());
        Assert.Equal(new[] { "eth0", "wg0", "eth1" }, result.Select(i => i.Name));
    }

    [Fact]
    public void StatusKeepsAnyOfTheListedStatuses()
    {
        var result = new InterfaceFilter { Status = new[] { InterfaceStatus.Up, InterfaceStatus.Down } }.Apply(Snapshot());
        Assert.Equal(new[] { "eth0", "eth1" }, result.Select(i => i.Name));
    }

    [Fact]
    public void EmptyStatusListIsNoFilter()
    {
        var result = new InterfaceFilter { Status = new InterfaceStatus[0] }.Apply(Snapshot());
        Assert.Equal(4, result.Count());
    }

    [Fact]
    public void FiltersCombine()
    {
        var filter = new InterfaceFilter
        {
            AddressFamilies = new[] { IPAddressFamily.IPv6 },
            Loopback = false,
            Status = new[] { InterfaceStatus.Unknown },
        };
        var result = filter.Apply(Snapshot()).ToArray();
        var wg = Assert.Single(result);
        Assert.Equal("wg0", wg.Name);
        Assert.Equal(new[] { "2001:db8:1::1/128" }, wg.Addresses.Select(a => a.ToString()));
    }

    private static NetInterfaceAddress Address(NetInterfaceInfo owner, string address, int prefixLength) =>
        new(owner.InterfaceIndex, owner.Name, IPAddress.Parse(address), prefixLength);
}

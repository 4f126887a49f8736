using System;
using PSLoopback.Interfaces;
using PSLoopback.Routing;

namespace PSLoopback.Core.Tests.Routing;

/// <summary>A saved snapshot keeps which interface is a VRF and which is enslaved to it, and refuses a master it does not have.</summary>
public class SavedVrfSnapshotTests
{
    private static SavedInterface Nic(int index, string name, int? master = null, uint? vrfTable = null) => new(index, name)
    {
        InterfaceType = InterfaceType.Ethernet,
        AdminStatus = AdminStatus.Up,
        MasterIndex = master,
        VrfTable = vrfTable,
    };

    private static RouteSnapshot Build(params SavedInterface[] interfaces) =>
        SavedSnapshot.Build(interfaces, Array.Empty<NetRouteInfo>(), Array.Empty<NetRouteRule>(), Array.Empty<int>());

    [Fact]
    public void AVrfAndItsSlaveAreRebuilt()
    {
        var snapshot = Build(Nic(1, "lo"), Nic(3, "eth1", master: 4), Nic(4, "red", vrfTable: 1000));
        Assert.Equal((true, (uint?)1000u), (snapshot.FindInterface(4)!.IsVrf, snapshot.FindInterface(4)!.VrfTable));
        Assert.Equal((false, (int?)4), (snapshot.FindInterface(3)!.IsVrf, snapshot.FindInterface(3)!.MasterIndex));
        Assert.Same(snapshot.FindInterface(4), VrfDomain.VrfOf(snapshot, 3));
    }

    [Theory]
    [InlineData(9)]
    [InlineData(3)]
    public void AMasterThatIsNoOtherInterfaceIsRefused(int master)
    {
        var error = Assert.Throws<ArgumentException>(() => Build(Nic(1, "lo"), Nic(3, "eth1", master: master)));
        Assert.Contains("MasterIndex", error.Message);
    }

    [Fact]
    public void ABridgePortIsInNoVrf()
    {
        // Only a VRF master makes a domain: a port of a bridge that is itself in a VRF is not in it (netif_is_l3_slave).
        var snapshot = Build(Nic(1, "lo"), Nic(2, "br0", master: 4), Nic(3, "eth1", master: 2), Nic(4, "red", vrfTable: 1000));
        Assert.Null(VrfDomain.VrfOf(snapshot, 3));
        Assert.Equal(4, VrfDomain.VrfOf(snapshot, 2)!.InterfaceIndex);
    }
}

using PSLoopback.Core.Tests.Support;
using PSLoopback.Interfaces;
using PSLoopback.Platform.Linux;
using PSLoopback.Platform.Linux.Netlink;

namespace PSLoopback.Core.Tests.Linux;

public class ClassifyTests
{
    private const ushort ArphrdPpp = 512;
    private const ushort ArphrdInfiniband = 32;
    private const ushort ArphrdCan = 280;
    private const ushort ArphrdTunnel = 768;
    private const ushort ArphrdSit = 776;
    private const ushort ArphrdIeee80211Radiotap = 803;
    private const ushort ArphrdX25 = 271;

    [Theory]
    [InlineData(Rt.ARPHRD_LOOPBACK, null, InterfaceType.Loopback)]
    [InlineData(Rt.ARPHRD_ETHER, null, InterfaceType.Ethernet)]
    [InlineData(Rt.ARPHRD_ETHER, "veth", InterfaceType.Virtual)]
    [InlineData(Rt.ARPHRD_ETHER, "dummy", InterfaceType.Virtual)]
    [InlineData(Rt.ARPHRD_ETHER, "macvlan", InterfaceType.Virtual)]
    [InlineData(Rt.ARPHRD_ETHER, "bridge", InterfaceType.Bridge)]
    [InlineData(Rt.ARPHRD_ETHER, "vlan", InterfaceType.Vlan)]
    [InlineData(Rt.ARPHRD_ETHER, "bond", InterfaceType.Bond)]
    [InlineData(Rt.ARPHRD_ETHER, "team", InterfaceType.Bond)]
    [InlineData(Rt.ARPHRD_ETHER, "vxlan", InterfaceType.Tunnel)]
    [InlineData(Rt.ARPHRD_NONE, "wireguard", InterfaceType.Tunnel)]
    [InlineData(Rt.ARPHRD_NONE, "tun", InterfaceType.Tunnel)]
    [InlineData(Rt.ARPHRD_ETHER, "tun", InterfaceType.Virtual)]
    [InlineData(Rt.ARPHRD_NONE, null, InterfaceType.Tunnel)]
    [InlineData(Rt.ARPHRD_ETHER, "some-future-kind", InterfaceType.Virtual)]
    [InlineData(Rt.ARPHRD_IEEE80211, null, InterfaceType.Wireless)]
    [InlineData(ArphrdIeee80211Radiotap, null, InterfaceType.Wireless)]
    [InlineData(ArphrdPpp, null, InterfaceType.Ppp)]
    [InlineData(ArphrdInfiniband, null, InterfaceType.Infiniband)]
    [InlineData(ArphrdCan, "vcan", InterfaceType.Can)]
    [InlineData(ArphrdTunnel, "ipip", InterfaceType.Tunnel)]
    [InlineData(ArphrdSit, null, InterfaceType.Tunnel)]
    [InlineData(ArphrdX25, null, InterfaceType.Other)]
    public void ByDeviceTypeAndKind(ushort deviceType, string? kind, InterfaceType expected)
    {
        Assert.Equal(expected, LinuxInterfaceBuilder.Classify(new LinkMessage { DeviceType = deviceType, Kind = kind }, isWireless: false));
    }

    [Fact]
    public void WirelessComesFromSysfsForEthernetTypedDevices()
    {
        // Wi-Fi drivers report ARPHRD_ETHER; only /sys/class/net/<name>/wireless tells them apart.
        var link = new LinkMessage { DeviceType = Rt.ARPHRD_ETHER };
        Assert.Equal(InterfaceType.Wireless, LinuxInterfaceBuilder.Classify(link, isWireless: true));
        Assert.Equal(InterfaceType.Ethernet, LinuxInterfaceBuilder.Classify(link, isWireless: false));
    }

    [Fact]
    public void LoopbackWinsOverTheWirelessFact()
    {
        Assert.Equal(InterfaceType.Loopback, LinuxInterfaceBuilder.Classify(new LinkMessage { DeviceType = Rt.ARPHRD_LOOPBACK }, isWireless: true));
    }

    [Fact]
    public void BuildPassesTheSysfsFactsOfEachLink()
    {
        var wlan = RtnetlinkParser.ParseLink(NetlinkBuilder.Link(2, "wlan0").ToPayload());
        var eth = RtnetlinkParser.ParseLink(NetlinkBuilder.Link(3, "eth0").ToPayload());

        var result = LinuxInterfaceBuilder.Build(
            new[] { wlan, eth },
            System.Array.Empty<AddressMessage>(),
            link => new SysfsFacts(link.Name == "eth0" ? 1_000_000_000 : null, isWireless: link.Name == "wlan0"));

        Assert.Equal(InterfaceType.Wireless, result[0].InterfaceType);
        Assert.Null(result[0].Speed);
        Assert.Equal(InterfaceType.Ethernet, result[1].InterfaceType);
        Assert.Equal(1_000_000_000, result[1].Speed);
    }
}

using System.Linq;
using PSLoopback.Core.Tests.Support;
using PSLoopback.Platform.Linux;
using PSLoopback.Platform.Linux.Netlink;

namespace PSLoopback.Core.Tests.Netlink;

/// <summary>IFLA_MASTER and a VRF's IFLA_LINKINFO, as `ip link add red type vrf table 10; ip link set eth1 master red` leave them.</summary>
public class VrfLinkParsingTests
{
    // RTM_NEWLINK payload of a VRF device, laid out as the kernel writes it (rtnl_fill_ifinfo, vrf_fillinfo):
    // ifinfomsg (index 5, UP|RUNNING|NOARP|MASTER|LOWER_UP), IFLA_IFNAME "red", IFLA_MTU 65575,
    // IFLA_LINKINFO { IFLA_INFO_KIND "vrf", IFLA_INFO_DATA { IFLA_VRF_TABLE 10 } }.
    private static readonly byte[] VrfDevice =
    {
        0x00, 0x00, 0x01, 0x00, 0x05, 0x00, 0x00, 0x00, 0xc1, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x08, 0x00, 0x03, 0x00, 0x72, 0x65, 0x64, 0x00,
        0x08, 0x00, 0x04, 0x00, 0x27, 0x00, 0x01, 0x00,
        0x18, 0x00, 0x12, 0x00, 0x08, 0x00, 0x01, 0x00, 0x76, 0x72, 0x66, 0x00,
        0x0c, 0x00, 0x02, 0x00, 0x08, 0x00, 0x01, 0x00, 0x0a, 0x00, 0x00, 0x00,
    };

    // A veth enslaved to it: IFLA_MASTER 5, and IFLA_LINKINFO { IFLA_INFO_KIND "veth", IFLA_INFO_SLAVE_KIND "vrf",
    // IFLA_INFO_SLAVE_DATA { IFLA_VRF_PORT_TABLE 10 } }: the port's data must not make it a VRF.
    private static readonly byte[] EnslavedVeth =
    {
        0x00, 0x00, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, 0x43, 0x18, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x09, 0x00, 0x03, 0x00, 0x65, 0x74, 0x68, 0x31, 0x00, 0x00, 0x00, 0x00,
        0x08, 0x00, 0x04, 0x00, 0xdc, 0x05, 0x00, 0x00,
        0x08, 0x00, 0x0a, 0x00, 0x05, 0x00, 0x00, 0x00,
        0x24, 0x00, 0x12, 0x00, 0x09, 0x00, 0x01, 0x00, 0x76, 0x65, 0x74, 0x68, 0x00, 0x00, 0x00, 0x00,
        0x08, 0x00, 0x04, 0x00, 0x76, 0x72, 0x66, 0x00,
        0x0c, 0x00, 0x05, 0x00, 0x08, 0x00, 0x01, 0x00, 0x0a, 0x00, 0x00, 0x00,
    };

    [Fact]
    public void AVrfDeviceCarriesItsTable()
    {
        var link = RtnetlinkParser.ParseLink(VrfDevice);
        Assert.Equal(("red", "vrf", (uint?)10u, (int?)null), (link.Name, link.Kind, link.VrfTable, link.MasterIndex));
    }

    [Fact]
    public void AnEnslavedDeviceCarriesItsMasterAndNoTable()
    {
        var link = RtnetlinkParser.ParseLink(EnslavedVeth);
        Assert.Equal(("eth1", "veth", (uint?)null, (int?)5), (link.Name, link.Kind, link.VrfTable, link.MasterIndex));
    }

    [Fact]
    public void TheBuilderPutsMasterAndTableOnTheInterfaces()
    {
        var interfaces = LinuxInterfaceBuilder.Build(new[] { RtnetlinkParser.ParseLink(VrfDevice), RtnetlinkParser.ParseLink(EnslavedVeth) }, Enumerable.Empty<AddressMessage>());
        var red = interfaces.Single(i => i.Name == "red");
        var eth1 = interfaces.Single(i => i.Name == "eth1");
        Assert.Equal((true, (uint?)10u, (int?)null), (red.IsVrf, red.VrfTable, red.MasterIndex));
        Assert.Equal((false, (uint?)null, (int?)5), (eth1.IsVrf, eth1.VrfTable, eth1.MasterIndex));
    }

    [Fact]
    public void InfoDataBeforeTheKindIsStillRead()
    {
        var payload = NetlinkBuilder.Link(5, "red")
            .Nested(Rt.IFLA_LINKINFO, NetlinkBuilder.Attributes()
                .Nested(Rt.IFLA_INFO_DATA, NetlinkBuilder.Attributes().U32(Rt.IFLA_VRF_TABLE, 1001))
                .String(Rt.IFLA_INFO_KIND, "vrf"))
            .ToPayload();
        Assert.Equal(1001u, RtnetlinkParser.ParseLink(payload).VrfTable);
    }

    [Fact]
    public void InfoDataOfAnotherKindIsNotAVrfTable()
    {
        // A vlan's IFLA_INFO_DATA starts with IFLA_VLAN_ID, attribute type 1 like IFLA_VRF_TABLE.
        var payload = NetlinkBuilder.Link(6, "eth0.10")
            .Nested(Rt.IFLA_LINKINFO, NetlinkBuilder.Attributes()
                .String(Rt.IFLA_INFO_KIND, "vlan")
                .Nested(Rt.IFLA_INFO_DATA, NetlinkBuilder.Attributes().Attribute(1, new byte[] { 10, 0 })))
            .ToPayload();
        var link = RtnetlinkParser.ParseLink(payload);
        Assert.Equal(("vlan", (uint?)null), (link.Kind, link.VrfTable));
    }

    [Fact]
    public void MasterZeroMeansNone()
    {
        var payload = NetlinkBuilder.Link(2, "eth0").U32(Rt.IFLA_MASTER, 0).ToPayload();
        Assert.Null(RtnetlinkParser.ParseLink(payload).MasterIndex);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(3)]
    public void AShortMasterIsMalformed(int length)
    {
        var payload = NetlinkBuilder.Link(2, "eth0").Attribute(Rt.IFLA_MASTER, new byte[length]).ToPayload();
        var error = Assert.Throws<NetlinkParseException>(() => RtnetlinkParser.ParseLink(payload));
        Assert.Contains("IFLA_MASTER", error.Message);
    }

    [Fact]
    public void AMasterBeyondTheIndexRangeIsMalformed()
    {
        var payload = NetlinkBuilder.Link(2, "eth0").U32(Rt.IFLA_MASTER, 0x80000000).ToPayload();
        Assert.Throws<NetlinkParseException>(() => RtnetlinkParser.ParseLink(payload));
    }

    [Fact]
    public void AShortVrfTableIsMalformed()
    {
        var payload = NetlinkBuilder.Link(5, "red")
            .Nested(Rt.IFLA_LINKINFO, NetlinkBuilder.Attributes()
                .String(Rt.IFLA_INFO_KIND, "vrf")
                .Nested(Rt.IFLA_INFO_DATA, NetlinkBuilder.Attributes().Attribute(Rt.IFLA_VRF_TABLE, new byte[] { 10, 0 })))
            .ToPayload();
        var error = Assert.Throws<NetlinkParseException>(() => RtnetlinkParser.ParseLink(payload));
        Assert.Contains("IFLA_VRF_TABLE", error.Message);
    }

    [Fact]
    public void AVrfWhoseInfoDataLacksTheTableIsMalformed()
    {
        var payload = NetlinkBuilder.Link(5, "red")
            .Nested(Rt.IFLA_LINKINFO, NetlinkBuilder.Attributes()
                .String(Rt.IFLA_INFO_KIND, "vrf")
                .Nested(Rt.IFLA_INFO_DATA, NetlinkBuilder.Attributes()))
            .ToPayload();
        Assert.Throws<NetlinkParseException>(() => RtnetlinkParser.ParseLink(payload));
    }

    [Fact]
    public void AnInfoDataAttributeRunningPastItsNestIsMalformed()
    {
        // IFLA_INFO_DATA declares 16 bytes, but only 12 are left in its nest (IFLA_LINKINFO).
        var linkInfo = NetlinkBuilder.Attributes()
            .String(Rt.IFLA_INFO_KIND, "vrf")
            .RawAttribute(Rt.IFLA_INFO_DATA, 16, NetlinkBuilder.Attributes().U32(Rt.IFLA_VRF_TABLE, 10).ToPayload());
        var payload = NetlinkBuilder.Link(5, "red").Nested(Rt.IFLA_LINKINFO, linkInfo).ToPayload();
        Assert.Throws<NetlinkParseException>(() => RtnetlinkParser.ParseLink(payload));
    }

    [Fact]
    public void EveryTruncationOfTheRecordedVrfDeviceParsesOrIsMalformed()
    {
        // Cut inside the fixed header or an attribute, the parser must say malformed, never index out of range.
        for (var length = 0; length < VrfDevice.Length; length++)
        {
            var cut = VrfDevice.Take(length).ToArray();
            try
            {
                var link = RtnetlinkParser.ParseLink(cut);
                Assert.True(link.VrfTable is null || link.VrfTable == 10u);
            }
            catch (NetlinkParseException)
            {
            }
        }
    }
}

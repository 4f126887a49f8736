using System;
using System.Linq;
using System.Net.NetworkInformation;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;
using PSLoopback.Platform.Windows;
using PSLoopback.Platform.Windows.Native;
using static PSLoopback.Core.Tests.Platform.Windows.IpHelperBytes;

namespace PSLoopback.Core.Tests.Platform.Windows;

public class WindowsInterfaceBuilderTests
{
    private const ulong LoopbackLuid = 0x18000000000000;
    private const ulong EthernetLuid = 0x6000007000000;

    private static AdapterEntry[] Adapters() => AdapterAddressesReader.Parse(
        new AdapterListBuilder()
            .Adapter(7, "Ethernet", EthernetLuid, mac: new byte[] { 0x02, 0xFC, 0, 0, 0, 1 }, mtu: 1500, description: "Intel(R) Ethernet", dnsSuffix: "corp.example",
                unicast: new[] { ("fe80::fc:ff:fe00:1", (byte)64), ("192.0.2.2", (byte)24), ("2001:db8::5", (byte)64) })
            .Adapter(1, "Loopback Pseudo-Interface 1", LoopbackLuid, ifType: 24, mtu: uint.MaxValue, description: "Software Loopback Interface 1",
                unicast: new[] { ("::1", (byte)128), ("127.0.0.1", (byte)8) })
            .Build(),
        AdapterListBuilder.Base).ToArray();

    private static MIB_IF_ROW2[] IfRows()
    {
        var ethernet = IfRow(7, EthernetLuid);
        ethernet.InOctets = 1000;
        ethernet.OutOctets = 2000;
        ethernet.InUcastPkts = 10;
        ethernet.InNUcastPkts = 2;
        ethernet.OutUcastPkts = 20;
        ethernet.OutNUcastPkts = 1;
        ethernet.InErrors = 3;
        ethernet.OutErrors = 4;
        ethernet.InDiscards = 5;
        ethernet.OutDiscards = 6;
        ethernet.TransmitLinkSpeed = 1_000_000_000;
        ethernet.MediaType = 0;
        var loopback = IfRow(1, LoopbackLuid);
        loopback.MediaType = 17;
        loopback.TransmitLinkSpeed = ulong.MaxValue;
        return new[] { ethernet, loopback };
    }

    private static UnicastAddressRow[] UnicastRows()
    {
        var linkLocal = UnicastRow(7, EthernetLuid, "fe80::fc:ff:fe00:1", 64);
        linkLocal.PrefixOrigin = 2;
        linkLocal.SuffixOrigin = 4;
        var dhcp = UnicastRow(7, EthernetLuid, "192.0.2.2", 24);
        dhcp.PrefixOrigin = 3;
        dhcp.SuffixOrigin = 3;
        dhcp.ValidLifetime = 86400;
        dhcp.PreferredLifetime = 43200;
        var tentative = UnicastRow(7, EthernetLuid, "2001:db8::5", 64);
        tentative.DadState = 1;
        tentative.SkipAsSource = 1;
        tentative.PrefixOrigin = 4;
        tentative.SuffixOrigin = 5;

        // The same address on another interface is that interface's, not this one's.
        var elsewhere = UnicastRow(1, LoopbackLuid, "192.0.2.2", 24);
        elsewhere.DadState = 2;
        return MibRows.UnicastAddresses(Table<MIB_UNICASTIPADDRESS_TABLE, MIB_UNICASTIPADDRESS_ROW>(new[] { linkLocal, dhcp, tentative, elsewhere })).ToArray();
    }

    private static MIB_IPINTERFACE_ROW[] IPRows()
    {
        var v4 = IPInterfaceRow(7, EthernetLuid, IpHelper.AF_INET, 25);
        v4.UseAutomaticMetric = 1;
        v4.NlMtu = 1500;
        var v6 = IPInterfaceRow(7, EthernetLuid, IpHelper.AF_INET6, 35);
        v6.ForwardingEnabled = 1;
        v6.WeakHostReceive = 1;
        v6.Connected = 0;
        var loopback = IPInterfaceRow(1, LoopbackLuid, IpHelper.AF_INET, 75);
        loopback.NlMtu = uint.MaxValue;
        return new[] { v4, v6, loopback };
    }

    [Fact]
    public void TheFourAnswersMergeIntoOneInterfaceEach()
    {
        var interfaces = WindowsInterfaceBuilder.Build(Adapters(), IfRows(), UnicastRows(), IPRows());
        Assert.Equal(new[] { 1, 7 }, interfaces.Select(i => i.InterfaceIndex));

        var ethernet = interfaces[1];
        Assert.Equal("Ethernet", ethernet.Name);
        Assert.Equal("Intel(R) Ethernet", ethernet.Description);
        Assert.Equal(InterfaceType.Ethernet, ethernet.InterfaceType);
        Assert.Equal(InterfaceStatus.Up, ethernet.Status);
        Assert.Equal(AdminStatus.Up, ethernet.AdminStatus);
        Assert.Equal("02:fc:00:00:00:01", ethernet.MacAddress);
        Assert.Equal(1500, ethernet.Mtu);
        Assert.Equal(EthernetLuid, ethernet.Luid);
        Assert.Equal("corp.example", ethernet.DnsSuffix);
        Assert.Equal("802.3", ethernet.MediaType);
        Assert.Equal(1_000_000_000L, ethernet.Speed);
        Assert.Equal(InterfaceFlags.Up | InterfaceFlags.Running | InterfaceFlags.LowerUp | InterfaceFlags.Multicast, ethernet.Flags);
        Assert.Equal(
            new ulong?[] { 1000, 2000, 12, 21, 3, 4, 5, 6 },
            new[] { ethernet.ReceivedBytes, ethernet.SentBytes, ethernet.ReceivedPackets, ethernet.SentPackets, ethernet.ReceiveErrors, ethernet.SendErrors, ethernet.ReceiveDrops, ethernet.SendDrops });

        var v4 = ethernet.IPInterface(IPAddressFamily.IPv4)!;
        Assert.Equal((25u, true, 1500u, false, true), (v4.InterfaceMetric, v4.AutomaticMetric, v4.NlMtu, v4.Forwarding, v4.Connected));
        var v6 = ethernet.IPInterface(IPAddressFamily.IPv6)!;
        Assert.Equal((35u, false, true, true, false), (v6.InterfaceMetric, v6.AutomaticMetric, v6.Forwarding, v6.WeakHostReceive, v6.Connected));
        Assert.All(ethernet.IPInterfaces, i => Assert.Equal(7, i.InterfaceIndex));
    }

    [Fact]
    public void AddressesCarryTheirDadStateOriginsAndLifetimes()
    {
        var ethernet = WindowsInterfaceBuilder.Build(Adapters(), IfRows(), UnicastRows(), IPRows()).Single(i => i.Name == "Ethernet");
        Assert.Equal(new[] { "fe80::fc:ff:fe00:1/64", "192.0.2.2/24", "2001:db8::5/64" }, ethernet.Addresses.Select(a => a.ToString()));
        Assert.All(ethernet.Addresses, a => Assert.Equal(("Ethernet", 7), (a.InterfaceAlias, a.InterfaceIndex)));

        var linkLocal = ethernet.Addresses[0];
        Assert.Equal((PrefixOrigin.WellKnown, SuffixOrigin.LinkLayerAddress), (linkLocal.PrefixOrigin, linkLocal.SuffixOrigin));
        Assert.Equal(TimeSpan.MaxValue, linkLocal.ValidLifetime);
        Assert.Equal(AddressFlags.None, linkLocal.Flags);

        var dhcp = ethernet.Addresses[1];
        Assert.Equal((PrefixOrigin.Dhcp, SuffixOrigin.OriginDhcp), (dhcp.PrefixOrigin, dhcp.SuffixOrigin));
        Assert.Equal(TimeSpan.FromDays(1), dhcp.ValidLifetime);
        Assert.Equal(TimeSpan.FromHours(12), dhcp.PreferredLifetime);
        Assert.False(dhcp.IsDadFailed);

        var tentative = ethernet.Addresses[2];
        Assert.True(tentative.IsTentative);
        Assert.True(tentative.SkipAsSource);
        Assert.Equal((PrefixOrigin.RouterAdvertisement, SuffixOrigin.Random), (tentative.PrefixOrigin, tentative.SuffixOrigin));

        // Scope is Linux's: Windows reports none, so none is made up.
        Assert.All(ethernet.Addresses, a => Assert.Null(a.Scope));
    }

    [Theory]
    [InlineData(2, AddressFlags.DadFailed)]
    [InlineData(3, AddressFlags.Deprecated)]
    [InlineData(4, AddressFlags.None)]
    [InlineData(0, AddressFlags.None)]
    public void EachDadStateIsAFlag(int state, AddressFlags flags)
    {
        var row = UnicastRow(7, EthernetLuid, "192.0.2.2", 24);
        row.DadState = state;
        var rows = MibRows.UnicastAddresses(Table<MIB_UNICASTIPADDRESS_TABLE, MIB_UNICASTIPADDRESS_ROW>(new[] { row }));
        var ethernet = WindowsInterfaceBuilder.Build(Adapters(), null, rows, null).Single(i => i.Name == "Ethernet");
        Assert.Equal(flags, ethernet.Addresses.Single(a => a.ToString() == "192.0.2.2/24").Flags);
    }

    [Fact]
    public void TheLoopbackPseudoInterfaceIsLoopbackWithoutMacMtuOrSpeed()
    {
        var loopback = WindowsInterfaceBuilder.Build(Adapters(), IfRows(), UnicastRows(), IPRows())[0];
        Assert.True(loopback.IsLoopback);
        Assert.Equal(InterfaceType.Loopback, loopback.InterfaceType);
        Assert.Null(loopback.MacAddress);
        Assert.Null(loopback.Mtu);
        Assert.Null(loopback.Speed);
        Assert.Equal("Loopback", loopback.MediaType);
        Assert.Equal(uint.MaxValue, loopback.IPInterface(IPAddressFamily.IPv4)!.NlMtu);
        Assert.Null(loopback.IPInterface(IPAddressFamily.IPv6));
        Assert.True((loopback.Flags & InterfaceFlags.Loopback) != 0);
        Assert.Equal(new[] { "::1/128", "127.0.0.1/8" }, loopback.Addresses.Select(a => a.ToString()));
        Assert.All(loopback.Addresses, a => Assert.Equal(AddressFlags.None, a.Flags));
    }

    [Fact]
    public void WithoutTheOptionalTablesTheirFactsStayEmpty()
    {
        var interfaces = WindowsInterfaceBuilder.Build(Adapters(), null, null, null);
        var ethernet = interfaces.Single(i => i.Name == "Ethernet");
        Assert.Equal(3, ethernet.Addresses.Count);
        Assert.Equal("02:fc:00:00:00:01", ethernet.MacAddress);
        Assert.Null(ethernet.ReceivedBytes);
        Assert.Null(ethernet.SendDrops);
        Assert.Null(ethernet.Speed);
        Assert.Null(ethernet.MediaType);
        Assert.Empty(ethernet.IPInterfaces);
        Assert.All(ethernet.Addresses, a =>
        {
            Assert.Null(a.ValidLifetime);
            Assert.Null(a.PrefixOrigin);
            Assert.Null(a.SuffixOrigin);
            Assert.Equal(AddressFlags.None, a.Flags);
        });

        // An interface that is up is administratively up; of one that is not, whether it is enabled is not known.
        Assert.Equal(AdminStatus.Up, ethernet.AdminStatus);
        var down = new AdapterListBuilder().Adapter(3, "Wi-Fi", 3, ifType: 71, operStatus: 2).Build();
        var wifi = Assert.Single(WindowsInterfaceBuilder.Build(AdapterAddressesReader.Parse(down, AdapterListBuilder.Base), null, null, null));
        Assert.Equal((InterfaceType.Wireless, InterfaceStatus.Down, AdminStatus.Unknown), (wifi.InterfaceType, wifi.Status, wifi.AdminStatus));
        Assert.Equal(InterfaceFlags.None, wifi.Flags & InterfaceFlags.Up);
    }

    [Fact]
    public void APrivacyAddressIsTemporaryAndAStableRandomOneIsNot()
    {
        // Both have a router-advertised prefix and a random suffix; only the temporary one stays out of DNS.
        var list = new AdapterListBuilder();
        list.NotDnsEligible.Add("2001:db8::7");
        var adapters = AdapterAddressesReader.Parse(
            list.Adapter(7, "Ethernet", EthernetLuid, unicast: new[] { ("2001:db8::6", (byte)64), ("2001:db8::7", (byte)64) }).Build(),
            AdapterListBuilder.Base);
        var rows = new[] { "2001:db8::6", "2001:db8::7" }.Select(a =>
        {
            var row = UnicastRow(7, EthernetLuid, a, 64);
            row.PrefixOrigin = 4;
            row.SuffixOrigin = 5;
            return row;
        }).ToArray();
        var unicast = MibRows.UnicastAddresses(Table<MIB_UNICASTIPADDRESS_TABLE, MIB_UNICASTIPADDRESS_ROW>(rows)).ToArray();
        var ethernet = Assert.Single(WindowsInterfaceBuilder.Build(adapters, null, unicast, null));
        Assert.Equal(new[] { false, true }, ethernet.Addresses.Select(a => a.IsTemporary));
    }

    [Fact]
    public void RowsJoinByLuidNotByIndex()
    {
        // Windows may reuse an index; the LUID is the interface's identity.
        var stranger = IfRow(7, 0x999);
        stranger.InOctets = 77;
        var ethernet = WindowsInterfaceBuilder.Build(Adapters(), new[] { stranger }, null, null).Single(i => i.Name == "Ethernet");
        Assert.Null(ethernet.ReceivedBytes);
    }

    [Theory]
    [InlineData(2u, AdminStatus.Down)]
    [InlineData(3u, AdminStatus.Down)]
    [InlineData(1u, AdminStatus.Up)]
    public void AdminStatusComesFromTheInterfaceTable(uint admin, AdminStatus expected)
    {
        var row = IfRow(7, EthernetLuid);
        row.AdminStatus = (int)admin;
        var ethernet = WindowsInterfaceBuilder.Build(Adapters(), new[] { row }, null, null).Single(i => i.Name == "Ethernet");
        Assert.Equal(expected, ethernet.AdminStatus);
        Assert.Equal(expected == AdminStatus.Up, (ethernet.Flags & InterfaceFlags.Up) != 0);
    }

    [Theory]
    [InlineData(0ul)]
    [InlineData(ulong.MaxValue)]
    public void AnUnknownSpeedIsNull(ulong speed)
    {
        var row = IfRow(7, EthernetLuid);
        row.TransmitLinkSpeed = speed;
        Assert.Null(WindowsInterfaceBuilder.Build(Adapters(), new[] { row }, null, null).Single(i => i.Name == "Ethernet").Speed);
    }

    [Theory]
    [InlineData(24u, InterfaceType.Loopback)]
    [InlineData(6u, InterfaceType.Ethernet)]
    [InlineData(71u, InterfaceType.Wireless)]
    [InlineData(131u, InterfaceType.Tunnel)]
    [InlineData(23u, InterfaceType.Ppp)]
    [InlineData(53u, InterfaceType.Virtual)]
    [InlineData(243u, InterfaceType.Other)]
    public void InterfaceTypesAreIanaIfTypes(uint ifType, InterfaceType expected) =>
        Assert.Equal(expected, WindowsInterfaceBuilder.Classify(ifType));

    [Theory]
    [InlineData(1u, InterfaceStatus.Up)]
    [InlineData(2u, InterfaceStatus.Down)]
    [InlineData(4u, InterfaceStatus.Unknown)]
    [InlineData(5u, InterfaceStatus.Dormant)]
    [InlineData(6u, InterfaceStatus.NotPresent)]
    [InlineData(7u, InterfaceStatus.LowerLayerDown)]
    [InlineData(99u, InterfaceStatus.Unknown)]
    public void OperStatusIsRfc2863s(uint status, InterfaceStatus expected) =>
        Assert.Equal(expected, WindowsInterfaceBuilder.ToStatus(status));

    [Fact]
    public void NoMulticastIsHonoured()
    {
        var buffer = new AdapterListBuilder().Adapter(3, "ppp0", 3, ifType: 23, flags: IpHelper.IP_ADAPTER_NO_MULTICAST).Build();
        var ppp = Assert.Single(WindowsInterfaceBuilder.Build(AdapterAddressesReader.Parse(buffer, AdapterListBuilder.Base), null, null, null));
        Assert.Equal(InterfaceFlags.Up | InterfaceFlags.Running | InterfaceFlags.LowerUp, ppp.Flags);
    }
}

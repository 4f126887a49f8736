using System;
using System.Linq;
using System.Net;
using PSLoopback.Platform.Windows;
using PSLoopback.Platform.Windows.Native;

namespace PSLoopback.Core.Tests.Platform.Windows;

public class AdapterAddressesReaderTests
{
    private static readonly byte[] Mac = { 0x02, 0xfc, 0x00, 0x00, 0x00, 0x01 };

    private static AdapterListBuilder TwoAdapters() => new AdapterListBuilder()
        .Adapter(1, "Loopback Pseudo-Interface 1", 0x18000000000000, ifType: 24, mtu: uint.MaxValue, description: "Software Loopback Interface 1",
            unicast: new[] { ("::1", (byte)128), ("127.0.0.1", (byte)8) })
        .Adapter(7, "Ethernet", 0x6000007000000, mac: Mac, dnsSuffix: "example.test",
            unicast: new[] { ("fe80::fc:ff:fe00:1", (byte)64), ("192.0.2.2", (byte)24) });

    [Fact]
    public void TheListAndItsAddressesAreReadThroughTheirPointers()
    {
        var adapters = AdapterAddressesReader.Parse(TwoAdapters().Build(), AdapterListBuilder.Base);
        Assert.Equal(new[] { "Loopback Pseudo-Interface 1", "Ethernet" }, adapters.Select(a => a.FriendlyName));
        Assert.Equal(new[] { 1, 7 }, adapters.Select(a => a.InterfaceIndex));
        Assert.Equal("Software Loopback Interface 1", adapters[0].Description);
        Assert.Equal(24u, adapters[0].Adapter.IfType);
        Assert.Equal(uint.MaxValue, adapters[0].Adapter.Mtu);
        Assert.Empty(adapters[0].PhysicalAddress);
        Assert.Equal(Mac, adapters[1].PhysicalAddress);
        Assert.Equal("example.test", adapters[1].DnsSuffix);
        Assert.Equal(0x6000007000000ul, adapters[1].Adapter.Luid);
        Assert.Equal(new[] { "::1/128", "127.0.0.1/8" }, adapters[0].UnicastAddresses.Select(a => $"{a.Address}/{a.PrefixLength}"));
        Assert.Equal(new[] { "fe80::fc:ff:fe00:1/64", "192.0.2.2/24" }, adapters[1].UnicastAddresses.Select(a => $"{a.Address}/{a.PrefixLength}"));
    }

    [Fact]
    public void AnEmptyAnswerHasNoAdapters()
    {
        Assert.Empty(AdapterAddressesReader.Parse(Array.Empty<byte>(), 0));
    }

    [Fact]
    public void AnAdapterWithoutIPv4IsNamedByItsIPv6Index()
    {
        var buffer = new AdapterListBuilder().Adapter(9, "Teredo", 9, ifType: 131, unicast: new[] { ("2001:0:1::1", (byte)32) }).Build();
        Patch(buffer, AdapterListBuilder.Offset(nameof(IP_ADAPTER_ADDRESSES_LH.IfIndex)), 0u);
        Assert.Equal(9, Assert.Single(AdapterAddressesReader.Parse(buffer, AdapterListBuilder.Base)).InterfaceIndex);
    }

    [Fact]
    public void EveryTruncationIsMalformed()
    {
        var buffer = TwoAdapters().Build();
        for (var n = 1; n < buffer.Length; n++)
        {
            Assert.Throws<IpHelperParseException>(() => AdapterAddressesReader.Parse(buffer[..n], AdapterListBuilder.Base));
        }
    }

    [Theory]
    [InlineData(-8L)]
    [InlineData(1L << 20)]
    public void ANextPointerOutsideTheBufferIsMalformed(long offset)
    {
        var buffer = TwoAdapters().Build();
        AdapterListBuilder.WritePointer(buffer, AdapterListBuilder.Offset(nameof(IP_ADAPTER_ADDRESSES_LH.Next)), AdapterListBuilder.Base + offset);
        var e = Assert.Throws<IpHelperParseException>(() => AdapterAddressesReader.Parse(buffer, AdapterListBuilder.Base));
        Assert.Contains("the Next pointer of adapter 1 points to", e.Message);
        Assert.Contains("outside the", e.Message);
    }

    [Fact]
    public void AListThatLoopsEndsInAnError()
    {
        var buffer = TwoAdapters().Build();
        AdapterListBuilder.WritePointer(buffer, AdapterListBuilder.AdapterSize + AdapterListBuilder.Offset(nameof(IP_ADAPTER_ADDRESSES_LH.Next)), AdapterListBuilder.Base);
        Assert.Contains("loop", Assert.Throws<IpHelperParseException>(() => AdapterAddressesReader.Parse(buffer, AdapterListBuilder.Base)).Message);

        var builder = TwoAdapters();
        buffer = builder.Build();
        AdapterListBuilder.WritePointer(buffer, builder.UnicastOffsets[1] + AdapterListBuilder.UnicastOffset(nameof(IP_ADAPTER_UNICAST_ADDRESS_LH.Next)), AdapterListBuilder.Base + builder.UnicastOffsets[0]);
        Assert.Contains("loop", Assert.Throws<IpHelperParseException>(() => AdapterAddressesReader.Parse(buffer, AdapterListBuilder.Base)).Message);
    }

    [Fact]
    public void AStringWithoutItsTerminatorIsMalformed()
    {
        var buffer = TwoAdapters().Build();

        // Point the first FriendlyName at the buffer's last four bytes, made non-zero: no NUL follows.
        var end = buffer.Length - 4;
        buffer.AsSpan(end).Fill(0x41);
        AdapterListBuilder.WritePointer(buffer, AdapterListBuilder.Offset(nameof(IP_ADAPTER_ADDRESSES_LH.FriendlyName)), AdapterListBuilder.Base + end);
        var e = Assert.Throws<IpHelperParseException>(() => AdapterAddressesReader.Parse(buffer, AdapterListBuilder.Base));
        Assert.Contains("the FriendlyName of adapter 1", e.Message);
        Assert.Contains("no terminating NUL", e.Message);
    }

    [Fact]
    public void AnAdapterWithoutAFriendlyNameIsMalformed()
    {
        var buffer = TwoAdapters().Build();
        AdapterListBuilder.WritePointer(buffer, AdapterListBuilder.Offset(nameof(IP_ADAPTER_ADDRESSES_LH.FriendlyName)), 0);
        Assert.Contains("has no FriendlyName", Assert.Throws<IpHelperParseException>(() => AdapterAddressesReader.Parse(buffer, AdapterListBuilder.Base)).Message);
    }

    [Theory]
    [InlineData((ushort)0)]
    [InlineData((ushort)1)]
    [InlineData((ushort)24)]
    public void ASocketAddressOfAnUnknownFamilyIsMalformed(ushort family)
    {
        var builder = TwoAdapters();
        var buffer = builder.Build();
        Patch(buffer, builder.SockaddrOffsets[2], family);
        var e = Assert.Throws<IpHelperParseException>(() => AdapterAddressesReader.Parse(buffer, AdapterListBuilder.Base));
        Assert.Contains("unicast address 1 of adapter 'Ethernet'", e.Message);
        Assert.Contains($"address family {family}", e.Message);
    }

    [Theory]
    [InlineData(0, 8)]
    [InlineData(1, 15)]
    [InlineData(0, -1)]
    public void ASocketAddressShorterThanItsFamilyIsMalformed(int entry, int length)
    {
        var builder = TwoAdapters();
        var buffer = builder.Build();
        var at = builder.UnicastOffsets[entry] + AdapterListBuilder.UnicastOffset(nameof(IP_ADAPTER_UNICAST_ADDRESS_LH.Address))
            + System.Runtime.InteropServices.Marshal.OffsetOf<SOCKET_ADDRESS>(nameof(SOCKET_ADDRESS.iSockaddrLength)).ToInt32();
        Patch(buffer, at, length);
        Assert.Contains("too short", Assert.Throws<IpHelperParseException>(() => AdapterAddressesReader.Parse(buffer, AdapterListBuilder.Base)).Message);
    }

    [Theory]
    [InlineData(0, 129)]
    [InlineData(1, 33)]
    public void APrefixLongerThanTheAddressIsMalformed(int entry, byte length)
    {
        var builder = TwoAdapters();
        var buffer = builder.Build();
        buffer[builder.UnicastOffsets[entry] + AdapterListBuilder.UnicastOffset(nameof(IP_ADAPTER_UNICAST_ADDRESS_LH.OnLinkPrefixLength))] = length;
        Assert.Contains($"prefix length {length}", Assert.Throws<IpHelperParseException>(() => AdapterAddressesReader.Parse(buffer, AdapterListBuilder.Base)).Message);
    }

    [Fact]
    public void AnOlderStructureOrAnOverlongPhysicalAddressIsMalformed()
    {
        var buffer = TwoAdapters().Build();
        Patch(buffer, AdapterListBuilder.Offset(nameof(IP_ADAPTER_ADDRESSES_LH.Length)), 376u);
        Assert.Contains("older than", Assert.Throws<IpHelperParseException>(() => AdapterAddressesReader.Parse(buffer, AdapterListBuilder.Base)).Message);

        buffer = TwoAdapters().Build();
        Patch(buffer, AdapterListBuilder.Offset(nameof(IP_ADAPTER_ADDRESSES_LH.PhysicalAddressLength)), 9u);
        Assert.Contains("9-byte physical address", Assert.Throws<IpHelperParseException>(() => AdapterAddressesReader.Parse(buffer, AdapterListBuilder.Base)).Message);
    }

    [Fact]
    public void RandomlyCorruptedListsParseOrAreMalformedNeverWorse()
    {
        var original = TwoAdapters().Build();
        var random = new Random(8);
        var parsed = 0;
        for (var round = 0; round < 3000; round++)
        {
            var corrupt = (byte[])original.Clone();
            for (var flips = random.Next(1, 6); flips > 0; flips--)
            {
                corrupt[random.Next(corrupt.Length)] = (byte)random.Next(256);
            }

            try
            {
                AdapterAddressesReader.Parse(corrupt, AdapterListBuilder.Base);
                parsed++;
            }
            catch (IpHelperParseException)
            {
            }
        }

        Assert.InRange(parsed, 1, 2999);
    }

    private static void Patch(byte[] buffer, long at, uint value) => BitConverter.GetBytes(value).CopyTo(buffer, at);

    private static void Patch(byte[] buffer, long at, int value) => BitConverter.GetBytes(value).CopyTo(buffer, at);

    private static void Patch(byte[] buffer, long at, ushort value) => BitConverter.GetBytes(value).CopyTo(buffer, at);
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using PSLoopback.Core.Tests.Support;
using PSLoopback.Platform.Linux;
using PSLoopback.Platform.Linux.Netlink;
using static PSLoopback.Core.Tests.Support.RouteBuilder;

namespace PSLoopback.Core.Tests.Netlink;

/// <summary>RTM_NEWROUTE: hand-built messages for every attribute, malformed ones, and the recorded dumps.</summary>
public class RouteParsingTests
{
    private const int Seed = 20240611;

    public static TheoryData<string> RecordedRouteDatagrams() =>
        new(RecordedRoutes.AllDatagrams().Where(d => d.Name.StartsWith("getroute", StringComparison.Ordinal)).Select(d => d.Name));

    [Fact]
    public void RtMsgFieldsAreRead()
    {
        var payload = RtMsg(Rt.AF_INET, destinationLength: 24, sourceLength: 16, tos: 0x10, table: 100, protocol: RTPROT_STATIC,
            scope: Rt.RT_SCOPE_LINK, type: RTN_MULTICAST, flags: 0x80000204).ToPayload();

        var route = RouteParser.ParseRoute(payload);

        Assert.Equal(Rt.AF_INET, route.Family);
        Assert.Equal(24, route.DestinationLength);
        Assert.Equal(16, route.SourceLength);
        Assert.Equal(0x10, route.Tos);
        Assert.Equal(100u, route.Table);
        Assert.Equal(RTPROT_STATIC, route.Protocol);
        Assert.Equal(Rt.RT_SCOPE_LINK, route.Scope);
        Assert.Equal(RTN_MULTICAST, route.Type);
        Assert.Equal(0x80000204u, route.Flags);
    }

    [Fact]
    public void RtMsgAloneIsARouteWithoutAttributes()
    {
        var route = RouteParser.ParseRoute(RtMsg(Rt.AF_INET6).ToPayload());

        Assert.Null(route.Destination);
        Assert.Null(route.Gateway);
        Assert.Null(route.GatewayFamily);
        Assert.Null(route.OutputInterface);
        Assert.Equal(0u, route.Priority);
        Assert.Equal(RT_TABLE_MAIN, route.Table);
        Assert.Empty(route.Metrics);
        Assert.Null(route.Mtu);
        Assert.Empty(route.NextHops);
        Assert.Null(route.Preference);
        Assert.Null(route.CacheExpires);
    }

    [Theory]
    [InlineData(RT_TABLE_COMPAT, 1000u, 1000u)]
    [InlineData(RT_TABLE_MAIN, 254u, 254u)]
    [InlineData(RT_TABLE_COMPAT, null, 252u)]
    [InlineData(RT_TABLE_LOCAL, null, 255u)]
    public void RtaTableOverridesTheEightBitTable(byte header, uint? attribute, uint expected)
    {
        var builder = RtMsg(Rt.AF_INET, table: header);
        if (attribute is uint table)
        {
            builder.U32(RTA_TABLE, table);
        }

        Assert.Equal(expected, RouteParser.ParseRoute(builder.ToPayload()).Table);
    }

    [Fact]
    public void Ipv4RouteWithEveryAttribute()
    {
        var payload = RtMsg(Rt.AF_INET, destinationLength: 24, sourceLength: 8, table: RT_TABLE_COMPAT)
            .U32(RTA_TABLE, 4_000_000)
            .Ip(RTA_DST, "198.51.100.0")
            .Ip(RTA_SRC, "10.0.0.0")
            .U32(RTA_IIF, 7)
            .U32(RTA_OIF, 3)
            .Ip(RTA_GATEWAY, "192.0.2.254")
            .U32(RTA_PRIORITY, 100)
            .Ip(RTA_PREFSRC, "192.0.2.1")
            .Nested(RTA_METRICS, NetlinkBuilder.Attributes().U32(RTAX_LOCK, 1 << RTAX_MTU).U32(RTAX_MTU, 1280).U32(RTAX_ADVMSS, 1240))
            .U32(RTA_MARK, 0x10)
            .U32(RTA_EXPIRES, 600)
            .RouteCacheInfo(expires: 59_900, error: 0)
            .U32(RTA_NH_ID, 10)
            .ToPayload();

        var route = RouteParser.ParseRoute(payload);

        Assert.Equal(4_000_000u, route.Table);
        Assert.Equal(IPAddress.Parse("198.51.100.0").GetAddressBytes(), route.Destination);
        Assert.Equal(IPAddress.Parse("10.0.0.0").GetAddressBytes(), route.Source);
        Assert.Equal(7, route.InputInterface);
        Assert.Equal(3, route.OutputInterface);
        Assert.Equal(IPAddress.Parse("192.0.2.254").GetAddressBytes(), route.Gateway);
        Assert.Equal((ushort)Rt.AF_INET, route.GatewayFamily);
        Assert.Equal(100u, route.Priority);
        Assert.Equal(IPAddress.Parse("192.0.2.1").GetAddressBytes(), route.PreferredSource);
        Assert.Equal(new Dictionary<ushort, uint> { [RTAX_LOCK] = 4, [RTAX_MTU] = 1280, [RTAX_ADVMSS] = 1240 }, route.Metrics);
        Assert.Equal(1280u, route.Mtu);
        Assert.Equal(1240u, route.AdvertisedMss);
        Assert.Null(route.CongestionControl);
        Assert.Equal(0x10u, route.Mark);
        Assert.Equal(600u, route.Expires);
        Assert.Equal(59_900, route.CacheExpires);
        Assert.Equal(0, route.CacheError);
        Assert.Equal(10u, route.NextHopId);
        Assert.Empty(route.NextHops);
        Assert.Null(route.Preference);
    }

    [Fact]
    public void Ipv6RouteWithPreferenceMetricsAndCacheInfo()
    {
        var payload = RtMsg(Rt.AF_INET6, destinationLength: 48, protocol: RTPROT_KERNEL)
            .U32(RTA_TABLE, RT_TABLE_MAIN)
            .Ip(RTA_DST, "2001:db8:100::")
            .Nested(RTA_METRICS, NetlinkBuilder.Attributes().U32(RTAX_MTU, 1400).String(RTAX_CC_ALGO, "reno"))
            .U32(RTA_PRIORITY, 1024)
            .Ip(RTA_GATEWAY, "fe80::1")
            .U32(RTA_OIF, 3)
            .RouteCacheInfo(expires: 0, error: -113)
            .U8(RTA_PREF, ICMPV6_ROUTER_PREF_LOW)
            .ToPayload();

        var route = RouteParser.ParseRoute(payload);

        Assert.Equal(IPAddress.Parse("2001:db8:100::").GetAddressBytes(), route.Destination);
        Assert.Equal(IPAddress.Parse("fe80::1").GetAddressBytes(), route.Gateway);
        Assert.Equal((ushort)Rt.AF_INET6, route.GatewayFamily);
        Assert.Equal(1024u, route.Priority);
        Assert.Equal(1400u, route.Mtu);
        Assert.Equal("reno", route.CongestionControl);
        Assert.Equal(new Dictionary<ushort, uint> { [RTAX_MTU] = 1400 }, route.Metrics);
        Assert.Equal(ICMPV6_ROUTER_PREF_LOW, route.Preference);
        Assert.Equal(-113, route.CacheError);
    }

    [Fact]
    public void ViaGivesAGatewayOfAnotherFamily()
    {
        var payload = RtMsg(Rt.AF_INET, destinationLength: 16).Ip(RTA_DST, "10.80.0.0").Attribute(RTA_VIA, Via("2001:db8::fe")).ToPayload();

        var route = RouteParser.ParseRoute(payload);

        Assert.Equal(IPAddress.Parse("2001:db8::fe").GetAddressBytes(), route.Gateway);
        Assert.Equal((ushort)Rt.AF_INET6, route.GatewayFamily);
    }

    [Fact]
    public void MultipathWithThreeNextHops()
    {
        var payload = RtMsg(Rt.AF_INET, destinationLength: 16)
            .Ip(RTA_DST, "10.10.0.0")
            .Multipath(
                NextHop(3, hops: 0, attributes: NetlinkBuilder.Attributes().Ip(RTA_GATEWAY, "192.0.2.254")),
                NextHop(5, hops: 2, flags: RTNH_F_ONLINK, attributes: NetlinkBuilder.Attributes().U32(RTA_FLOW, 7).Ip(RTA_GATEWAY, "203.0.113.1")),
                NextHop(4, hops: 255, attributes: NetlinkBuilder.Attributes().Attribute(RTA_VIA, Via("2001:db8::fe"))))
            .ToPayload();

        var hops = RouteParser.ParseRoute(payload).NextHops;

        Assert.Equal(new[] { 3, 5, 4 }, hops.Select(h => h.InterfaceIndex));
        Assert.Equal(new[] { 1, 3, 256 }, hops.Select(h => h.Weight));
        Assert.Equal(new byte[] { 0, 2, 255 }, hops.Select(h => h.Hops));
        Assert.Equal(new byte[] { 0, RTNH_F_ONLINK, 0 }, hops.Select(h => h.Flags));
        Assert.Equal(new[] { "192.0.2.254", "203.0.113.1", "2001:db8::fe" }, hops.Select(h => new IPAddress(h.Gateway!).ToString()));
        Assert.Equal(new ushort?[] { Rt.AF_INET, Rt.AF_INET, Rt.AF_INET6 }, hops.Select(h => h.GatewayFamily));
    }

    [Fact]
    public void MultipathNextHopsMayHaveNoAttributes()
    {
        var payload = RtMsg(Rt.AF_INET6, destinationLength: 48)
            .Multipath(NextHop(2), NextHop(3, hops: 1, attributes: NetlinkBuilder.Attributes().Ip(RTA_GATEWAY, "2001:db8::fe")))
            .ToPayload();

        var hops = RouteParser.ParseRoute(payload).NextHops;

        Assert.Equal(2, hops.Count);
        Assert.Null(hops[0].Gateway);
        Assert.Null(hops[0].GatewayFamily);
        Assert.Equal(2, hops[1].Weight);
    }

    [Fact]
    public void NestedAndByteOrderBitsOfTheTypeAreIgnored()
    {
        var payload = RtMsg(Rt.AF_INET, destinationLength: 8)
            .Nested((ushort)(RTA_METRICS | Rt.NLA_F_NESTED), NetlinkBuilder.Attributes().U32((ushort)(RTAX_MTU | Rt.NLA_F_NET_BYTEORDER), 9000))
            .Attribute((ushort)(RTA_MULTIPATH | Rt.NLA_F_NESTED), NextHop(2))
            .ToPayload();

        var route = RouteParser.ParseRoute(payload);

        Assert.Equal(9000u, route.Mtu);
        Assert.Equal(2, Assert.Single(route.NextHops).InterfaceIndex);
    }

    [Fact]
    public void UnknownAttributesAreIgnored()
    {
        var payload = RtMsg(Rt.AF_INET, destinationLength: 32)
            .Ip(RTA_DST, "192.0.2.9")
            .U32(RTA_UID, 1000)
            .Attribute(22, new byte[] { 1, 2, 3 })
            .Attribute(0x3FFF, Array.Empty<byte>())
            .ToPayload();

        Assert.Equal(IPAddress.Parse("192.0.2.9").GetAddressBytes(), RouteParser.ParseRoute(payload).Destination);
    }

    [Fact]
    public void AddressesOfAnotherFamilyAreTakenAsTheyAre()
    {
        // AF_MPLS (28): a label stack as the destination, an IPv4 next hop by RTA_VIA. Nothing to check the label against.
        const byte AF_MPLS = 28;
        var payload = RtMsg(AF_MPLS, destinationLength: 20)
            .Attribute(RTA_DST, new byte[] { 0, 1, 0x41, 0 })
            .Attribute(RTA_VIA, Via("192.0.2.254"))
            .ToPayload();

        var route = RouteParser.ParseRoute(payload);

        Assert.Equal(new byte[] { 0, 1, 0x41, 0 }, route.Destination);
        Assert.Equal(IPAddress.Parse("192.0.2.254").GetAddressBytes(), route.Gateway);
        Assert.Equal((ushort)Rt.AF_INET, route.GatewayFamily);
        Assert.Equal(new byte[6], RouteParser.ParseRoute(RtMsg(AF_MPLS).Attribute(RTA_GATEWAY, new byte[6]).ToPayload()).Gateway);
    }

    [Fact]
    public void ViaOfAnUnknownFamilyIsTakenAsItIsOnlyOnARouteOfAnUnknownFamily()
    {
        const byte AF_MPLS = 28;
        var via = new byte[] { 17, 0, 1, 2, 3, 4, 5, 6 };
        var route = RouteParser.ParseRoute(RtMsg(AF_MPLS).Attribute(RTA_VIA, via).ToPayload());

        Assert.Equal((ushort)17, route.GatewayFamily);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, route.Gateway);

        // An IPv4 or IPv6 route's gateway is IPv4 or IPv6, in RTA_VIA as in each next hop.
        Assert.Throws<NetlinkParseException>(() => RouteParser.ParseRoute(RtMsg(Rt.AF_INET).Attribute(RTA_VIA, via).ToPayload()));
        var hop = NextHop(2, attributes: NetlinkBuilder.Attributes().Attribute(RTA_VIA, via));
        Assert.Throws<NetlinkParseException>(() => RouteParser.ParseRoute(RtMsg(Rt.AF_INET6).Multipath(hop).ToPayload()));
    }

    [Fact]
    public void LongerThanNeededValuesAreAccepted()
    {
        var payload = RtMsg(Rt.AF_INET)
            .Attribute(RTA_PRIORITY, new byte[] { 100, 0, 0, 0, 9, 9, 9, 9 })
            .Attribute(RTA_PREF, new byte[] { 1, 2 })
            .Attribute(RTA_CACHEINFO, NetlinkBuilder.Concat(new byte[8], BitConverter.GetBytes(5), new byte[4]))
            .ToPayload();

        var route = RouteParser.ParseRoute(payload);

        Assert.Equal(100u, route.Priority);
        Assert.Equal((byte)1, route.Preference);
        Assert.Equal(5, route.CacheExpires);
    }

    [Fact]
    public void RtMsgShorterThanTwelveBytesIsMalformed()
    {
        for (var length = 0; length < 12; length++)
        {
            Assert.Throws<NetlinkParseException>(() => RouteParser.ParseRoute(new byte[length]));
        }

        Assert.Throws<ArgumentNullException>(() => RouteParser.ParseRoute(null!));
    }

    [Theory]
    [InlineData(Rt.AF_INET, 5, RTA_DST)]
    [InlineData(Rt.AF_INET, 3, RTA_SRC)]
    [InlineData(Rt.AF_INET, 16, RTA_GATEWAY)]
    [InlineData(Rt.AF_INET, 0, RTA_PREFSRC)]
    [InlineData(Rt.AF_INET6, 4, RTA_DST)]
    [InlineData(Rt.AF_INET6, 15, RTA_SRC)]
    [InlineData(Rt.AF_INET6, 17, RTA_GATEWAY)]
    [InlineData(Rt.AF_INET6, 4, RTA_PREFSRC)]
    public void AddressOfTheWrongSizeForItsFamilyIsMalformed(byte family, int size, ushort attribute)
    {
        var payload = RtMsg(family).Attribute(attribute, new byte[size]).ToPayload();
        Assert.Throws<NetlinkParseException>(() => RouteParser.ParseRoute(payload));
    }

    [Theory]
    [InlineData(Rt.AF_INET, 33, 0)]
    [InlineData(Rt.AF_INET, 0, 33)]
    [InlineData(Rt.AF_INET6, 129, 0)]
    [InlineData(Rt.AF_INET6, 0, 255)]
    public void PrefixLongerThanTheFamilysAddressIsMalformed(byte family, byte destinationLength, byte sourceLength)
    {
        var payload = RtMsg(family, destinationLength, sourceLength).ToPayload();
        Assert.Throws<NetlinkParseException>(() => RouteParser.ParseRoute(payload));
    }

    [Theory]
    [InlineData(RTA_IIF, 3)]
    [InlineData(RTA_OIF, 0)]
    [InlineData(RTA_PRIORITY, 2)]
    [InlineData(RTA_TABLE, 1)]
    [InlineData(RTA_MARK, 3)]
    [InlineData(RTA_EXPIRES, 0)]
    [InlineData(RTA_NH_ID, 3)]
    [InlineData(RTA_PREF, 0)]
    [InlineData(RTA_CACHEINFO, 15)]
    [InlineData(RTA_VIA, 1)]
    [InlineData(RTA_VIA, 0)]
    public void AttributeTooShortIsMalformed(ushort attribute, int size)
    {
        var payload = RtMsg(Rt.AF_INET).Attribute(attribute, new byte[size]).ToPayload();
        Assert.Throws<NetlinkParseException>(() => RouteParser.ParseRoute(payload));
    }

    [Theory]
    [InlineData(Rt.AF_INET, 16)]
    [InlineData(Rt.AF_INET, 0)]
    [InlineData(Rt.AF_INET6, 4)]
    [InlineData(Rt.AF_INET6, 15)]
    public void ViaAddressOfTheWrongSizeForItsFamilyIsMalformed(ushort viaFamily, int size)
    {
        var payload = RtMsg(Rt.AF_INET).Attribute(RTA_VIA, NetlinkBuilder.Concat(BitConverter.GetBytes(viaFamily), new byte[size])).ToPayload();
        Assert.Throws<NetlinkParseException>(() => RouteParser.ParseRoute(payload));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(7)]
    public void NextHopLengthBelowItsHeaderIsMalformed(ushort length)
    {
        // rtnh_len 0 would otherwise never move on.
        var payload = RtMsg(Rt.AF_INET).Multipath(NextHop(2), NextHop(3, declaredLength: length)).ToPayload();
        Assert.Throws<NetlinkParseException>(() => RouteParser.ParseRoute(payload));
    }

    [Theory]
    [InlineData(9)]
    [InlineData(16)]
    [InlineData(ushort.MaxValue)]
    public void NextHopLengthBeyondTheAttributeIsMalformed(ushort length)
    {
        var payload = RtMsg(Rt.AF_INET).Multipath(NextHop(2, declaredLength: length)).ToPayload();
        Assert.Throws<NetlinkParseException>(() => RouteParser.ParseRoute(payload));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(7)]
    public void TrailingBytesTooFewForANextHopAreMalformed(int trailing)
    {
        var payload = RtMsg(Rt.AF_INET).Attribute(RTA_MULTIPATH, NetlinkBuilder.Concat(NextHop(2), new byte[trailing])).ToPayload();
        Assert.Throws<NetlinkParseException>(() => RouteParser.ParseRoute(payload));
    }

    [Fact]
    public void NextHopAttributeOverrunningItsNextHopIsMalformed()
    {
        // The gateway lies within RTA_MULTIPATH but beyond its own next hop's rtnh_len.
        var gateway = NetlinkBuilder.Attributes().Ip(RTA_GATEWAY, "192.0.2.254");
        var hop = NextHop(2, attributes: gateway, declaredLength: 12);
        var payload = RtMsg(Rt.AF_INET).Attribute(RTA_MULTIPATH, hop).ToPayload();
        Assert.Throws<NetlinkParseException>(() => RouteParser.ParseRoute(payload));
    }

    [Theory]
    [InlineData(RTA_GATEWAY, 16)]
    [InlineData(RTA_GATEWAY, 3)]
    [InlineData(RTA_VIA, 1)]
    public void NextHopAttributeOfTheWrongSizeIsMalformed(ushort attribute, int size)
    {
        var hop = NextHop(2, attributes: NetlinkBuilder.Attributes().Attribute(attribute, new byte[size]));
        var payload = RtMsg(Rt.AF_INET).Multipath(hop).ToPayload();
        Assert.Throws<NetlinkParseException>(() => RouteParser.ParseRoute(payload));
    }

    [Fact]
    public void MalformedMetricsAreMalformed()
    {
        var overrun = RtMsg(Rt.AF_INET).Attribute(RTA_METRICS, NetlinkBuilder.Attributes().RawAttribute(RTAX_MTU, 12, new byte[4]).ToPayload()).ToPayload();
        Assert.Throws<NetlinkParseException>(() => RouteParser.ParseRoute(overrun));

        var shortValue = RtMsg(Rt.AF_INET).Nested(RTA_METRICS, NetlinkBuilder.Attributes().Attribute(RTAX_MTU, new byte[2])).ToPayload();
        Assert.Throws<NetlinkParseException>(() => RouteParser.ParseRoute(shortValue));

        var trailing = RtMsg(Rt.AF_INET).Attribute(RTA_METRICS, NetlinkBuilder.Attributes().U32(RTAX_MTU, 1500).Raw(new byte[2]).ToPayload()).ToPayload();
        Assert.Throws<NetlinkParseException>(() => RouteParser.ParseRoute(trailing));
    }

    [Fact]
    public void DumpKeepsFibEntriesAndDropsClonedRoutes()
    {
        // What a dump asked with RTM_F_CLONED returns after a PMTU exception: the FIB entry and the cloned host route.
        var buffer = NetlinkBuilder.Concat(
            Route("10.2.0.0", 24).ToMessage(RTM_NEWROUTE),
            RtMsg(Rt.AF_INET, 32, flags: RTM_F_CLONED).Ip(RTA_DST, "10.2.0.3").ToMessage(RTM_NEWROUTE),
            NetlinkBuilder.Link(1, "lo").ToMessage(Rt.RTM_NEWLINK),
            NetlinkBuilder.Message(Rt.NLMSG_DONE, new byte[4]));
        var messages = NetlinkReader.ReadMessages(buffer, buffer.Length);

        var route = Assert.Single(messages.Select(LinuxRouteDump.FibRoute).OfType<RouteMessage>());
        Assert.Equal(24, route.DestinationLength);
    }

    [Fact]
    public void RecordedDumpsBelongToTheirRequestsAndEndInDone()
    {
        foreach (var (dump, sequence) in RecordedRoutes.Dumps.Select((d, i) => (d, (uint)i + 1)))
        {
            var messages = RecordedRoutes.Messages(dump);
            Assert.All(messages, m => Assert.Equal(sequence, m.Sequence));
            Assert.All(messages, m => Assert.Equal(Rt.NLM_F_MULTI, (ushort)(m.Flags & Rt.NLM_F_MULTI)));
            Assert.Equal(Rt.NLMSG_DONE, messages[^1].Type);
        }
    }

    [Theory]
    [InlineData("inet", Rt.AF_INET)]
    [InlineData("inet6", Rt.AF_INET6)]
    public void RecordedRoutesAreThoseIpRouteShowTableAllPrinted(string family, byte number)
    {
        using var ip = RecordedRoutes.Json($"ip-route-{family}.json");
        var expected = IpRouteJson.RouteLines(ip.RootElement.GetRawText(), number, RecordedRoutes.Links());

        var routes = RecordedRoutes.Routes(family);

        Assert.Equal(string.Join("\n", expected), string.Join("\n", IpRouteJson.RouteLines(routes)));
        Assert.All(routes, r => Assert.Equal(number, r.Family));
    }

    [Fact]
    public void RecordedDumpsWalkTablesInTheKernelsHashOrderNotByNumber()
    {
        // Both families hash table ids into 256 buckets (id mod 256), so table 1000 (bucket 232) comes after 100
        // and before main; the local table is last only because 255 is the last bucket.
        foreach (var family in new[] { "inet", "inet6" })
        {
            Assert.Equal(new uint[] { 100, 1000, 254, 255 }, RecordedRoutes.Routes(family).Select(r => r.Table).Distinct());
        }
    }

    [Fact]
    public void RecordedIpv4RoutesOfEveryType()
    {
        var routes = RecordedRoutes.Routes("inet");
        RouteMessage Find(string destination, byte length, uint table) =>
            Assert.Single(routes, r => r.Table == table && r.DestinationLength == length && IpRouteJson.Prefix(r.Family, r.Destination, r.DestinationLength) == $"{destination}/{length}");

        var @default = Find("0.0.0.0", 0, RT_TABLE_MAIN);
        Assert.Null(@default.Destination);
        Assert.Equal(RTN_UNICAST, @default.Type);
        Assert.Equal(RTPROT_BOOT, @default.Protocol);
        Assert.Equal(Rt.RT_SCOPE_UNIVERSE, @default.Scope);
        Assert.Equal("192.0.2.254", new IPAddress(@default.Gateway!).ToString());
        Assert.Equal(RecordedRoutes.V0, @default.OutputInterface);
        Assert.Equal(100u, @default.Priority);

        var onLink = Find("203.0.113.0", 24, RT_TABLE_MAIN);
        Assert.Null(onLink.Gateway);
        Assert.Equal(RTPROT_STATIC, onLink.Protocol);
        Assert.Equal(Rt.RT_SCOPE_LINK, onLink.Scope);
        Assert.Equal(0u, onLink.Priority);

        var connected = Find("192.0.2.0", 24, RT_TABLE_MAIN);
        Assert.Equal(RTPROT_KERNEL, connected.Protocol);
        Assert.Equal("192.0.2.1", new IPAddress(connected.PreferredSource!).ToString());

        var withMetrics = Find("198.51.100.0", 25, 100);
        Assert.Equal("192.0.2.253", new IPAddress(withMetrics.Gateway!).ToString());
        Assert.Equal("192.0.2.1", new IPAddress(withMetrics.PreferredSource!).ToString());
        Assert.Equal(new Dictionary<ushort, uint> { [RTAX_LOCK] = 1 << RTAX_MTU, [RTAX_MTU] = 1280, [RTAX_WINDOW] = 65535, [RTAX_ADVMSS] = 1240 }, withMetrics.Metrics);

        foreach (var (destination, type) in new[] { ("10.20.0.0", RTN_UNREACHABLE), ("10.30.0.0", RTN_BLACKHOLE), ("10.40.0.0", RTN_PROHIBIT), ("10.50.0.0", RTN_THROW) })
        {
            var reject = Find(destination, 16, 100);
            Assert.Equal(type, reject.Type);
            Assert.Null(reject.OutputInterface);
            Assert.Null(reject.Gateway);
        }

        var multicast = Find("239.1.0.0", 16, 100);
        Assert.Equal(RTN_MULTICAST, multicast.Type);
        Assert.Equal(Rt.RT_SCOPE_LINK, multicast.Scope);
        Assert.Equal(RecordedRoutes.V0, multicast.OutputInterface);

        var nexthopObject = Find("10.90.0.0", 16, 100);
        Assert.Equal(10u, nexthopObject.NextHopId);
        Assert.Equal("192.0.2.254", new IPAddress(nexthopObject.Gateway!).ToString());

        var local = Find("10.60.0.0", 24, RT_TABLE_LOCAL);
        Assert.Equal(RTN_LOCAL, local.Type);
        Assert.Equal(Rt.RT_SCOPE_HOST, local.Scope);
        Assert.Equal(RecordedRoutes.Lo, local.OutputInterface);

        var broadcast = Find("10.70.0.255", 32, RT_TABLE_LOCAL);
        Assert.Equal(RTN_BROADCAST, broadcast.Type);
        Assert.Equal(RecordedRoutes.V0, broadcast.OutputInterface);

        Assert.Equal(RTN_LOCAL, Find("192.0.2.1", 32, RT_TABLE_LOCAL).Type);
        Assert.Equal(RTN_BROADCAST, Find("192.0.2.255", 32, RT_TABLE_LOCAL).Type);
        Assert.Equal(RTN_LOCAL, Find("127.0.0.0", 8, RT_TABLE_LOCAL).Type);
    }

    [Fact]
    public void RecordedIpv4TableAboveTwoFiftyFiveAndGatewaysOfAnotherFamily()
    {
        var routes = RecordedRoutes.Routes("inet").Where(r => r.Table == 1000).ToList();

        Assert.Equal(new[] { "10.80.0.0/16", "198.51.100.0/24" }, routes.Select(r => IpRouteJson.Prefix(r.Family, r.Destination, r.DestinationLength)));
        var viaInet6 = routes[0];
        Assert.Equal("2001:db8::fe", new IPAddress(viaInet6.Gateway!).ToString());
        Assert.Equal((ushort)Rt.AF_INET6, viaInet6.GatewayFamily);
        Assert.Equal(RecordedRoutes.V0, viaInet6.OutputInterface);
        Assert.Equal(RecordedRoutes.Lo, routes[1].OutputInterface);
    }

    [Fact]
    public void RecordedIpv4Multipath()
    {
        var routes = RecordedRoutes.Routes("inet");

        var plain = Assert.Single(routes, r => r.Destination is { } d && new IPAddress(d).ToString() == "10.10.0.0");
        Assert.Null(plain.OutputInterface);
        Assert.Null(plain.Gateway);
        Assert.Equal(new[] { (RecordedRoutes.V0, 1, "192.0.2.254"), (RecordedRoutes.D0, 3, "198.18.0.254") },
            plain.NextHops.Select(h => (h.InterfaceIndex, h.Weight, new IPAddress(h.Gateway!).ToString())));
        Assert.All(plain.NextHops, h => Assert.Equal((ushort)Rt.AF_INET, h.GatewayFamily));

        var mixed = Assert.Single(routes, r => r.Destination is { } d && new IPAddress(d).ToString() == "10.11.0.0");
        Assert.Equal(2, mixed.NextHops.Count);
        Assert.Equal((ushort)Rt.AF_INET6, mixed.NextHops[0].GatewayFamily);
        Assert.Equal("2001:db8::fe", new IPAddress(mixed.NextHops[0].Gateway!).ToString());
        Assert.Equal(2, mixed.NextHops[0].Weight);
        Assert.Equal(RTNH_F_ONLINK, mixed.NextHops[1].Flags);
        Assert.Equal("203.0.113.1", new IPAddress(mixed.NextHops[1].Gateway!).ToString());
        Assert.Equal(RecordedRoutes.D0, mixed.NextHops[1].InterfaceIndex);
    }

    [Fact]
    public void RecordedIpv6Routes()
    {
        var routes = RecordedRoutes.Routes("inet6");
        RouteMessage Find(string destination, byte length, uint table, int? device = null) =>
            Assert.Single(routes, r => r.Table == table && r.DestinationLength == length
                && new IPAddress(r.Destination!).ToString() == destination && (device is null || r.OutputInterface == device));

        Assert.All(routes, r => Assert.Equal(Rt.RT_SCOPE_UNIVERSE, r.Scope));
        Assert.All(routes, r => Assert.NotNull(r.Preference));
        Assert.All(routes, r => Assert.Equal(0, r.CacheError));

        var high = Find("2001:db8:100::", 48, RT_TABLE_MAIN);
        Assert.Equal(ICMPV6_ROUTER_PREF_HIGH, high.Preference);
        Assert.Equal(50u, high.Priority);
        Assert.Equal("2001:db8::fe", new IPAddress(high.Gateway!).ToString());

        var low = Find("2001:db8:200::", 48, RT_TABLE_MAIN);
        Assert.Equal(ICMPV6_ROUTER_PREF_LOW, low.Preference);
        Assert.Equal(1024u, low.Priority);
        Assert.Equal("fe80::1", new IPAddress(low.Gateway!).ToString());
        Assert.Equal(1400u, low.Mtu);
        Assert.Equal("reno", low.CongestionControl);

        var multipath = Find("2001:db8:300::", 48, 100);
        Assert.Null(multipath.OutputInterface);
        Assert.Equal(new[] { (RecordedRoutes.V0, 2, "2001:db8::fe"), (RecordedRoutes.D0, 1, "fe80::2") },
            multipath.NextHops.Select(h => (h.InterfaceIndex, h.Weight, new IPAddress(h.Gateway!).ToString())));

        // IPv6 reject routes point at lo, which IPv4's do not.
        foreach (var (destination, type) in new[] { ("2001:db8:400::", RTN_UNREACHABLE), ("2001:db8:500::", RTN_BLACKHOLE), ("2001:db8:600::", RTN_PROHIBIT), ("2001:db8:700::", RTN_THROW) })
        {
            var reject = Find(destination, 48, 100);
            Assert.Equal(type, reject.Type);
            Assert.Equal(RecordedRoutes.Lo, reject.OutputInterface);
        }

        // `expires 600` comes back as clock ticks left in RTA_CACHEINFO, not as RTA_EXPIRES.
        var expiring = Find("2001:db8:800::", 48, 1000);
        Assert.Null(expiring.Expires);
        Assert.InRange(expiring.CacheExpires!.Value, 50_000, 60_000);
        Assert.Equal(0, Find("2001:db8:900::", 48, 1000).CacheExpires);

        // The local table holds the addresses, the subnet-router anycast addresses (forwarding is on) and ff00::/8
        // on every interface; link-local subnets are in main, once per interface.
        Assert.Equal(RTN_LOCAL, Find("::1", 128, RT_TABLE_LOCAL).Type);
        Assert.Equal(RTN_LOCAL, Find("2001:db8::1", 128, RT_TABLE_LOCAL).Type);
        Assert.Equal(RTN_ANYCAST, Find("2001:db8::", 128, RT_TABLE_LOCAL).Type);
        Assert.Equal(0u, Find("2001:db8::1", 128, RT_TABLE_LOCAL).Priority);
        Assert.Equal(new[] { RecordedRoutes.V1, RecordedRoutes.V0, RecordedRoutes.D1, RecordedRoutes.D0 },
            routes.Where(r => r.Type == RTN_MULTICAST).Select(r => r.OutputInterface!.Value));
        Assert.All(routes.Where(r => r.Type == RTN_MULTICAST), r => Assert.Equal("ff00::/8", IpRouteJson.Prefix(r.Family, r.Destination, r.DestinationLength)));
        Assert.All(routes.Where(r => r.Type == RTN_MULTICAST), r => Assert.Equal(RT_TABLE_LOCAL, r.Table));
        Assert.Equal(4, routes.Count(r => r.Table == RT_TABLE_MAIN && new IPAddress(r.Destination!).ToString() == "fe80::"));
    }

    [Theory]
    [MemberData(nameof(RecordedRouteDatagrams))]
    public void EveryPrefixOfARecordedRouteDatagramParsesOrIsMalformed(string name) =>
        RecordedRoutes.AssertEveryPrefixParsesOrIsMalformed(RecordedRoutes.AllDatagrams().Single(d => d.Name == name).Bytes);

    [Fact]
    public void RandomlyCorruptedRouteDatagramsParseOrAreMalformed()
    {
        const int Iterations = 5_000;
        var datagrams = RecordedRoutes.AllDatagrams().Where(d => d.Name.StartsWith("getroute", StringComparison.Ordinal)).ToList();

        var parsed = RecordedRoutes.CorruptAndParse(datagrams, Seed, Iterations);

        // Both outcomes must have been exercised, or the corruption is not reaching the parsers.
        Assert.InRange(parsed, Iterations / 20, Iterations - (Iterations / 20));
    }

    [Fact]
    public void RandomPayloadsParseOrAreMalformed()
    {
        var random = new Random(Seed);
        for (var iteration = 0; iteration < 5_000; iteration++)
        {
            // A valid rtmsg, then random attribute bytes, sometimes behind a plausible attribute header.
            var tail = new byte[random.Next(64)];
            random.NextBytes(tail);
            if (tail.Length >= 4 && random.Next(2) == 0)
            {
                BitConverter.GetBytes((ushort)random.Next(4, tail.Length + 1)).CopyTo(tail, 0);
                BitConverter.GetBytes((ushort)random.Next(1, 31)).CopyTo(tail, 2);
            }

            var payload = NetlinkBuilder.Concat(RtMsg(random.Next(2) == 0 ? Rt.AF_INET : Rt.AF_INET6, (byte)random.Next(129)).ToPayload(), tail);
            try
            {
                RouteParser.ParseRoute(payload);
            }
            catch (NetlinkParseException)
            {
            }
            catch (Exception e)
            {
                Assert.Fail($"iteration {iteration} (seed {Seed}): {e}\nbytes: {Convert.ToHexString(payload)}");
            }
        }
    }
}

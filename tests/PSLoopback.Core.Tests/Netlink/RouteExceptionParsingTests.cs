using System;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Core.Tests.Support;
using PSLoopback.Interfaces;
using PSLoopback.Platform.Linux;
using PSLoopback.Platform.Linux.Netlink;
using static PSLoopback.Core.Tests.Support.RouteBuilder;

namespace PSLoopback.Core.Tests.Netlink;

/// <summary>The route exception cache as the kernel dumps it (RTM_F_CLONED entries), built into NetRouteException.</summary>
public class RouteExceptionParsingTests
{
    // linux/in_route.h, written out again as the other numbers of these tests are.
    private const uint RTCF_REDIRECTED = 0x00040000;

    private static readonly DateTime ReadAt = new(2026, 12, 1, 11, 0, 0, DateTimeKind.Utc);

    private static readonly NetInterfaceInfo[] Interfaces = { new(1, "lo"), new(3, "br0") };

    private static MessagesAndExceptions Parse(params byte[][] messages)
    {
        var buffer = NetlinkBuilder.Concat(messages.Append(NetlinkBuilder.Message(Rt.NLMSG_DONE, new byte[4])).ToArray());
        var parsed = LinuxRouteExceptionDump.Exceptions(NetlinkReader.ReadMessages(buffer, buffer.Length)).ToList();
        return new MessagesAndExceptions(parsed, LinuxRouteExceptionBuilder.Build(parsed, Interfaces, ReadAt).ToList());
    }

    /// <summary>`172.16.2.2 via 172.16.1.254 dev br0 cache &lt;redirected&gt; expires 298sec mtu 1300`, as kernel 6.18 dumps it.</summary>
    [Fact]
    public void Ipv4RedirectWithPathMtuIsRead()
    {
        var entry = RtMsg(Rt.AF_INET, destinationLength: 32, flags: RTM_F_CLONED | RTCF_REDIRECTED)
            .U32(RTA_TABLE, RT_TABLE_MAIN)
            .Ip(RTA_DST, "172.16.2.2")
            .U32(RTA_OIF, 3)
            .Ip(RTA_GATEWAY, "172.16.1.254")
            .Nested(RTA_METRICS, NetlinkBuilder.Attributes().U32(RTAX_MTU, 1300))
            .RouteCacheInfo(expires: 29_850, error: 0)
            .ToMessage(RTM_NEWROUTE);

        var (messages, exceptions) = Parse(entry);

        Assert.True(Assert.Single(messages).IsRedirected);
        var exception = Assert.Single(exceptions);
        Assert.Equal(IPAddress.Parse("172.16.2.2"), exception.Destination);
        Assert.Equal(IPAddressFamily.IPv4, exception.AddressFamily);
        Assert.Null(exception.Source);
        Assert.Equal(IPAddress.Parse("172.16.1.254"), exception.NextHop);
        Assert.Equal(3, exception.InterfaceIndex);
        Assert.Equal("br0", exception.InterfaceAlias);
        Assert.Equal(254u, exception.Table);
        Assert.Equal(0u, exception.RouteMetric);
        Assert.True(exception.Redirected);
        Assert.Equal(1300, exception.Mtu);
        Assert.False(exception.MtuLocked);
        Assert.Equal(TimeSpan.FromSeconds(298.5), exception.Expires);
        Assert.Equal(ReadAt, exception.ReadAt);
        Assert.Equal(ReadAt.AddSeconds(298.5), exception.ExpiresAt);
        Assert.Equal("172.16.2.2 via 172.16.1.254 dev br0 cache <redirected> expires 298sec mtu 1300", exception.ToString());
    }

    /// <summary>An IPv6 cached route of a source-specific route: RTA_SRC is its key, RTA_PRIORITY names its route.</summary>
    [Fact]
    public void Ipv6CachedRouteWithSourceKeyIsRead()
    {
        var entry = RtMsg(Rt.AF_INET6, destinationLength: 128, sourceLength: 64, flags: RTM_F_CLONED)
            .U32(RTA_TABLE, 100)
            .Ip(RTA_DST, "2001:db8:16:2::2")
            .Ip(RTA_SRC, "2001:db8:16:1::")
            .U32(RTA_PRIORITY, 1024)
            .Ip(RTA_GATEWAY, "fe80::1")
            .U32(RTA_OIF, 3)
            .RouteCacheInfo(expires: 0, error: 0)
            .ToMessage(RTM_NEWROUTE);

        var exception = Assert.Single(Parse(entry).Exceptions);

        Assert.Equal(IPAddressFamily.IPv6, exception.AddressFamily);
        Assert.Equal(IPAddress.Parse("2001:db8:16:1::"), exception.Source);
        Assert.Equal(IPAddress.Parse("fe80::1"), exception.NextHop);
        Assert.Equal(100u, exception.Table);
        Assert.Equal(1024u, exception.RouteMetric);
        Assert.False(exception.Redirected);
        Assert.Null(exception.Mtu);
        Assert.Null(exception.Expires);
        Assert.Null(exception.ExpiresAt);
        Assert.Equal("2001:db8:16:2::2 from 2001:db8:16:1:: via fe80::1 dev br0 table 100 cache", exception.ToString());
    }

    [Fact]
    public void OnlyClonedEntriesOfADumpAreExceptions()
    {
        var (messages, exceptions) = Parse(
            Route("10.2.0.0", 24).ToMessage(RTM_NEWROUTE),
            RtMsg(Rt.AF_INET, 32, flags: RTM_F_CLONED).Ip(RTA_DST, "10.2.0.3").U32(RTA_OIF, 3).ToMessage(RTM_NEWROUTE),
            NetlinkBuilder.Link(1, "lo").ToMessage(Rt.RTM_NEWLINK));

        Assert.Equal(32, Assert.Single(messages).DestinationLength);
        var exception = Assert.Single(exceptions);
        Assert.Equal(IPAddress.Any, exception.NextHop);
        Assert.True(exception.IsOnLink);
        Assert.False(exception.Redirected);
    }

    [Theory]
    [InlineData(1u << 2, true)]
    [InlineData(1u << 3, false)]
    [InlineData(0u, false)]
    public void MtuLockIsTheMtuBitOfRtaxLock(uint lockMask, bool locked)
    {
        var entry = RtMsg(Rt.AF_INET, 32, flags: RTM_F_CLONED).Ip(RTA_DST, "10.2.0.3").U32(RTA_OIF, 3)
            .Nested(RTA_METRICS, NetlinkBuilder.Attributes().U32(RTAX_LOCK, lockMask).U32(RTAX_MTU, 552))
            .ToMessage(RTM_NEWROUTE);

        var exception = Assert.Single(Parse(entry).Exceptions);

        Assert.Equal(locked, exception.MtuLocked);
        Assert.Equal(locked ? "10.2.0.3 dev br0 cache mtu lock 552" : "10.2.0.3 dev br0 cache mtu 552", exception.ToString());
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(-250, 0.0)]
    [InlineData(100, 1.0)]
    public void ExpiryInClockTicks(int ticks, double? seconds)
    {
        var entry = RtMsg(Rt.AF_INET6, 128, flags: RTM_F_CLONED).Ip(RTA_DST, "2001:db8::1").U32(RTA_OIF, 3)
            .RouteCacheInfo(expires: ticks, error: 0)
            .ToMessage(RTM_NEWROUTE);

        Assert.Equal(seconds is double s ? TimeSpan.FromSeconds(s) : null, Assert.Single(Parse(entry).Exceptions).Expires);
    }

    [Fact]
    public void AnEntryWithoutDestinationOrOfAnotherFamilyIsNoException()
    {
        var exceptions = Parse(
            RtMsg(Rt.AF_INET, 0, flags: RTM_F_CLONED).U32(RTA_OIF, 3).ToMessage(RTM_NEWROUTE),
            RtMsg(28, 0, flags: RTM_F_CLONED).ToMessage(RTM_NEWROUTE)).Exceptions;

        Assert.Empty(exceptions);
    }

    [Theory]
    [InlineData(15)]
    [InlineData(4)]
    [InlineData(0)]
    public void TruncatedCacheInfoOfAnExceptionIsMalformed(int length)
    {
        var entry = RtMsg(Rt.AF_INET, 32, flags: RTM_F_CLONED).Ip(RTA_DST, "10.2.0.3")
            .Attribute(RTA_CACHEINFO, new byte[length])
            .ToMessage(RTM_NEWROUTE);

        Assert.Throws<NetlinkParseException>(() => Parse(entry));
    }

    [Fact]
    public void MalformedMetricsOfAnExceptionAreMalformed()
    {
        var overrun = RtMsg(Rt.AF_INET, 32, flags: RTM_F_CLONED).Ip(RTA_DST, "10.2.0.3")
            .Attribute(RTA_METRICS, NetlinkBuilder.Attributes().RawAttribute(RTAX_MTU, 12, new byte[4]).ToPayload())
            .ToMessage(RTM_NEWROUTE);
        var shortMtu = RtMsg(Rt.AF_INET, 32, flags: RTM_F_CLONED).Ip(RTA_DST, "10.2.0.3")
            .Nested(RTA_METRICS, NetlinkBuilder.Attributes().Attribute(RTAX_MTU, new byte[3]))
            .ToMessage(RTM_NEWROUTE);

        Assert.Throws<NetlinkParseException>(() => Parse(overrun));
        Assert.Throws<NetlinkParseException>(() => Parse(shortMtu));
    }

    /// <summary>An entry cut anywhere but between attributes (after 12, 20 or 28 bytes) is malformed.</summary>
    [Fact]
    public void ATruncatedExceptionMessageIsMalformed()
    {
        var entry = RtMsg(Rt.AF_INET, 32, flags: RTM_F_CLONED).Ip(RTA_DST, "10.2.0.3").U32(RTA_OIF, 3).ToPayload();
        Assert.Equal(28, entry.Length);
        for (var length = 0; length < entry.Length; length++)
        {
            var cut = entry.Take(length).ToArray();
            if (length is 12 or 20)
            {
                Assert.True(RouteParser.ParseRoute(cut).IsCloned);
            }
            else
            {
                Assert.Throws<NetlinkParseException>(() => RouteParser.ParseRoute(cut));
            }
        }
    }

    private sealed record MessagesAndExceptions(System.Collections.Generic.List<RouteMessage> Messages, System.Collections.Generic.List<PSLoopback.Routing.NetRouteException> Exceptions);
}

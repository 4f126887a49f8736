using System;
using System.Linq;
using System.Net;
using PSLoopback.Core.Tests.Support;
using PSLoopback.Platform.Linux;
using PSLoopback.Platform.Linux.Netlink;
using static PSLoopback.Core.Tests.Support.RouteBuilder;

namespace PSLoopback.Core.Tests.Netlink;

/// <summary>
/// `ip route get` queries recorded in the pslb-routes namespace (Fixtures/routes/route-queries.txt): the request
/// <see cref="LinuxKernelRouteQuery"/> builds, and the kernel's answers against what `ip -j route get` printed.
/// </summary>
public class RouteQueryTests
{
    private const uint RTCF_BROADCAST = 0x10000000;
    private const uint RTCF_MULTICAST = 0x20000000;
    private const uint RTCF_LOCAL = 0x80000000;

    public static TheoryData<string> RecordedQueries() => new(RecordedRoutes.Queries().Select(q => q.Text));

    [Theory]
    [MemberData(nameof(RecordedQueries))]
    public void RequestIsTheOneIproute2Sends(string text)
    {
        var recorded = Recorded(text);
        var header = NetlinkReader.ReadMessages(recorded.Request, recorded.Request.Length).Single();
        Assert.Equal(RTM_GETROUTE, header.Type);
        Assert.Equal(NLM_F_REQUEST, header.Flags);

        var request = RecordedRoutes.ToQuery(text, RecordedRoutes.Links()).BuildRequest();

        Assert.Equal(Convert.ToHexString(header.Payload), Convert.ToHexString(request));
    }

    [Theory]
    [MemberData(nameof(RecordedQueries))]
    public void AnswerIsWhatIpRouteGetPrinted(string text)
    {
        var recorded = Recorded(text);
        var (route, errno) = Answer(recorded);

        if (recorded.IpJson is null)
        {
            Assert.Null(route);
            Assert.Equal(recorded.IpError, "RTNETLINK answers: " + IpRouteJson.ErrnoText[errno]);
        }
        else
        {
            Assert.NotNull(route);
            IpRouteJson.AssertRouteGetMatches(recorded.IpJson, route, RecordedRoutes.Links());
        }
    }

    /// <summary>What the kernel answers for each route type and rule action (see LinuxKernelRouteQuery's remarks).</summary>
    [Theory]
    [InlineData("8.8.8.8", "unicast table 254")]
    [InlineData("203.0.113.9", "unicast table 254")]
    [InlineData("192.0.2.1", "local table 255")]
    [InlineData("10.60.0.5", "local table 255")]
    [InlineData("192.0.2.255", "broadcast table 255")]
    [InlineData("10.70.0.255", "broadcast table 255")]
    [InlineData("255.255.255.255", "broadcast table 254")]
    [InlineData("239.1.2.3", "multicast table 254")]
    [InlineData("239.1.2.3 from 192.0.2.1", "multicast table 0")]
    [InlineData("8.8.8.8 oif d0", "unicast table 0")]
    [InlineData("10.10.1.1 from 192.0.2.1", "unicast table 100")]
    [InlineData("198.51.100.200", "unicast table 1000")]
    [InlineData("10.20.1.1 from 192.0.2.1", "errno 113")]
    [InlineData("10.30.1.1 from 192.0.2.1", "errno 22")]
    [InlineData("10.40.1.1 from 192.0.2.1", "errno 13")]
    [InlineData("10.50.1.1 from 192.0.2.1", "unicast table 254")]
    [InlineData("10.120.1.1 from 10.99.0.1", "errno 101")]
    [InlineData("10.130.1.1 from 10.99.0.1", "errno 13")]
    [InlineData("10.140.1.1 from 10.99.0.1", "errno 22")]
    [InlineData("1.2.3.4 from 10.30.0.1", "errno 101")]
    [InlineData("10.20.1.1 from 192.0.2.77 iif v1", "errno 113")]
    [InlineData("10.130.1.1 from 10.99.0.77 iif v1", "errno 13")]
    [InlineData("2001:db8:100::1", "unicast table 254")]
    [InlineData("2001:db8::1", "local table 255")]
    [InlineData("2001:db8::", "anycast table 255")]
    [InlineData("ff02::1", "multicast table 255")]
    [InlineData("2001:db8:300::1 from 2001:db8::1", "unicast table 100")]
    [InlineData("2001:db8:800::1", "unicast table 1000")]
    [InlineData("2001:db8:400::1 from 2001:db8::1", "errno 113")]
    [InlineData("2001:db8:500::1 from 2001:db8::1", "errno 22")]
    [InlineData("2001:db8:600::1 from 2001:db8::1", "errno 13")]
    [InlineData("2001:db8:700::1 from 2001:db8::1", "errno 101")]
    [InlineData("2001:db8:1400::1", "errno 101")]
    [InlineData("2001:db8:1500::1", "errno 22")]
    [InlineData("2001:db8:1600::1", "errno 13")]
    [InlineData("2001:dead::1", "errno 101")]
    [InlineData("2001:db8:1600::1 from 2001:db8::77 iif v1", "errno 13")]
    public void KernelAnswersEachRouteTypeAndRuleAction(string text, string expected)
    {
        var (route, errno) = Answer(Recorded(text));

        var names = new[] { "unspec", "unicast", "local", "broadcast", "anycast", "multicast" };
        Assert.Equal(expected, route is null ? $"errno {errno}" : $"{names[route.Type]} table {route.Table}");
    }

    [Fact]
    public void Ipv4AnswersAreClonedRoutesWithTheirRoutingCacheFlagsAndIpv6AnswersAreNot()
    {
        uint FlagsOf(string text) => Answer(Recorded(text)).Route!.Flags;

        Assert.Equal(RTM_F_CLONED, FlagsOf("8.8.8.8"));
        Assert.Equal(RTM_F_CLONED | RTCF_LOCAL, FlagsOf("192.0.2.1"));
        Assert.Equal(RTM_F_CLONED | RTCF_LOCAL | RTCF_BROADCAST, FlagsOf("192.0.2.255"));
        Assert.Equal(RTM_F_CLONED | RTCF_MULTICAST, FlagsOf("239.1.2.3"));
        Assert.Equal(0u, FlagsOf("2001:db8:100::1"));
        Assert.Equal(0u, FlagsOf("2001:db8::1"));
    }

    [Fact]
    public void AnswersEchoWhatWasAsked()
    {
        var forwarded = Answer(Recorded("8.8.8.8 from 192.0.2.77 iif v1")).Route!;
        Assert.Equal(RecordedRoutes.V1, forwarded.InputInterface);
        Assert.Equal("192.0.2.77", new IPAddress(forwarded.Source!).ToString());
        Assert.Equal(32, forwarded.SourceLength);

        // IPv4 echoes the mark and routes by it; IPv6 routes by it too but leaves RTA_MARK out of the answer.
        var marked = Answer(Recorded("10.10.1.1 from 10.99.0.1 mark 0x10")).Route!;
        Assert.Equal((0x10u, 100u), (marked.Mark, marked.Table));
        Assert.Equal(RT_TABLE_MAIN, Answer(Recorded("10.10.1.1 from 10.99.0.1")).Route!.Table);
        Assert.Null(Answer(Recorded("2001:db8:100::1 mark 7")).Route!.Mark);

        // IPv6 answers always carry a source: "::" over 128 bits when none was asked for.
        var v6 = Answer(Recorded("2001:db8:100::1")).Route!;
        Assert.Equal(IPAddress.IPv6Any.GetAddressBytes(), v6.Source);
        Assert.Equal(128, v6.SourceLength);
        Assert.Null(Answer(Recorded("8.8.8.8")).Route!.Source);
    }

    [Fact]
    public void FibMatchAnswersWithTheFibEntry()
    {
        var v4 = Answer(Recorded("10.10.5.5 from 192.0.2.1 fibmatch")).Route!;
        Assert.Equal(("10.10.0.0", (byte)16, 100u, 0u), (new IPAddress(v4.Destination!).ToString(), v4.DestinationLength, v4.Table, v4.Flags));
        Assert.Equal(new[] { 1, 3 }, v4.NextHops.Select(h => h.Weight));

        var v6 = Answer(Recorded("2001:db8:100::1 fibmatch")).Route!;
        Assert.Equal(("2001:db8:100::", (byte)48, 50u), (new IPAddress(v6.Destination!).ToString(), v6.DestinationLength, v6.Priority));
        Assert.Null(v6.Source);
    }

    [Fact]
    public void RequestCarriesEveryOption()
    {
        var query = new LinuxKernelRouteQuery(IPAddress.Parse("192.0.2.9"))
        {
            Source = IPAddress.Parse("192.0.2.1"),
            InputInterface = 7,
            OutputInterface = 3,
            Mark = 0xABCD,
            FibMatch = true,
        };

        var expected = RtMsg(Rt.AF_INET, 32, 32, table: 0, protocol: 0, type: 0, flags: RTM_F_LOOKUP_TABLE | RTM_F_FIB_MATCH)
            .Ip(RTA_DST, "192.0.2.9")
            .Ip(RTA_SRC, "192.0.2.1")
            .U32(RTA_IIF, 7)
            .U32(RTA_OIF, 3)
            .U32(RTA_MARK, 0xABCD)
            .ToPayload();
        Assert.Equal(expected, query.BuildRequest());

        // IPv6 reports the table without being asked, and a strict kernel refuses RTM_F_LOOKUP_TABLE there.
        var v6 = new LinuxKernelRouteQuery(IPAddress.Parse("2001:db8::1")).BuildRequest();
        Assert.Equal(RtMsg(Rt.AF_INET6, 128, table: 0, protocol: 0, type: 0).Ip(RTA_DST, "2001:db8::1").ToPayload(), v6);
    }

    /// <summary>
    /// The selectors as iproute2 6.1 sends them (read with strace from `ip route get 10.30.1.1 tos 0x10 ipproto tcp
    /// sport 1234 dport 443 uid 1500`): tos in the rtmsg, RTA_IP_PROTO a padded u8, the ports big-endian u16s.
    /// </summary>
    [Fact]
    public void RequestCarriesTheSelectorsAsIproute2Does()
    {
        var query = new LinuxKernelRouteQuery(IPAddress.Parse("10.30.1.1"))
        {
            Tos = 0x10,
            IPProtocol = 6,
            SourcePort = 1234,
            DestinationPort = 443,
            Uid = 1500,
        };

        var expected = RtMsg(Rt.AF_INET, 32, tos: 0x10, table: 0, protocol: 0, type: 0, flags: RTM_F_LOOKUP_TABLE)
            .Ip(RTA_DST, "10.30.1.1")
            .U8(RTA_IP_PROTO, 6)
            .Attribute(RTA_SPORT, new byte[] { 0x04, 0xD2 })
            .Attribute(RTA_DPORT, new byte[] { 0x01, 0xBB })
            .U32(RTA_UID, 1500)
            .ToPayload();
        var request = query.BuildRequest();
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(request));
        Assert.Equal(12 + 8 + 8 + 8 + 8 + 8, request.Length);
        Assert.Equal(new byte[] { 5, 0, 27, 0, 6, 0, 0, 0 }, request.Skip(20).Take(8));

        // `ip route get 2001:db8:30::1 tos 0x10 ipproto ipv6-icmp dport 443`: IPv6 takes the tos as its traffic class.
        var v6 = new LinuxKernelRouteQuery(IPAddress.Parse("2001:db8:30::1")) { Tos = 0x10, IPProtocol = 58, DestinationPort = 443 }.BuildRequest();
        Assert.Equal(
            RtMsg(Rt.AF_INET6, 128, tos: 0x10, table: 0, protocol: 0, type: 0)
                .Ip(RTA_DST, "2001:db8:30::1").U8(RTA_IP_PROTO, 58).Attribute(RTA_DPORT, new byte[] { 0x01, 0xBB }).ToPayload(),
            v6);
    }

    /// <summary>
    /// `ip route get 2001:db8:30::1 flowlabel 0x12345` (iproute2 6.14 on): RTA_FLOWLABEL a big-endian u32, which
    /// inet6_rtm_getroute takes as __be32 and refuses when bits above the 20 of a flow label are set.
    /// </summary>
    [Fact]
    public void RequestCarriesTheFlowLabelBigEndian()
    {
        var request = new LinuxKernelRouteQuery(IPAddress.Parse("2001:db8:30::1")) { FlowLabel = 0x12345 }.BuildRequest();

        var expected = RtMsg(Rt.AF_INET6, 128, table: 0, protocol: 0, type: 0)
            .Ip(RTA_DST, "2001:db8:30::1")
            .Attribute(RTA_FLOWLABEL, new byte[] { 0x00, 0x01, 0x23, 0x45 })
            .ToPayload();
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(request));
        Assert.Equal(new byte[] { 8, 0, 31, 0, 0x00, 0x01, 0x23, 0x45 }, request.Skip(12 + 20).Take(8));
    }

    /// <summary>rtm_getroute_parse_ip_proto: the protocols `ip route get ... ipproto` can ask about (kernel 6.18: "Unsupported ip proto" else).</summary>
    [Theory]
    [InlineData(6, true, true)]
    [InlineData(17, true, true)]
    [InlineData(1, true, false)]
    [InlineData(58, false, true)]
    [InlineData(132, false, false)]
    [InlineData(47, false, false)]
    [InlineData(0, false, false)]
    public void KernelTakesOnlySomeProtocols(byte protocol, bool ipv4, bool ipv6)
    {
        Assert.Equal(ipv4, LinuxKernelRouteQuery.AcceptsIPProtocol(System.Net.Sockets.AddressFamily.InterNetwork, protocol));
        Assert.Equal(ipv6, LinuxKernelRouteQuery.AcceptsIPProtocol(System.Net.Sockets.AddressFamily.InterNetworkV6, protocol));
    }

    [Fact]
    public void QueryArgumentsAreChecked()
    {
        Assert.Throws<ArgumentNullException>(() => new LinuxKernelRouteQuery(null!));

        var mixed = new LinuxKernelRouteQuery(IPAddress.Parse("192.0.2.9")) { Source = IPAddress.Parse("2001:db8::1") };
        Assert.Throws<ArgumentException>(() => mixed.BuildRequest());
    }

    private static RecordedRoutes.Query Recorded(string text) => RecordedRoutes.Queries().Single(q => q.Text == text);

    /// <summary>The recorded answer as LinuxKernelRouteQuery.Ask reads one: a route, or the errno of NLMSG_ERROR.</summary>
    private static (RouteMessage? Route, int Errno) Answer(RecordedRoutes.Query recorded)
    {
        var request = NetlinkReader.ReadMessages(recorded.Request, recorded.Request.Length).Single();
        var answer = NetlinkReader.ReadMessages(recorded.Answer, recorded.Answer.Length).Single();
        Assert.Equal(request.Sequence, answer.Sequence);

        if (answer.Type == NLMSG_ERROR)
        {
            var errno = -BitConverter.ToInt32(answer.Payload, 0);
            Assert.True(errno > 0, $"NLMSG_ERROR with error {-errno}");
            return (null, errno);
        }

        Assert.Equal(RTM_NEWROUTE, answer.Type);
        return (RouteParser.ParseRoute(answer.Payload), 0);
    }
}

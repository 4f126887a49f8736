using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Core.Tests.Support;
using PSLoopback.Routing;
using Xunit;

namespace PSLoopback.Core.Tests.Routing;

/// <summary>
/// The resolver keeps source candidates per interface and scope (IPv4) and per interface and destination kind (IPv6)
/// rather than choosing from the whole host each time: these compare the kept choice with the direct one, on hosts
/// whose addresses make every selection rule matter.
/// </summary>
public sealed class SourceCandidateCacheTests
{
    // Every kind RFC 6724's rules tell apart: global, deprecated, temporary, ULA, link-local, site-local, 6to4,
    // ORCHID, a host route, v4-mapped, old 6bone, tentative, v4-compatible, and a link-local address with a scope id (which no
    // destination without one equals, so rule 1 passes it over).
    private static readonly string[] Pool =
    {
        "2001:db8:1::1/64", "2001:db8:1::2/64 deprecated", "2001:db8:1:0:8000::9/64 temporary", "2001:db8:2::1/48", "fd00::1/8", "fd00:1::5/64",
        "fe80::1/64", "fe80::2/64 deprecated", "fec0::1/10", "2002:c000:201::1/48", "2001:10::5/28", "2001:db8:ffff::1/128", "::ffff:192.0.2.1/96", "3ffe::1/16",
        "2001:db8:1::3/64 tentative", "::2/96", "fe80::5%3/64",
    };

    private static readonly string[] Destinations =
    {
        "2001:db8:1::77", "2001:db8:1:0:8000::1", "2001:db8:2::9", "2001:db8:3::1", "fd00::9", "fd00:1::9", "fe80::99", "fec0::9", "ff02::1", "ff05::1", "ff0e::1", "ff01::1",
        "::1", "::", "::ffff:198.51.100.1", "2002:c000:201::9", "2001:10::7", "2001:1f::1", "3ffe::9", "2001:db8:ffff::1", "2001:db8:1::1", "::3", "64:ff9b::1",
        "fe80::1", "fe80::5",
    };

    public static IEnumerable<object[]> Seeds() => Enumerable.Range(1, 60).Select(seed => new object[] { seed });

    [Theory]
    [MemberData(nameof(Seeds))]
    public void KeptIpv6CandidatesChooseAsTheDirectSelection(int seed)
    {
        var random = new Random(seed);
        var host = SnapshotBuilder.WithLoopback();
        for (var index = 2; index <= 4; index++)
        {
            host.Interface(index, "eth" + index, false, Pool.Where(_ => random.Next(3) == 0).ToArray());
        }

        var snapshot = host.Build();
        var different = new List<string>();
        foreach (var text in Destinations)
        {
            var destination = IPAddress.Parse(text);
            for (var oif = 0; oif <= 4; oif++)
            {
                var direct = SourceAddressSelector.SelectIPv6(snapshot, destination, oif);
                var (high, low) = AddressNumbers.Of(destination);
                Assert.True(SourceAddressSelector.TryClassifyIPv6(destination, high, low, out var kind));
                var kept = SourceAddressSelector.SelectIPv6(SourceAddressSelector.IPv6CandidatesFor(snapshot, oif, kind), high, low);
                if (!Equals(direct, kept))
                {
                    different.Add($"{destination} oif {oif}: direct {direct}, kept {kept}");
                }
            }
        }

        Assert.True(different.Count == 0, string.Join("\n", different));
    }

    [Fact]
    public void TheIpv4AddressOnTheGatewaysSubnetStillWinsForEachGateway()
    {
        var snapshot = SnapshotBuilder.WithLoopback()
            .Interface(2, "eth0", false, "192.0.2.1/24", "10.9.0.1/16", "172.16.0.1/12", "172.16.0.7/12 secondary")
            .Route("192.0.2.0/24 dev eth0 scope link")
            .Route("10.9.0.0/16 dev eth0 scope link")
            .Route("203.0.113.0/24 via 10.9.0.5 dev eth0")
            .Route("198.51.100.0/24 via 192.0.2.9 dev eth0")
            .Route("100.64.0.0/10 via 172.20.0.1 dev eth0")
            .Route("default via 192.0.2.254 dev eth0")
            .Build();
        var resolver = new LinuxRouteResolver(snapshot);

        // Twice over one resolver: the second round answers from what the first kept.
        for (var round = 0; round < 2; round++)
        {
            Assert.Equal("10.9.0.1", resolver.Resolve(new RouteQuery(IPAddress.Parse("203.0.113.1"))).SourceAddress?.ToString());
            Assert.Equal("192.0.2.1", resolver.Resolve(new RouteQuery(IPAddress.Parse("198.51.100.1"))).SourceAddress?.ToString());
            Assert.Equal("172.16.0.1", resolver.Resolve(new RouteQuery(IPAddress.Parse("100.64.0.1"))).SourceAddress?.ToString());
            Assert.Equal("192.0.2.1", resolver.Resolve(new RouteQuery(IPAddress.Parse("198.18.0.1"))).SourceAddress?.ToString());
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Core.Tests.Support;
using PSLoopback.Interfaces;
using PSLoopback.Routing;
using Xunit;
using Xunit.Abstractions;

namespace PSLoopback.Core.Tests.Routing;

/// <summary>The one step's limits: more distinct answers than it keeps, and interface indexes past its array.</summary>
public class OneStepDecisionLimitTests
{
    [Fact]
    public void MoreDistinctAnswersThanKeptStillAgreeWithTheWalk()
    {
        var host = SnapshotBuilder.WithLoopback()
            .Interface(2, "eth0", false, "192.0.2.1/24", "2001:db8:1::1/64");
        var snapshot = host.Build();
        var routes = snapshot.Routes.ToList();
        for (var i = 0; i < 70000; i++)
        {
            routes.Add(new NetRouteInfo
            {
                DestinationPrefix = IPPrefix.Parse($"10.{i >> 16}.{(i >> 8) & 255}.{i & 255}/32"),
                NextHop = IPAddress.Parse("192.0.2.2"),
                InterfaceIndex = 2,
                InterfaceAlias = "eth0",
                Mtu = 1000 + i,
            });
        }

        var big = new RouteSnapshot(snapshot.Interfaces, routes, snapshot.Rules);
        var resolver = new LinuxRouteResolver(big);
        for (var i = 0; i < 70000; i += 7)
        {
            var q = new RouteQuery(IPAddress.Parse($"10.{i >> 16}.{(i >> 8) & 255}.{i & 255}"));
            var a = resolver.Resolve(q);
            var b = resolver.Resolve(q, explain: true);
            Assert.Equal(b.Mtu, a.Mtu);
            Assert.Equal(1000 + i, a.Mtu);
            Assert.Equal(b.Reason, a.Reason);
            Assert.Equal(b.NextHop, a.NextHop);
            Assert.Equal(b.SourceAddress, a.SourceAddress);
        }
    }

    [Fact]
    public void AnInterfaceIndexPastTheArrayAgreesWithTheWalk()
    {
        var host = SnapshotBuilder.WithLoopback()
            .Interface(70000, "big0", false, "192.0.2.1/24", "2001:db8:1::1/64", "fe80::1/64")
            .Interface(70000, "dup0", false, "198.51.100.1/24")
            .Route("192.0.2.0/24 dev big0 scope link src 192.0.2.1")
            .Route("default via 192.0.2.2 dev big0")
            .Route("10.0.0.0/8 via 192.0.2.3 dev big0 mtu 1400")
            .Route("::/0 via fe80::2 dev big0 metric 1024")
            .Route("2001:db8:1::/64 dev big0 metric 256");
        var resolver = host.Resolver();
        foreach (var d in new[] { "8.8.8.8", "10.1.1.1", "192.0.2.9", "2001:db8:1::5", "2001:4860::1", "fe80::5" })
        {
            var q = new RouteQuery(IPAddress.Parse(d));
            var a = resolver.Resolve(q);
            var b = resolver.Resolve(q, explain: true);
            Assert.Equal(b.ToString() + b.InterfaceAlias + b.SourceAddress + b.PathMtu + b.StaysOnHost + string.Join(",", b.Paths), a.ToString() + a.InterfaceAlias + a.SourceAddress + a.PathMtu + a.StaysOnHost + string.Join(",", a.Paths));
        }
    }
}

using System.Collections.Generic;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Routing;
using Xunit;

namespace PSLoopback.Core.Tests.Routing;

/// <summary>
/// The one step's answers share one frozen shape per kind of route: a field set on one answer (every setter, and the
/// copies WithPath makes) must go to a copy of its own, never into the shape the other answers read.
/// </summary>
public class RouteDecisionShapeTests
{
    [Fact]
    public void SettingAnyFieldOfOneSharedDecisionLeavesTheOtherAlone()
    {
        var template = new RouteDecision(IPAddress.None);
        template.SetOnlyPath(IPAddress.Parse("10.0.0.1"), 2, "eth0", null, 1, null);
        template.RouteType = RouteType.Unicast;
        template.InterfaceIndex = 2;
        template.Table = 254;
        template.Mtu = 1500;
        template.SetReason(() => "why");
        var shape = template.SharedShape(null);
        var changed = new RouteDecision(IPAddress.Parse("192.0.2.1"), shape, 0, IPAddress.Parse("10.0.0.9"));
        var other = new RouteDecision(IPAddress.Parse("192.0.2.2"), shape, 0, IPAddress.Parse("10.0.0.9"));

        changed.KernelAgrees = false;
        changed.KernelVerdict = KernelVerdict.Agrees;
        changed.KernelAnswer = "x";
        changed.Destination = "d";
        changed.RouteType = RouteType.Blackhole;
        changed.InterfaceIndex = 9;
        changed.Table = 1;
        changed.Mtu = 9000;
        changed.PathMtu = 1;
        changed.StaysOnHost = true;
        changed.InterfaceAlias = "z";
        changed.NextHop = IPAddress.Loopback;
        changed.InterfaceMetric = 5;
        changed.Redirected = true;
        changed.ExtendReason(" more");
        changed.Reason = "changed";
        changed.SetReason(() => "other");
        var copy = changed.WithPath(changed.Paths[0]);
        copy.KernelAgrees = true;

        Assert.Null(other.KernelAgrees);
        Assert.Null(other.KernelVerdict);
        Assert.Null(other.KernelAnswer);
        Assert.Equal(RouteType.Unicast, other.RouteType);
        Assert.Equal(2, other.InterfaceIndex);
        Assert.Equal(254u, other.Table);
        Assert.Equal(1500, other.Mtu);
        Assert.Null(other.PathMtu);
        Assert.False(other.StaysOnHost);
        Assert.Null(other.InterfaceMetric);
        Assert.False(other.Redirected);
        Assert.Equal("why", other.Reason);
        Assert.Equal("192.0.2.2", other.Destination);
        Assert.Equal(IPAddress.Parse("10.0.0.1"), other.Paths[0].NextHop);
        Assert.False(changed.KernelAgrees);
        Assert.Equal(9000, changed.Mtu);
    }

    [Fact]
    public void ADecisionNamingItsNodeReadsItsRouteFromTheShapesTableUntilARouteIsSet()
    {
        var (near, far, _, table, shape) = Template();

        var decision = new RouteDecision(IPAddress.Parse("10.1.2.3"), shape, table.FindNode(0x0A010203), null);
        var none = new RouteDecision(IPAddress.Parse("10.1.2.4"), shape, 0, null);
        var untouched = new RouteDecision(IPAddress.Parse("10.1.2.5"), shape, table.FindNode(0x0A010205), null);

        // A copy made before anything read the route must still name its node.
        Assert.Same(near, untouched.WithPath(decision.Paths[0]).Route);

        Assert.Same(near, decision.Route);
        Assert.Equal(IPAddress.Parse("192.0.2.2"), decision.NextHop);
        Assert.Equal(IPAddress.Parse("192.0.2.2"), decision.Paths[0].NextHop);
        Assert.Null(none.Route);
        Assert.Same(near, decision.WithPath(decision.Paths[0]).Route);
        decision.Route = far;
        Assert.Same(far, decision.Route);
        Assert.Same(far, decision.WithPath(decision.Paths[0]).Route);
    }

    [Fact]
    public void ADecisionLetsGoOfTheTableOnceItsRouteIsReadAndKeepsItsAnswer()
    {
        var (shared, own, table) = DecisionsOfATableNothingElseHolds();
        Collect();
        Assert.True(table.IsAlive, "before any route is read, the decisions need the table");

        Assert.Equal("10.0.0.0/8", shared.Route!.DestinationPrefix.ToString());
        Assert.Equal("10.0.0.0/8", own.Route!.DestinationPrefix.ToString());
        Collect();

        Assert.False(table.IsAlive);
        Assert.Equal(IPAddress.Parse("192.0.2.2"), shared.NextHop);
        Assert.Equal(IPAddress.Parse("192.0.2.2"), own.Paths[0].NextHop);
        Assert.Equal(9000, own.Mtu);
        Assert.Null(shared.Mtu);
    }

    // A smoke test: the order that makes a first read from many threads at once safe is argued in RouteDecision.Route,
    // and a window of nanoseconds is not something timing can be relied on to hit.
    [Fact]
    public void ManyThreadsReadingTheRouteAtOnceAllGetIt()
    {
        var (_, _, _, table, shape) = Template();
        for (var round = 0; round < 200; round++)
        {
            var decision = new RouteDecision(IPAddress.Parse("10.1.2.3"), shape, table.FindNode(0x0A010203), null);
            var start = new System.Threading.Barrier(4);
            var routes = new NetRouteInfo?[4];
            var threads = new System.Threading.Thread[4];
            for (var t = 0; t < threads.Length; t++)
            {
                var slot = t;
                threads[t] = new System.Threading.Thread(() =>
                {
                    start.SignalAndWait(System.TimeSpan.FromSeconds(10));
                    routes[slot] = decision.Route;
                });
                threads[t].Start();
            }

            foreach (var thread in threads)
            {
                Assert.True(thread.Join(System.TimeSpan.FromSeconds(10)));
            }

            Assert.All(routes, r => Assert.Equal("10.0.0.0/8", r!.DestinationPrefix.ToString()));
        }
    }

    private static void Collect()
    {
        System.GC.Collect();
        System.GC.WaitForPendingFinalizers();
        System.GC.Collect();
    }

    // In a method of its own, so that no local of the test's keeps the table alive.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static (RouteDecision Shared, RouteDecision Own, System.WeakReference Table) DecisionsOfATableNothingElseHolds()
    {
        var (_, _, _, table, shape) = Template();
        var shared = new RouteDecision(IPAddress.Parse("10.1.2.3"), shape, table.FindNode(0x0A010203), null);
        var own = new RouteDecision(IPAddress.Parse("10.1.2.4"), shape, table.FindNode(0x0A010204), null);
        own.Mtu = 9000;
        return (shared, own, new System.WeakReference(table));
    }

    private static (NetRouteInfo Near, NetRouteInfo Far, RouteDecision Template, PrefixTable<object> Table, RouteDecision.Shape Shape) Template()
    {
        var near = new NetRouteInfo { DestinationPrefix = IPPrefix.Parse("10.0.0.0/8"), NextHop = IPAddress.Parse("192.0.2.2"), InterfaceIndex = 2 };
        var far = new NetRouteInfo { DestinationPrefix = IPPrefix.Parse("0.0.0.0/0"), NextHop = IPAddress.Parse("192.0.2.3"), InterfaceIndex = 2 };
        var table = PrefixTable<object>.Build(IPAddressFamily.IPv4, new[]
        {
            new KeyValuePair<IPPrefix, object>(near.DestinationPrefix, near),
            new KeyValuePair<IPPrefix, object>(far.DestinationPrefix, far),
        });
        var template = new RouteDecision(IPAddress.None);
        template.SetOnlyPathThroughRoutesGateway(2, "eth0", null);
        return (near, far, template, table, template.SharedShape(table));
    }
}

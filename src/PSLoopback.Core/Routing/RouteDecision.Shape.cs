using System;
using System.Collections.Generic;
using System.Net;

namespace PSLoopback.Routing;

// What a decision keeps apart from its destination, route and source: the shape that decisions of one route share,
// the fields few answers have, and the one path kept as fields.
public sealed partial class RouteDecision
{
    /// <summary>The fields of an answer that decisions of one route's shape have in common.</summary>
    internal sealed class Shape
    {
        /// <summary>A new decision's: no route, shared so that the first field set makes the decision its own.</summary>
        public static readonly Shape Empty = new() { IsShared = true };

        public bool IsShared { get; private set; }

        public RouteType RouteType { get; set; } = RouteType.NoRoute;

        public RouteError Error { get; set; }

        // The nullable numbers as values and a bit each for whether they are set: four int? would take twice the room.
        public Has Has { get; set; }

        public int InterfaceIndex { get; set; }

        public int Mtu { get; set; }

        public int PathMtu { get; set; }

        public uint Table { get; set; }

        public string? InterfaceAlias { get; set; }

        // The next hop, unless NextHopIsRoutes: then it is the route's, read only when asked (at a million routes,
        // the route object is a cache miss the decision itself need not make).
        public IPAddress? NextHop { get; set; }

        public bool NextHopIsRoutes { get; set; }

        public bool StaysOnHost { get; set; }

        public NetRouteRule? Rule { get; set; }

        /// <summary>The table whose node a one-step decision names instead of its route (set once, by SharedShape, before any decision has the shape).</summary>
        public PrefixTable<object>? Routes { get; set; }

        /// <summary>The same shape, shared, without <see cref="Routes"/>: a decision takes it once it has read its route.</summary>
        public Shape? WithoutRoutes { get; set; }

        public RoutePathChoice PathChoice { get; set; }

        // A decision of one path keeps it as fields until Paths is read: most answers are never asked for their paths.
        public bool HasOnlyPath { get; set; }

        public OnlyPath OnlyPath { get; set; }

        public DecisionReason Reason { get; set; }

        // What most answers never have, kept apart so that the common answer is smaller.
        public Rare? Rare { get; set; }

        public Shape Thawed()
        {
            var copy = (Shape)MemberwiseClone();
            copy.IsShared = false;
            copy.Rare = Rare?.Copy();
            return copy;
        }

        public Shape Frozen()
        {
            var copy = Thawed();
            copy.IsShared = true;
            return copy;
        }
    }

    internal sealed class Rare
    {
        public uint? InterfaceMetric { get; set; }

        public NetRouteException? RouteException { get; set; }

        public bool Redirected { get; set; }

        public IReadOnlyList<SharedNextHopRoute> RoutesSharingNextHop { get; set; } = Array.Empty<SharedNextHopRoute>();

        public IReadOnlyList<RouteTraceStep> Trace { get; set; } = Array.Empty<RouteTraceStep>();

        public bool? KernelAgrees { get; set; }

        public KernelVerdict? KernelVerdict { get; set; }

        public string? KernelAnswer { get; set; }

        public string? ReasonSuffix { get; set; }

        public Rare Copy() => (Rare)MemberwiseClone();
    }

    internal readonly struct OnlyPath
    {
        public OnlyPath(IPAddress? nextHop, int interfaceIndex, string? interfaceAlias, int weight, uint? nextHopId)
        {
            NextHop = nextHop;
            InterfaceIndex = interfaceIndex;
            InterfaceAlias = interfaceAlias;
            Weight = weight;
            NextHopId = nextHopId;
        }

        /// <summary>Null for the route's own gateway.</summary>
        public IPAddress? NextHop { get; }

        public int InterfaceIndex { get; }

        public string? InterfaceAlias { get; }

        public int Weight { get; }

        public uint? NextHopId { get; }

        public RoutePath ToPath(NetRouteInfo? route, IPAddress? source) => new(NextHop ?? route!.NextHop, InterfaceIndex, InterfaceAlias, source, Weight) { NextHopId = NextHopId };
    }
}

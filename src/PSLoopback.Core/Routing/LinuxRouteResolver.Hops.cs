using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using PSLoopback.Addressing;

namespace PSLoopback.Routing;

// The shapes a lookup walks without allocating: the routes of one prefix, and a route's paths, neither copied
// unless a filter drops something.
public sealed partial class LinuxRouteResolver
{
    /// <summary>
    /// One path of a route: the route's own next hop (a route of one path, the common kind, keeps it in its own
    /// fields, so no path object is made for it) or one of its multipath next hops.
    /// </summary>
    private readonly struct Hop
    {
        private readonly NetRouteNextHop? multi;

        public Hop(NetRouteInfo route, int index)
        {
            Route = route;
            Index = index;
            multi = index < 0 ? null : route.NextHops[index];
        }

        public NetRouteInfo Route { get; }

        /// <summary>The place in the route's next hops; -1 for a route of one path.</summary>
        public int Index { get; }

        public IPAddress NextHop => multi is null ? Route.NextHop : multi.NextHop;

        public int InterfaceIndex => multi is null ? Route.InterfaceIndex : multi.InterfaceIndex;

        public string? InterfaceAlias => multi is null ? Route.InterfaceAlias : multi.InterfaceAlias;

        public int Weight => multi is null ? 1 : multi.Weight;

        public RouteFlags Flags => multi is null ? Route.Flags : multi.Flags;

        public bool IsDead => (Flags & RouteFlags.Dead) != 0;

        public bool IsOnLink => IsUnspecified(NextHop);

        /// <summary>The multipath next hop's own id; null for a route of one path (see <see cref="HopId"/>).</summary>
        public uint? OwnNextHopId => multi?.NextHopId;

        public bool IsSingle => multi is null;

        public bool Same(Hop other) => ReferenceEquals(Route, other.Route) && Index == other.Index;

        public override string ToString() =>
            (IsOnLink ? "on-link" : "via " + NextHop) + " dev " + (InterfaceAlias ?? InterfaceIndex.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Paths: all of one route's, or a filtered or mixed few.</summary>
    private readonly struct HopList
    {
        private readonly NetRouteInfo? route;
        private readonly Hop[]? items;

        private HopList(NetRouteInfo? route, Hop[]? items)
        {
            this.route = route;
            this.items = items;
        }

        public int Count => items?.Length ?? (route is null ? 0 : Math.Max(1, route.NextHops.Count));

        public Hop this[int index] => items is not null
            ? items[index]
            : new Hop(route!, route!.NextHops.Count == 0 ? -1 : index);

        public static HopList All(NetRouteInfo route) => new(route, null);

        public static HopList Of(List<Hop> hops) => new(null, hops.ToArray());

        public static HopList Of(params Hop[] hops) => new(null, hops);

        /// <summary>The hops that are not dead, without a copy when none is.</summary>
        public HopList Alive()
        {
            var all = true;
            for (var i = 0; i < Count && all; i++)
            {
                all = !this[i].IsDead;
            }

            if (all)
            {
                return this;
            }

            var alive = new List<Hop>(Count);
            for (var i = 0; i < Count; i++)
            {
                if (!this[i].IsDead)
                {
                    alive.Add(this[i]);
                }
            }

            return Of(alive);
        }

        public int IndexOf(Hop hop)
        {
            for (var i = 0; i < Count; i++)
            {
                if (this[i].Same(hop))
                {
                    return i;
                }
            }

            return -1;
        }
    }

    /// <summary>
    /// The routes of one prefix in one table, in the order the kernel tries them: for IPv4 the higher table id
    /// first (which matters while local and main are merged), then type of service, metric, first added. The
    /// table stores a prefix's only route itself, and an array only for a prefix of several, so a table of a
    /// million routes keeps no object per prefix.
    /// </summary>
    private readonly struct RouteGroup
    {
        private readonly object routes;

        public RouteGroup(object routes) => this.routes = routes;

        // A test against the sealed route class is one type compare; a test for the array type is a slower cast helper.
        public int Count => routes is NetRouteInfo ? 1 : ((NetRouteInfo[])routes).Length;

        public NetRouteInfo this[int index] => routes as NetRouteInfo ?? ((NetRouteInfo[])routes)[index];

        public IPPrefix Prefix => this[0].DestinationPrefix;
    }

    /// <summary>
    /// <see cref="AddressClass.IsUnspecified"/> without its two calls of IPAddress.Equals (each a type test): an
    /// IPv4 address is 0.0.0.0 when its number is 0, and only an IPv6 address can be ::.
    /// </summary>
    private static bool IsUnspecified(IPAddress address) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? AddressClass.ToUInt32(address) == 0 : address.Equals(IPAddress.IPv6Any);

    /// <summary>A route's paths: its multipath next hops, or the one next hop of a plain route.</summary>
    private static HopList Hops(NetRouteInfo route) => HopList.All(route);

    /// <summary>The single nexthop object a path is: a multipath hop's own, or for a route of one path, its object or a group's only member.</summary>
    private uint? HopId(Hop hop) => hop.IsSingle ? SingleNextHopId(hop.Route) : hop.OwnNextHopId;
}

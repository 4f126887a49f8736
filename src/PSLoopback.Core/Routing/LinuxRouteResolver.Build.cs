using System;
using System.Collections.Generic;
using System.Linq;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;

namespace PSLoopback.Routing;

// Building the tables once per snapshot: one sort of the routes by table and prefix, so a million routes cost one
// array of keys while building and nothing per prefix afterwards beyond the prefix table itself.
public sealed partial class LinuxRouteResolver
{
    private static ulong TableKey(IPAddressFamily family, uint table) => ((ulong)family << 32) | table;

    private NetInterfaceInfo? InterfaceNamed(string name) => interfacesByName.TryGetValue(name, out var device) ? device : null;

    /// <summary>A family's rules by priority, those of one priority in the order given; the kernel's defaults when there are none.</summary>
    private List<NetRouteRule> OrderedRules(IPAddressFamily family)
    {
        var own = snapshot.Rules.Where(r => r.AddressFamily == family).ToList();
        return own.Count > 0
            ? own.Select((rule, position) => (rule, position)).OrderBy(x => x.rule.Priority).ThenBy(x => x.position).Select(x => x.rule).ToList()
            : DefaultRules(family);
    }

    private void BuildTables()
    {
        var routes = snapshot.Routes;
        var keys = new RouteKey[routes.Count];
        var tableIndex = new Dictionary<ulong, int>();
        var tableKeys = new List<ulong>();
        for (var i = 0; i < keys.Length; i++)
        {
            var route = routes[i];
            var family = route.AddressFamily;
            var table = mergedIPv4LocalAndMain && family == IPAddressFamily.IPv4 && route.Table == RouteTables.Local ? RouteTables.Main : route.Table;
            var key = TableKey(family, table);
            if (!tableIndex.TryGetValue(key, out var index))
            {
                index = tableKeys.Count;
                tableIndex.Add(key, index);
                tableKeys.Add(key);
            }

            var (high, low) = AddressNumbers.Of(route.DestinationPrefix.Network);
            keys[i] = new RouteKey(index, high, low, route.DestinationPrefix.Length, i);
        }

        // Table, then prefix, then the order given: each prefix's routes become one run.
        Array.Sort(keys, RouteKeyComparer.Instance);
        var entries = new List<KeyValuePair<IPPrefix, object>>[tableKeys.Count];
        for (var t = 0; t < entries.Length; t++)
        {
            entries[t] = new List<KeyValuePair<IPPrefix, object>>();
        }

        for (int start = 0, end; start < keys.Length; start = end)
        {
            end = start + 1;
            while (end < keys.Length && keys[end].SamePrefix(keys[start]))
            {
                end++;
            }

            var first = routes[keys[start].Position];
            object value = first;
            if (end - start > 1)
            {
                var group = new NetRouteInfo[end - start];
                var positions = new int[group.Length];
                for (var j = 0; j < group.Length; j++)
                {
                    group[j] = routes[keys[start + j].Position];
                    positions[j] = keys[start + j].Position;
                }

                // The kernel's order; ties keep the order given (positions ascend within the run).
                Array.Sort(positions, group, new KernelOrder(first.AddressFamily, routes));
                value = group;
            }

            entries[keys[start].Table].Add(new KeyValuePair<IPPrefix, object>(first.DestinationPrefix, value));
        }

        for (var t = 0; t < entries.Length; t++)
        {
            tables[tableKeys[t]] = PrefixTable<object>.Build((IPAddressFamily)(tableKeys[t] >> 32), entries[t]);
        }
    }

    private readonly struct RouteKey
    {
        public RouteKey(int table, ulong high, ulong low, int length, int position)
        {
            Table = table;
            High = high;
            Low = low;
            Length = length;
            Position = position;
        }

        public int Table { get; }

        public ulong High { get; }

        public ulong Low { get; }

        public int Length { get; }

        public int Position { get; }

        public bool SamePrefix(RouteKey other) => Table == other.Table && High == other.High && Low == other.Low && Length == other.Length;
    }

    private sealed class RouteKeyComparer : IComparer<RouteKey>
    {
        public static readonly RouteKeyComparer Instance = new();

        public int Compare(RouteKey x, RouteKey y)
        {
            var order = x.Table.CompareTo(y.Table);
            if (order == 0)
            {
                order = x.High.CompareTo(y.High);
            }

            if (order == 0)
            {
                order = x.Low.CompareTo(y.Low);
            }

            if (order == 0)
            {
                order = x.Length.CompareTo(y.Length);
            }

            return order != 0 ? order : x.Position.CompareTo(y.Position);
        }
    }

    /// <summary>
    /// The order the kernel tries one prefix's routes in, on their positions in the snapshot: IPv4 by table id
    /// (higher first), type of service (higher first), metric, first added; IPv6 the longer source prefix first,
    /// then metric, first added.
    /// </summary>
    private sealed class KernelOrder : IComparer<int>
    {
        private readonly IPAddressFamily family;
        private readonly IReadOnlyList<NetRouteInfo> routes;

        public KernelOrder(IPAddressFamily family, IReadOnlyList<NetRouteInfo> routes)
        {
            this.family = family;
            this.routes = routes;
        }

        public int Compare(int x, int y)
        {
            var a = routes[x];
            var b = routes[y];
            var order = family == IPAddressFamily.IPv4
                ? Chain(b.Table.CompareTo(a.Table), b.Tos.CompareTo(a.Tos))
                : SourceLength(b).CompareTo(SourceLength(a));
            return Chain(Chain(order, a.RouteMetric.CompareTo(b.RouteMetric)), x.CompareTo(y));
        }

        private static int SourceLength(NetRouteInfo route) => route.SourcePrefix?.Length ?? 0;

        private static int Chain(int first, int then) => first != 0 ? first : then;
    }
}

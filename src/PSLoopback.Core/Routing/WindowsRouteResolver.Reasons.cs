using System.Globalization;
using PSLoopback.Addressing;

namespace PSLoopback.Routing;

// The words of a decision, written only for a trace or when its reason is first read.
public sealed partial class WindowsRouteResolver
{
    /// <summary>A route in Windows' words (route print says On-link where Get-NetRoute says 0.0.0.0).</summary>
    private string Describe(NetRouteInfo route)
    {
        var name = snapshot.FindInterface(route.InterfaceIndex)?.Name ?? route.InterfaceAlias ?? route.InterfaceIndex.ToString(CultureInfo.InvariantCulture);
        return $"{route.DestinationPrefix} {(AddressClass.IsUnspecified(route.NextHop) ? "on-link" : "via " + route.NextHop)} on {name}";
    }

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    private static string DescribeQuery(RouteQuery query)
    {
        var text = "to " + query.Destination;
        if (query.Source is not null)
        {
            text += " from " + query.Source;
        }

        if (query.OutputInterfaceIndex is int oif)
        {
            text += " by interface " + oif.ToString(CultureInfo.InvariantCulture);
        }

        return text + "; Windows has one table and no rules, so mark, uid, ports and type of service play no part";
    }

    /// <summary>What a routed decision's reason is written from when first read: values only, so it keeps no decision's work alive.</summary>
    private sealed class RoutedReason
    {
        private readonly IPPrefix prefix;
        private readonly NetRouteInfo chosen;
        private readonly string? alias;
        private readonly RouteType type;
        private readonly bool known;
        private readonly ulong best;
        private readonly uint? chosenMetric;
        private readonly int usableCount;
        private readonly int tiedCount;
        private readonly bool shorterThanLongest;
        private readonly bool noSource;
        private readonly bool addressesKnown;

        public RoutedReason(IPPrefix prefix, NetRouteInfo chosen, string? alias, RouteType type, bool known, ulong best, uint? chosenMetric, int usableCount, int tiedCount, bool shorterThanLongest, bool noSource, bool addressesKnown)
        {
            this.prefix = prefix;
            this.chosen = chosen;
            this.alias = alias;
            this.type = type;
            this.known = known;
            this.best = best;
            this.chosenMetric = chosenMetric;
            this.usableCount = usableCount;
            this.tiedCount = tiedCount;
            this.shorterThanLongest = shorterThanLongest;
            this.noSource = noSource;
            this.addressesKnown = addressesKnown;
        }

        public string Write()
        {
            var where = AddressClass.IsUnspecified(chosen.NextHop)
                ? $"on the link of {alias}"
                : $"via {chosen.NextHop} on {alias}";
            var metric = known ? $"{chosen.RouteMetric} + {chosenMetric} = {best}" : chosen.RouteMetric.ToString(CultureInfo.InvariantCulture);
            var text = $"{prefix} is the longest matching prefix{(shorterThanLongest ? " with a usable route" : string.Empty)}";
            text += usableCount == 1
                ? $"; its route goes {where} ({(known ? "metric " : "route metric ")}{metric})"
                : tiedCount > 1
                    ? $"; {tiedCount} of its {usableCount} routes tie at the lowest {(known ? "metric" : "route metric")} ({best}), and Windows chooses among them by its own order: shown, {where}"
                    : $"; of its {usableCount} routes, {where} has the lowest {(known ? "metric" : "route metric")} ({metric})";
            if (!known)
            {
                text += usableCount > 1
                    ? ", though the interface metrics were not read and Windows, which adds them, could rank these routes otherwise"
                    : ", interface metric not read";
            }

            if (type is RouteType.Multicast or RouteType.Broadcast && !AddressClass.IsUnspecified(chosen.NextHop))
            {
                text += $"; a {type.ToString().ToLowerInvariant()} is sent on the link, without the route's gateway";
            }

            if (noSource)
            {
                text += addressesKnown
                    ? $"; no address of {alias} can be the source"
                    : "; the source is unknown, since a table of routes alone does not say the host's addresses";
            }

            return text;
        }
    }
}

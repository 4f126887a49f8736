using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;

namespace PSLoopback.Routing;

// Which of a route's usable paths the kernel takes (fib_select_path for IPv4, fib6_select_path for IPv6, as of
// 6.18), and whether that choice is one the snapshot decides or the kernel's hash over the flow.
public sealed partial class LinuxRouteResolver
{
    /// <summary>
    /// The IPv4 choice. A lookup with an output interface skips fib_select_multipath: fib_table_lookup already
    /// took the first path on that interface. Otherwise a multipath route of its own next hops (not a nexthop
    /// object) prefers the path whose own source (nh_saddr: the address the path's device would choose) is the
    /// packet's source; with no such path, or for a nexthop group, the flow's hash decides.
    /// </summary>
    /// <param name="paths">The usable paths, in the route's order (already only those on the output interface).</param>
    private PathPick PickIPv4Path(DecisionWork work, NetRouteInfo route, HopList paths)
    {
        // A route of one next hop has at most one alive: no need to walk its hops.
        if (route.NextHops.Count < 2 || AliveCount(route) < 2)
        {
            return PathPick.All(RoutePathChoice.Only, string.Empty);
        }

        if (work.Query.OutputInterfaceIndex is int oif)
        {
            return new PathPick(new[] { 0 }, RoutePathChoice.OutputInterface, $"the first of its paths on interface {InterfaceName(oif)}, which was asked for");
        }

        var all = Enumerable.Range(0, paths.Count).ToArray();

        if (route.NextHopId is uint group)
        {
            return Hash(work, route, paths, all, work.Query.Source is null
                ? $"nexthop group {group}"
                : $"nexthop group {group} does not prefer the path of the source address");
        }

        if (work.Query.Source is IPAddress source)
        {
            var owning = PathsOfSource(source, route, paths);
            if (owning.Length == 1)
            {
                return new PathPick(owning, RoutePathChoice.SourceAddress, $"the one of its {paths.Count} paths whose device gives {source} as its source");
            }

            if (owning.Length > 1)
            {
                // Among several paths of the source, the hash picks; one of them is taken even when the hash points elsewhere.
                return Hash(work, route, paths, owning, $"{owning.Length} of its {paths.Count} paths give {source} as their source");
            }

            return Hash(work, route, paths, all, $"no path gives {source} as its source");
        }

        return Hash(work, route, paths, all, string.Empty);
    }

    /// <summary>The paths whose device gives <paramref name="source"/> as its source for the route's scope.</summary>
    private int[] PathsOfSource(IPAddress source, NetRouteInfo route, HopList paths)
    {
        var owning = new List<int>();
        for (var i = 0; i < paths.Count; i++)
        {
            if (source.Equals(SelectIPv4Source(paths[i].InterfaceIndex, paths[i].IsOnLink ? null : paths[i].NextHop, route.Scope)))
            {
                owning.Add(i);
            }
        }

        return owning.ToArray();
    }

    /// <summary>
    /// The IPv6 choice: fib6_select_path hashes the flow over the route's siblings unless the lookup is bound to
    /// the output interface (then <paramref name="paths"/> holds only those on it); it has no preference for the
    /// source address. A nexthop group is hashed over all its members, output interface or not.
    /// </summary>
    private PathPick PickIPv6Path(DecisionWork work, NetRouteInfo route, HopList paths)
    {
        if (paths.Count == 1)
        {
            return work.Query.OutputInterfaceIndex is int oif && AliveCount(route) > 1
                ? PathPick.All(RoutePathChoice.OutputInterface, $"its path on interface {InterfaceName(oif)}, which the lookup is bound to")
                : PathPick.All(RoutePathChoice.Only, string.Empty);
        }

        var all = Enumerable.Range(0, paths.Count).ToArray();

        if (route.NextHopId is uint group)
        {
            return Hash(work, route, paths, all, work.Query.OutputInterfaceIndex is null
                ? $"nexthop group {group}"
                : $"nexthop group {group} is hashed over all its members, whatever interface was asked for");
        }

        return Hash(work, route, paths, all, work.Query.Source is null ? string.Empty : "IPv6 does not prefer the path of the source address");
    }

    /// <summary>
    /// A forwarded packet's path (ip_mkroute_input, ip6_route_input): the flow's hash over all usable paths, with
    /// no preference for the source address, which is another host's.
    /// </summary>
    private PathPick PickInputPath(DecisionWork work, NetRouteInfo route, HopList paths) =>
        paths.Count < 2
            ? PathPick.All(RoutePathChoice.Only, string.Empty)
            : Hash(work, route, paths, Enumerable.Range(0, paths.Count).ToArray(), string.Empty);

    /// <summary>
    /// The device whose addresses an IPv6 path's source is chosen from: its own, except through a nexthop
    /// group, where the kernel asks the group's first member's device (fib6_info_nh_dev) whichever path the
    /// flow takes; a connect() agrees with `ip route get` on this.
    /// </summary>
    private static int IPv6SourceDevice(NetRouteInfo route, Hop path) =>
        route.NextHopId is not null ? Hops(route)[0].InterfaceIndex : path.InterfaceIndex;

    /// <summary>
    /// The source `ip route get` gives a packet sent on an IPv6 path: the packet's, the route's prefsrc, else the
    /// best address of <see cref="IPv6SourceDevice"/>; a forwarded packet's is its own (the route's prefsrc is shown).
    /// </summary>
    private IPAddress? IPv6Source(DecisionWork work, NetRouteInfo route, Hop path) =>
        work.Query.InputInterfaceIndex is not null ? work.Query.Source ?? route.PreferredSource
        : work.Query.Source ?? route.PreferredSource ?? SelectIPv6Source(work, IPv6SourceDevice(route, path));

    /// <summary>
    /// The kernel's hash picks among <paramref name="candidates"/>: computed where the snapshot knows all it
    /// takes (<see cref="ComputeHash"/>, <see cref="HashBounds"/>), else said, with the policy and key that steer
    /// it, and not guessed.
    /// </summary>
    private PathPick Hash(DecisionWork work, NetRouteInfo route, HopList paths, int[] candidates, string why)
    {
        var family = route.AddressFamily;
        var name = family == IPAddressFamily.IPv6 ? "net.ipv6.fib_multipath_hash_policy" : "net.ipv4.fib_multipath_hash_policy";
        var policy = snapshot.Settings.Get(name, 0);
        var seed = snapshot.Settings.Get(HashSeedName, 0);
        var prefix = why.Length > 0 ? why + "; " : string.Empty;
        var all = Hops(route);
        var positions = candidates.Select(i => all.IndexOf(paths[i])).ToList();
        if (ComputeHash(work, family, policy, seed) is uint hash && HashBounds(route) is long[] bounds && !positions.Contains(-1))
        {
            var taken = candidates[0];
            if (family == IPAddressFamily.IPv6 && route.NextHopId is null)
            {
                // fib6_select_path: the sibling whose bound the hash falls under, if the lookup may take it (on the
                // interface it is bound to, its router not failed); else the route the lookup found.
                var hashed = Enumerable.Range(0, all.Count).FirstOrDefault(i => hash <= bounds[i]);
                var at = positions.IndexOf(hashed);
                taken = at >= 0 ? candidates[at] : candidates[0];
            }
            else
            {
                // fib_select_multipath and nexthop_select_path_hthr: the first candidate whose bound the hash does
                // not pass, else the first candidate (a path skipped gives its share to the next good one).
                for (var c = 0; c < candidates.Length; c++)
                {
                    if (hash <= bounds[positions[c]])
                    {
                        taken = candidates[c];
                        break;
                    }
                }
            }

            return new PathPick(new[] { taken }, RoutePathChoice.ComputedHash,
                prefix + $"hash: with {HashSeedName}={seed} and {name}={policy} the kernel's hash of this flow is 0x{hash:x8}, which takes path {taken + 1} of {paths.Count}");
        }

        var key = seed == 0 ? "keyed by a random seed of the namespace" : $"keyed by {HashSeedName}={seed}";
        var resilient = NextHopObject(route) is { IsGroup: true, GroupType: NextHopGroupType.Resilient } group
            ? $"; nexthop {group.Id} is a resilient group, whose buckets are the kernel's own state"
            : string.Empty;
        return new PathPick(candidates, RoutePathChoice.Hash,
            prefix + $"hash: the kernel picks one of these {candidates.Length} paths by the flow's hash ({name}={policy}: {HashFields(family, policy)}, {key}{resilient}); the first is shown, not predicted");
    }

    /// <summary>
    /// The kernel's multipath hash of this flow, where the snapshot can compute it: a seed set (else it is
    /// random), and a policy that takes nothing but what the query gives. Policy 0 hashes the addresses (IPv6's
    /// also its flow label and next header); 1 the addresses, protocol and ports; 2 is policy 0 for a packet that
    /// is not encapsulated, as a query's is; 3 the outer fields net.ipvN.fib_multipath_hash_fields names (the inner
    /// ones are of an encapsulated packet). As `ip route get` asks, a flow without ports has ports 0, and one
    /// without a protocol has protocol 0, except IPv4's: inet_rtm_getroute builds a UDP packet then.
    /// </summary>
    private uint? ComputeHash(DecisionWork work, IPAddressFamily family, long policy, long seed)
    {
        if (policy is < 0 or > 3 || seed <= 0 || seed > uint.MaxValue)
        {
            return null;
        }

        var ipv4 = family == IPAddressFamily.IPv4;
        var fields = policy switch
        {
            0 or 2 => ipv4 ? HashField.Addresses : HashField.Addresses | HashField.Protocol | HashField.FlowLabel,
            1 => HashField.Addresses | HashField.Protocol | HashField.Ports,
            _ => (HashField)snapshot.Settings.Get(ipv4 ? "net.ipv4.fib_multipath_hash_fields" : "net.ipv6.fib_multipath_hash_fields", DefaultHashFields),
        };
        var query = work.Query;
        var any = ipv4 ? IPAddress.Any : IPAddress.IPv6Any;
        var source = query.Source ?? any;
        var flow = new LinuxMultipathFlow((fields & HashField.SourceAddress) != 0 ? source : any, (fields & HashField.DestinationAddress) != 0 ? query.Destination : any)
        {
            Protocol = (fields & HashField.Protocol) == 0 ? (byte)0 : FlowProtocol(query),
            FlowLabel = !ipv4 && (fields & HashField.FlowLabel) != 0 ? query.FlowLabel : 0,
            SourcePort = (fields & HashField.SourcePort) != 0 ? query.SourcePort : (ushort)0,
            DestinationPort = (fields & HashField.DestinationPort) != 0 ? query.DestinationPort : (ushort)0,
        };
        if (policy != 3)
        {
            return LinuxMultipathHash.Compute((uint)seed, flow);
        }

        // fib_multipath_custom_hash_*: no outer field chosen, no outer hash. IPv4's `ip route get` hands the
        // kernel a packet, whose outer hash is mixed with the inner one (0: a query's packet is not encapsulated).
        var outer = (fields & HashField.Outer) == 0 ? 0 : LinuxMultipathHash.FlowHash((uint)seed, flow);
        return (ipv4 ? LinuxMultipathHash.JenkinsTwoWords(outer, 0) : outer) >> 1;
    }

    /// <summary>The outer bits of fib_multipath_hash_fields (FIB_MULTIPATH_HASH_FIELD_*); the inner ones start at 0x40.</summary>
    [Flags]
    private enum HashField
    {
        SourceAddress = 0x1,
        DestinationAddress = 0x2,
        Protocol = 0x4,
        FlowLabel = 0x8,
        SourcePort = 0x10,
        DestinationPort = 0x20,
        Addresses = SourceAddress | DestinationAddress,
        Ports = SourcePort | DestinationPort,
        Outer = 0x3f,
    }

    /// <summary>The kernel's default fib_multipath_hash_fields: source, destination, protocol.</summary>
    private const long DefaultHashFields = 0x7;

    /// <summary>
    /// Each path's upper bound, by its place in the route's hops: a hash-threshold nexthop group's bounds cover
    /// all its members (nh_hthr_group_rebalance); a route's own next hops, those alive, a dead one never taken
    /// (fib_rebalance, rt6_multipath_rebalance). A resilient group's buckets are not in the snapshot: null.
    /// </summary>
    private long[]? HashBounds(NetRouteInfo route)
    {
        var all = Hops(route);
        if (route.NextHopId is not null)
        {
            return NextHopObject(route) is { GroupType: NextHopGroupType.Resilient } ? null : LinuxMultipathHash.UpperBounds(Enumerable.Range(0, all.Count).Select(i => all[i].Weight).ToList());
        }

        var bounds = LinuxMultipathHash.UpperBounds(Enumerable.Range(0, all.Count).Select(i => all[i].IsDead ? 0 : all[i].Weight).ToList());
        for (var i = 0; i < all.Count; i++)
        {
            if (all[i].IsDead)
            {
                bounds[i] = -1;
            }
        }

        return bounds;
    }

    private const string HashSeedName = "net.ipv4.fib_multipath_hash_seed";

    private static string HashFields(IPAddressFamily family, long policy) => policy switch
    {
        0 => family == IPAddressFamily.IPv6 ? "addresses, flow label and next header" : "source and destination addresses",
        1 => "addresses, protocol and ports",
        2 => "addresses, of the inner packet where there is one",
        3 => "the fields fib_multipath_hash_fields names",
        _ => "policy " + policy.ToString(CultureInfo.InvariantCulture),
    };

    private static int AliveCount(NetRouteInfo route) => Hops(route).Alive().Count;

    private string InterfaceName(int index) => Device(index)?.Name ?? index.ToString(CultureInfo.InvariantCulture);

    /// <summary>Writes the choice on the decision and the trace; the paths kept are those the kernel may still take.</summary>
    private static void Record(DecisionWork work, NetRouteInfo route, PathPick pick)
    {
        work.Decision.PathChoice = pick.Choice;
        if (pick.Candidates is int[] kept)
        {
            var paths = work.Decision.Paths;
            work.Decision.Paths = kept.Select(i => paths[i]).ToArray();
        }

        if (work.Explaining && pick.Why.Length > 0)
        {
            work.Note(RouteTraceStage.Path, route.ToString(), pick.Why);
        }
    }

    /// <summary>
    /// The paths the kernel may take once its choices that do not hash are made, and how it made them. A
    /// further choice (a neighbour's state, say) narrows <see cref="Candidates"/> before the hash is named.
    /// </summary>
    private readonly struct PathPick
    {
        public PathPick(int[] candidates, RoutePathChoice choice, string why)
        {
            Candidates = candidates ?? throw new ArgumentNullException(nameof(candidates));
            Choice = choice;
            Why = why;
        }

        private PathPick(RoutePathChoice choice, string why)
        {
            Candidates = null;
            Choice = choice;
            Why = why;
        }

        /// <summary>Indexes into the usable paths, in the route's order, the first the headline; null for all of them.</summary>
        public int[]? Candidates { get; }

        public int First => Candidates?[0] ?? 0;

        public RoutePathChoice Choice { get; }

        /// <summary>A clause for the reason and the trace; empty when there was nothing to choose.</summary>
        public string Why { get; }

        /// <summary>Every usable path stays a candidate: nothing was chosen, or the choice was made before.</summary>
        public static PathPick All(RoutePathChoice choice, string why) => new(choice, why);
    }
}

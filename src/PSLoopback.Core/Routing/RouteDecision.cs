using System;
using System.Collections.Generic;
using System.Net;
using System.Threading;
using PSLoopback.Addressing;

namespace PSLoopback.Routing;

/// <summary>
/// Where a packet to one destination goes, and why: Resolve-NetRoute's answer. Unreachable, blackhole,
/// prohibit and "no route" are answers here (<see cref="RouteType"/> and <see cref="Error"/>), not failures.
/// </summary>
public sealed partial class RouteDecision
{
    private string? destination;
    private string? reason;
    private IReadOnlyList<RoutePath>? paths;

    // All of the answer but the destination, route and source. Decisions of one shape share it (the one step's
    // answers, made once when the resolver is built), so such a decision is 88 bytes instead of 200 (ResolverBenchmarks, allocated per decision) and is made
    // with a few stores; a decision that sets any of it first takes its own copy. Each constructor sets it (not an
    // initializer, which the shared shape's constructor would store over: one more write barrier per decision).
    private Shape shape;

    // The source of the one path, when the answer keeps its one path as fields (a copy may change SourceAddress alone).
    private IPAddress? onlyPathSource;

    // A one-step decision names its route by its node in the table its shape keeps, and reads the route only when
    // asked: at a million routes each node's answer is then 4 bytes, not 16 with the route, and the decision makes
    // one cache miss fewer. 0 when the route is the field's. Once read, the decision lets go of the table (its shape's
    // twin without it), so a decision kept after its route was read does not keep a million routes alive.
    private NetRouteInfo? route;
    private int node;

    public RouteDecision(IPAddress remoteIPAddress)
    {
        RemoteIPAddress = remoteIPAddress ?? throw new ArgumentNullException(nameof(remoteIPAddress));
        shape = Shape.Empty;
    }

    /// <summary>A decision of a shared shape (<see cref="SharedShape"/>), its route as its node in the shape's table (0 for none), and its source.</summary>
    internal RouteDecision(IPAddress remoteIPAddress, Shape shape, int node, IPAddress? source)
    {
        RemoteIPAddress = remoteIPAddress;
        this.shape = shape;
        this.node = node;
        SourceAddress = source;
        onlyPathSource = source;
    }

    /// <summary>The destination as the user gave it: an address or a host name.</summary>
    public string Destination
    {
        get => destination ??= RemoteIPAddress.ToString();
        set => destination = value;
    }

    public IPAddress RemoteIPAddress { get; }

    public IPAddressFamily AddressFamily => RemoteIPAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
        ? IPAddressFamily.IPv6
        : IPAddressFamily.IPv4;

    public RouteType RouteType
    {
        get => shape.RouteType;
        internal set => Own().RouteType = value;
    }

    /// <summary>The errno `ip route get` answers with when the packet cannot be sent; None when it can.</summary>
    public RouteError Error
    {
        get => shape.Error;
        internal set => Own().Error = value;
    }

    public int? InterfaceIndex
    {
        get => (shape.Has & Has.InterfaceIndex) != 0 ? shape.InterfaceIndex : null;
        internal set => Own().InterfaceIndex = Set(Has.InterfaceIndex, value);
    }

    public string? InterfaceAlias
    {
        get => shape.InterfaceAlias;
        internal set => Own().InterfaceAlias = value;
    }

    /// <summary>The gateway, or the unspecified address when the destination is on-link; null when no route.</summary>
    public IPAddress? NextHop
    {
        get => shape.NextHopIsRoutes ? Route?.NextHop : shape.NextHop;
        internal set
        {
            var own = Own();
            own.NextHop = value;
            own.NextHopIsRoutes = false;
        }
    }

    public IPAddress? SourceAddress { get; internal set; }

    public IPPrefix? DestinationPrefix => Route?.DestinationPrefix;

    public uint? RouteMetric => Route?.RouteMetric;

    /// <summary>Windows: the chosen interface's metric, which Windows added to the route's to rank it; null on Linux.</summary>
    public uint? InterfaceMetric
    {
        get => shape.Rare?.InterfaceMetric;
        internal set => Rares.InterfaceMetric = value;
    }

    public uint? Table
    {
        get => (shape.Has & Has.Table) != 0 ? shape.Table : null;
        internal set
        {
            var own = Own();
            own.Table = value ?? 0;
            own.Has = value is null ? own.Has & ~Has.Table : own.Has | Has.Table;
        }
    }

    public string? TableName => Table is uint table ? RouteTables.Name(table) : null;

    public uint? RulePriority => Rule?.Priority;

    /// <summary>True when the packet never leaves this host: a local destination or a loopback interface.</summary>
    public bool StaysOnHost
    {
        get => shape.StaysOnHost;
        internal set => Own().StaysOnHost = value;
    }

    public NetRouteInfo? Route
    {
        get
        {
            // Readers on other threads may ask at the same time (reading a decision from many threads is safe; setting
            // its fields while another reads is not): the route is published before the table is let go of, so one
            // that finds the table gone finds the route.
            var known = Volatile.Read(ref route);
            if (known is not null || node == 0)
            {
                return known;
            }

            var current = Volatile.Read(ref shape);
            if (current.Routes is not PrefixTable<object> table)
            {
                return Volatile.Read(ref route);
            }

            known = (NetRouteInfo)table.ValueAt(node)!;
            Volatile.Write(ref route, known);
            if (current.IsShared)
            {
                Interlocked.CompareExchange(ref shape, current.WithoutRoutes!, current);
            }
            else
            {
                // This decision's own shape: cleared in place, not copied, so that a field set at the same moment stays.
                Interlocked.MemoryBarrier();
                current.Routes = null;
            }

            return known;
        }

        internal set
        {
            route = value;
            node = 0;
        }
    }

    public NetRouteRule? Rule
    {
        get => shape.Rule;
        internal set => Own().Rule = value;
    }

    /// <summary>Every way the kernel may send this flow; more than one for a multipath route, whose pick is by flow hash.</summary>
    public IReadOnlyList<RoutePath> Paths
    {
        get => paths ??= shape.HasOnlyPath ? new[] { shape.OnlyPath.ToPath(Route, onlyPathSource) } : Array.Empty<RoutePath>();
        internal set
        {
            paths = value;
            if (shape.HasOnlyPath)
            {
                Own().HasOnlyPath = false;
            }
        }
    }

    /// <summary>How the headline path was chosen among <see cref="Paths"/>; with Hash the headline is only the first of them.</summary>
    public RoutePathChoice PathChoice
    {
        get => shape.PathChoice;
        internal set => Own().PathChoice = value;
    }
    /// <summary>
    /// The MTU `ip route get` reports: the path MTU of the route exception that answered, else the route's own
    /// mtu metric; null when neither has one (the kernel then prints none, and the device's MTU applies).
    /// </summary>
    public int? Mtu
    {
        get => (shape.Has & Has.Mtu) != 0 ? shape.Mtu : null;
        internal set => Own().Mtu = Set(Has.Mtu, value);
    }

    /// <summary>The MTU packets on this path get: <see cref="Mtu"/>, else the output interface's MTU; null when neither is known.</summary>
    public int? PathMtu
    {
        get => (shape.Has & Has.PathMtu) != 0 ? shape.PathMtu : null;
        internal set => Own().PathMtu = Set(Has.PathMtu, value);
    }

    /// <summary>Linux: the route exception (`ip route show cache`) that answered for the destination, or null.</summary>
    public NetRouteException? RouteException
    {
        get => shape.Rare?.RouteException;
        internal set => Rares.RouteException = value;
    }

    /// <summary>Whether the answer comes from the route exception cache (ip's "cache"): a redirect's gateway or a learned path MTU.</summary>
    public bool FromCache => RouteException is not null;

    /// <summary>Whether the route exception's gateway came from an ICMP redirect (ip's "cache &lt;redirected&gt;").</summary>
    public bool Redirected
    {
        get => shape.Rare?.Redirected ?? false;
        internal set => Rares.Redirected = value;
    }

    /// <summary>
    /// Linux: other routes through the nexthop object this answer's path takes, whose MTU (and on IPv6 source) the
    /// kernel may give instead. It caches the route a lookup makes on that nexthop (one per CPU), made by whichever
    /// route through it was looked up first since the last route change, and answers every route through it from
    /// that copy. Empty when no other route would change the answer.
    /// </summary>
    public IReadOnlyList<SharedNextHopRoute> RoutesSharingNextHop
    {
        get => shape.Rare?.RoutesSharingNextHop ?? Array.Empty<SharedNextHopRoute>();
        internal set => Rares.RoutesSharingNextHop = value;
    }

    /// <summary>One sentence on why: the rule, the table and the route that decided, or what refused.</summary>
    /// <remarks>Written when first read: most of a hundred thousand answers are never shown.</remarks>
    public string Reason
    {
        get => reason ??= shape.Reason.Write(this) + shape.Rare?.ReasonSuffix;
        internal set
        {
            reason = value;
            if (shape.Reason.IsSet)
            {
                Own().Reason = default;
            }

            if (shape.Rare is not null)
            {
                Own().Rare!.ReasonSuffix = null;
            }
        }
    }

    /// <summary>Every step the resolver took; filled when the caller asks for an explanation.</summary>
    public IReadOnlyList<RouteTraceStep> Trace
    {
        get => shape.Rare?.Trace ?? Array.Empty<RouteTraceStep>();
        internal set => Rares.Trace = value;
    }

    /// <summary>With -Verify: whether the kernel, asked the same question, gave the same answer.</summary>
    public bool? KernelAgrees
    {
        get => shape.Rare?.KernelAgrees;
        set => Rares.KernelAgrees = value;
    }

    /// <summary>With -Verify: agreement, a difference, or the kernel's hash taking another of <see cref="Paths"/>.</summary>
    public KernelVerdict? KernelVerdict
    {
        get => shape.Rare?.KernelVerdict;
        set => Rares.KernelVerdict = value;
    }

    /// <summary>With -Verify: the kernel's own answer, in `ip route get` words.</summary>
    public string? KernelAnswer
    {
        get => shape.Rare?.KernelAnswer;
        set => Rares.KernelAnswer = value;
    }

    public override string ToString() => $"{Destination}: {RouteType} {Reason}";

    /// <summary>The first path's next hop, without making the paths.</summary>
    internal IPAddress FirstPathNextHop => paths is null && shape.HasOnlyPath ? shape.OnlyPath.NextHop ?? Route!.NextHop : Paths[0].NextHop;

    /// <summary>The first path's source, without making the paths.</summary>
    internal IPAddress? FirstPathSource => paths is null && shape.HasOnlyPath ? onlyPathSource : Paths[0].SourceAddress;

    /// <summary>The one path of the answer, kept as fields until <see cref="Paths"/> is read.</summary>
    internal void SetOnlyPath(IPAddress nextHop, int interfaceIndex, string? interfaceAlias, IPAddress? source, int weight, uint? nextHopId)
    {
        paths = null;
        var own = Own();
        own.HasOnlyPath = true;
        own.OnlyPath = new OnlyPath(nextHop, interfaceIndex, interfaceAlias, weight, nextHopId);
        onlyPathSource = source;
    }

    /// <summary>
    /// The one path through <see cref="Route"/>'s own gateway, which is also the headline next hop: neither is read
    /// from the route until asked for. Set <see cref="Route"/> first.
    /// </summary>
    internal void SetOnlyPathThroughRoutesGateway(int interfaceIndex, string? interfaceAlias, IPAddress? source)
    {
        paths = null;
        var own = Own();
        own.HasOnlyPath = true;
        own.OnlyPath = new OnlyPath(null, interfaceIndex, interfaceAlias, 1, null);
        onlyPathSource = source;
        own.NextHop = null;
        own.NextHopIsRoutes = true;
    }

    internal void SetReason(Func<string> factory) => SetReason(DecisionReason.Of(factory));

    /// <summary>The reason, written when first read from what it was given.</summary>
    internal void SetReason(in DecisionReason parts)
    {
        reason = null;
        Own().Reason = parts;
        if (shape.Rare is not null)
        {
            Own().Rare!.ReasonSuffix = null;
        }
    }

    /// <summary>Adds to the reason, still written only when first read if it was not yet.</summary>
    internal void ExtendReason(string more)
    {
        if (reason is not null)
        {
            reason += more;
        }
        else
        {
            Rares.ReasonSuffix += more;
        }
    }

    /// <summary>A copy that takes one of <see cref="Paths"/> as the answer (the one the kernel hashed the flow to).</summary>
    internal RouteDecision WithPath(RoutePath path)
    {
        var copy = Copy();
        copy.InterfaceIndex = path.InterfaceIndex;
        copy.InterfaceAlias = path.InterfaceAlias;
        copy.NextHop = path.NextHop;
        copy.SourceAddress = path.SourceAddress;
        return copy;
    }

    /// <summary>A copy with the source and MTU the kernel gives when its cached route was made by <paramref name="other"/>.</summary>
    internal RouteDecision WithSharedRoute(SharedNextHopRoute other)
    {
        var copy = Copy();
        copy.SourceAddress = other.SourceAddress;
        copy.Mtu = other.Mtu;
        return copy;
    }

    /// <summary>
    /// This decision's shape, frozen, for decisions that differ only in destination, route and source: made once
    /// from a decision set up as they all are, and given to <see cref="RouteDecision(IPAddress, Shape, int, IPAddress)"/>
    /// with the node of their route in <paramref name="routes"/>.
    /// </summary>
    internal Shape SharedShape(PrefixTable<object>? routes)
    {
        var shared = shape.Frozen();
        shared.WithoutRoutes = shape.Frozen();
        shared.Routes = routes;
        return shared;
    }

    private Rare Rares => Own().Rare ??= new Rare();

    // The shape to write: a shared one is copied first.
    private Shape Own() => shape.IsShared ? shape = shape.Thawed() : shape;

    private int Set(Has bit, int? value)
    {
        var own = Own();
        own.Has = value is null ? own.Has & ~bit : own.Has | bit;
        return value ?? 0;
    }

    [Flags]
    internal enum Has : byte
    {
        InterfaceIndex = 1,
        Mtu = 2,
        PathMtu = 4,
        Table = 8,
    }

    // A copy owns its shape and rare fields: setting a copy's KernelAgrees leaves the original's alone.
    private RouteDecision Copy()
    {
        var copy = (RouteDecision)MemberwiseClone();
        copy.shape = shape.IsShared ? shape : shape.Thawed();
        return copy;
    }
}

using System;
using System.Collections.Generic;
using System.Net;
using PSLoopback.Addressing;

namespace PSLoopback.Routing;

/// <summary>
/// Where a packet to one destination goes, and why: Resolve-NetRoute's answer. Unreachable, blackhole,
/// prohibit and "no route" are answers here (<see cref="RouteType"/> and <see cref="Error"/>), not failures.
/// </summary>
public sealed class RouteDecision
{
    private string? destination;
    private string? reason;
    private DecisionReason reasonParts;
    private IReadOnlyList<RoutePath>? paths;

    // What most answers never have, kept apart so that the common answer is a smaller object.
    private Rare? rare;

    // A decision of one path keeps it as fields until Paths is read: most answers are never asked for their paths.
    private bool hasOnlyPath;
    private OnlyPath onlyPath;

    // The next hop, unless nextHopIsRoutes: then it is Route's, read only when asked (at a million routes, the route
    // object is a cache miss the decision itself need not make).
    private IPAddress? nextHop;
    private bool nextHopIsRoutes;

    // The nullable numbers as values and a bit each for whether they are set: four int? would take twice the room.
    private int interfaceIndex;
    private int mtu;
    private int pathMtu;
    private uint table;
    private Has has;

    public RouteDecision(IPAddress remoteIPAddress)
    {
        RemoteIPAddress = remoteIPAddress ?? throw new ArgumentNullException(nameof(remoteIPAddress));
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

    public RouteType RouteType { get; internal set; } = RouteType.NoRoute;

    /// <summary>The errno `ip route get` answers with when the packet cannot be sent; None when it can.</summary>
    public RouteError Error { get; internal set; }

    public int? InterfaceIndex
    {
        get => (has & Has.InterfaceIndex) != 0 ? interfaceIndex : null;
        internal set => interfaceIndex = Set(Has.InterfaceIndex, value);
    }

    public string? InterfaceAlias { get; internal set; }

    /// <summary>The gateway, or the unspecified address when the destination is on-link; null when no route.</summary>
    public IPAddress? NextHop
    {
        get => nextHopIsRoutes ? Route?.NextHop : nextHop;
        internal set
        {
            nextHop = value;
            nextHopIsRoutes = false;
        }
    }

    public IPAddress? SourceAddress { get; internal set; }

    public IPPrefix? DestinationPrefix => Route?.DestinationPrefix;

    public uint? RouteMetric => Route?.RouteMetric;

    /// <summary>Windows: the chosen interface's metric, which Windows added to the route's to rank it; null on Linux.</summary>
    public uint? InterfaceMetric
    {
        get => rare?.InterfaceMetric;
        internal set => Rares.InterfaceMetric = value;
    }

    public uint? Table
    {
        get => (has & Has.Table) != 0 ? table : null;
        internal set
        {
            table = value ?? 0;
            has = value is null ? has & ~Has.Table : has | Has.Table;
        }
    }

    public string? TableName => Table is uint table ? RouteTables.Name(table) : null;

    public uint? RulePriority => Rule?.Priority;

    /// <summary>True when the packet never leaves this host: a local destination or a loopback interface.</summary>
    public bool StaysOnHost { get; internal set; }

    public NetRouteInfo? Route { get; internal set; }

    public NetRouteRule? Rule { get; internal set; }

    /// <summary>Every way the kernel may send this flow; more than one for a multipath route, whose pick is by flow hash.</summary>
    public IReadOnlyList<RoutePath> Paths
    {
        get => paths ??= hasOnlyPath ? new[] { onlyPath.ToPath(Route) } : Array.Empty<RoutePath>();
        internal set
        {
            paths = value;
            hasOnlyPath = false;
        }
    }

    /// <summary>How the headline path was chosen among <see cref="Paths"/>; with Hash the headline is only the first of them.</summary>
    public RoutePathChoice PathChoice { get; internal set; }
    /// <summary>
    /// The MTU `ip route get` reports: the path MTU of the route exception that answered, else the route's own
    /// mtu metric; null when neither has one (the kernel then prints none, and the device's MTU applies).
    /// </summary>
    public int? Mtu
    {
        get => (has & Has.Mtu) != 0 ? mtu : null;
        internal set => mtu = Set(Has.Mtu, value);
    }

    /// <summary>The MTU packets on this path get: <see cref="Mtu"/>, else the output interface's MTU; null when neither is known.</summary>
    public int? PathMtu
    {
        get => (has & Has.PathMtu) != 0 ? pathMtu : null;
        internal set => pathMtu = Set(Has.PathMtu, value);
    }

    /// <summary>Linux: the route exception (`ip route show cache`) that answered for the destination, or null.</summary>
    public NetRouteException? RouteException
    {
        get => rare?.RouteException;
        internal set => Rares.RouteException = value;
    }

    /// <summary>Whether the answer comes from the route exception cache (ip's "cache"): a redirect's gateway or a learned path MTU.</summary>
    public bool FromCache => RouteException is not null;

    /// <summary>Whether the route exception's gateway came from an ICMP redirect (ip's "cache &lt;redirected&gt;").</summary>
    public bool Redirected
    {
        get => rare?.Redirected ?? false;
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
        get => rare?.RoutesSharingNextHop ?? Array.Empty<SharedNextHopRoute>();
        internal set => Rares.RoutesSharingNextHop = value;
    }

    /// <summary>One sentence on why: the rule, the table and the route that decided, or what refused.</summary>
    /// <remarks>Written when first read: most of a hundred thousand answers are never shown.</remarks>
    public string Reason
    {
        get => reason ??= reasonParts.Write(this) + rare?.ReasonSuffix;
        internal set
        {
            reason = value;
            reasonParts = default;
            if (rare is not null)
            {
                rare.ReasonSuffix = null;
            }
        }
    }

    /// <summary>Every step the resolver took; filled when the caller asks for an explanation.</summary>
    public IReadOnlyList<RouteTraceStep> Trace
    {
        get => rare?.Trace ?? Array.Empty<RouteTraceStep>();
        internal set => Rares.Trace = value;
    }

    /// <summary>With -Verify: whether the kernel, asked the same question, gave the same answer.</summary>
    public bool? KernelAgrees
    {
        get => rare?.KernelAgrees;
        set => Rares.KernelAgrees = value;
    }

    /// <summary>With -Verify: agreement, a difference, or the kernel's hash taking another of <see cref="Paths"/>.</summary>
    public KernelVerdict? KernelVerdict
    {
        get => rare?.KernelVerdict;
        set => Rares.KernelVerdict = value;
    }

    /// <summary>With -Verify: the kernel's own answer, in `ip route get` words.</summary>
    public string? KernelAnswer
    {
        get => rare?.KernelAnswer;
        set => Rares.KernelAnswer = value;
    }

    public override string ToString() => $"{Destination}: {RouteType} {Reason}";

    /// <summary>The first path's next hop, without making the paths.</summary>
    internal IPAddress FirstPathNextHop => paths is null && hasOnlyPath ? onlyPath.NextHop ?? Route!.NextHop : Paths[0].NextHop;

    /// <summary>The first path's source, without making the paths.</summary>
    internal IPAddress? FirstPathSource => paths is null && hasOnlyPath ? onlyPath.Source : Paths[0].SourceAddress;

    /// <summary>The one path of the answer, kept as fields until <see cref="Paths"/> is read.</summary>
    internal void SetOnlyPath(IPAddress nextHop, int interfaceIndex, string? interfaceAlias, IPAddress? source, int weight, uint? nextHopId)
    {
        paths = null;
        hasOnlyPath = true;
        onlyPath = new OnlyPath(nextHop, interfaceIndex, interfaceAlias, source, weight, nextHopId);
    }

    /// <summary>
    /// The one path through <see cref="Route"/>'s own gateway, which is also the headline next hop: neither is read
    /// from the route until asked for. Set <see cref="Route"/> first.
    /// </summary>
    internal void SetOnlyPathThroughRoutesGateway(int interfaceIndex, string? interfaceAlias, IPAddress? source)
    {
        paths = null;
        hasOnlyPath = true;
        onlyPath = new OnlyPath(null, interfaceIndex, interfaceAlias, source, 1, null);
        nextHop = null;
        nextHopIsRoutes = true;
    }

    internal void SetReason(Func<string> factory) => SetReason(DecisionReason.Of(factory));

    /// <summary>The reason, written when first read from what it was given.</summary>
    internal void SetReason(in DecisionReason parts)
    {
        reason = null;
        reasonParts = parts;
        if (rare is not null)
        {
            rare.ReasonSuffix = null;
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

    private Rare Rares => rare ??= new Rare();

    private int Set(Has bit, int? value)
    {
        has = value is null ? has & ~bit : has | bit;
        return value ?? 0;
    }

    [Flags]
    private enum Has : byte
    {
        InterfaceIndex = 1,
        Mtu = 2,
        PathMtu = 4,
        Table = 8,
    }

    // A copy owns its rare fields: setting a copy's KernelAgrees leaves the original's alone.
    private RouteDecision Copy()
    {
        var copy = (RouteDecision)MemberwiseClone();
        copy.rare = rare?.Copy();
        return copy;
    }

    private sealed class Rare
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

    private readonly struct OnlyPath
    {
        public OnlyPath(IPAddress? nextHop, int interfaceIndex, string? interfaceAlias, IPAddress? source, int weight, uint? nextHopId)
        {
            NextHop = nextHop;
            InterfaceIndex = interfaceIndex;
            InterfaceAlias = interfaceAlias;
            Source = source;
            Weight = weight;
            NextHopId = nextHopId;
        }

        /// <summary>Null for the route's own gateway.</summary>
        public IPAddress? NextHop { get; }

        public int InterfaceIndex { get; }

        public string? InterfaceAlias { get; }

        public IPAddress? Source { get; }

        public int Weight { get; }

        public uint? NextHopId { get; }

        public RoutePath ToPath(NetRouteInfo? route) => new(NextHop ?? route!.NextHop, InterfaceIndex, InterfaceAlias, Source, Weight) { NextHopId = NextHopId };
    }
}

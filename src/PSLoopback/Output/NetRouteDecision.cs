using System.Globalization;
using System.Linq;
using System.Text;
using PSLoopback.Addressing;
using PSLoopback.Routing;

namespace PSLoopback.Output;

/// <summary>
/// Where a packet to one destination goes, and why (Resolve-NetRoute's answer), as text and numbers. It reads
/// the resolver's decision when asked, so the reason and the trace cost nothing for answers never shown; only the
/// route is read at once, which lets the decision go of the resolver's table.
/// </summary>
public sealed class NetRouteDecision
{
    private readonly RouteDecision decision;
    private TextList<NetRoutePath>? paths;
    private TextList<NetRouteTraceStep>? trace;
    private TextList<NetSharedNextHopRoute>? sharing;

    internal NetRouteDecision(RouteDecision decision)
    {
        this.decision = decision;

        // A decision lets go of the resolver's table once its route is read: an answer kept in a variable then keeps
        // its own route, not every route of the snapshot (about 270 MB on a host with a million).
        _ = decision.Route;
    }

    /// <summary>The destination as the user gave it: an address or a host name.</summary>
    public string Destination => decision.Destination;

    public string RemoteIPAddress => decision.RemoteIPAddress.ToString();

    public string AddressFamily => decision.AddressFamily.ToString();

    public string RouteType => decision.RouteType.ToString();

    /// <summary>The errno `ip route get` answers with when the packet cannot be sent; None when it can.</summary>
    public string Error => decision.Error.ToString();

    public int? InterfaceIndex => decision.InterfaceIndex;

    public int? ifIndex => decision.InterfaceIndex;

    public string? InterfaceAlias => decision.InterfaceAlias;

    /// <summary>The gateway, or the unspecified address when on-link; null when there is no route.</summary>
    public string? NextHop => OutputText.Of(decision.NextHop);

    public string? SourceAddress => OutputText.Of(decision.SourceAddress);

    public string? DestinationPrefix => OutputText.Of(decision.DestinationPrefix);

    public uint? RouteMetric => decision.RouteMetric;

    /// <summary>Windows: the chosen interface's metric, added to RouteMetric to rank the routes; null on Linux.</summary>
    public uint? InterfaceMetric => decision.InterfaceMetric;

    public uint? Table => decision.Table;

    public string? TableName => decision.TableName;

    public uint? RulePriority => decision.RulePriority;

    /// <summary>The rule that chose the table, as ip rule prints it; null without policy rules.</summary>
    public string? Rule => decision.Rule?.ToString();

    /// <summary>The route that decided, as ip route prints it.</summary>
    public string? Route => decision.Route is { } route ? new NetRoute(route).Text : null;

    /// <summary>The MTU `ip route get` reports: the route exception's path MTU, else the route's mtu metric; null when neither.</summary>
    public int? Mtu => decision.Mtu;

    /// <summary>The MTU this path gets: <see cref="Mtu"/>, else the output interface's MTU.</summary>
    public int? PathMtu => decision.PathMtu;

    /// <summary>Linux: the answer comes from the route exception cache (ip's "cache"): a redirect or a learned path MTU.</summary>
    public bool FromCache => decision.FromCache;

    /// <summary>Linux: the gateway came from an ICMP redirect (ip's "cache &lt;redirected&gt;").</summary>
    public bool Redirected => decision.Redirected;

    /// <summary>Linux: the seconds the cache entry that answered had left when the snapshot was read (a number, so JSON and CSV keep it); null when it does not expire.</summary>
    public long? CacheExpiresSeconds => OutputText.Seconds(decision.RouteException?.Expires);

    /// <summary>Linux: the cache entry that answered, as `ip route show cache` prints it.</summary>
    public string? CacheEntry => decision.RouteException?.ToString();

    /// <summary>True when the packet never leaves this host: a local destination or a loopback interface.</summary>
    public bool StaysOnHost => decision.StaysOnHost;

    /// <summary>Every way the kernel may send this flow; more than one for a multipath route.</summary>
    public TextList<NetRoutePath> Paths => paths ??= new TextList<NetRoutePath>(decision.Paths.Select(p => new NetRoutePath(p)), "; ");

    /// <summary>
    /// Linux: other routes through this answer's nexthop object whose MTU (and IPv6 source) the kernel may give
    /// instead, since it caches the route a lookup makes on the nexthop, made by whichever route was looked up first.
    /// </summary>
    public TextList<NetSharedNextHopRoute> RoutesSharingNextHop => sharing ??= new TextList<NetSharedNextHopRoute>(decision.RoutesSharingNextHop.Select(r => new NetSharedNextHopRoute(r)), "; ");

    public string Reason => decision.Reason;

    /// <summary>Every step the resolver took; filled with -Explain.</summary>
    public TextList<NetRouteTraceStep> Trace => trace ??= new TextList<NetRouteTraceStep>(decision.Trace.Select(s => new NetRouteTraceStep(s)), "; ");

    /// <summary>With -Verify: whether the kernel, asked the same question, gave the same answer.</summary>
    public bool? KernelAgrees => decision.KernelAgrees;

    /// <summary>With -Verify: the kernel's own answer, in `ip route get` words.</summary>
    public string? KernelAnswer => decision.KernelAnswer;

    /// <summary>With -Verify: Agrees, Differs, HashChoseOtherPath (the kernel's flow hash took another of Paths), LastChoiceTookOtherPath or CachedFromOtherRoute (one of RoutesSharingNextHop).</summary>
    public string? KernelVerdict => decision.KernelVerdict?.ToString();

    /// <summary>How the headline was chosen among Paths: Only, OutputInterface, SourceAddress, or Hash (the first path is shown, not predicted).</summary>
    public string PathChoice => decision.PathChoice.ToString();

    /// <summary>The answer in `ip route get` words, with the table, rule and prefix that decided; each multipath path on a line of its own.</summary>
    public string Text => IpText();

    public override string ToString() => decision.ToString();

    private string IpText()
    {
        var text = new StringBuilder(Destination);
        if (Destination != RemoteIPAddress)
        {
            text.Append(" (").Append(RemoteIPAddress).Append(')');
        }

        if (decision.RouteType != Routing.RouteType.Unicast)
        {
            text.Append(' ').Append(decision.RouteType.ToString().ToLowerInvariant());
        }

        if (decision.Error != RouteError.None)
        {
            text.Append(" error ").Append(decision.Error);
        }

        if (decision.NextHop is { } hop && !AddressClass.IsUnspecified(hop))
        {
            text.Append(" via ").Append(hop);
        }

        if (InterfaceAlias is not null)
        {
            text.Append(" dev ").Append(InterfaceAlias);
        }

        if (SourceAddress is not null)
        {
            text.Append(" src ").Append(SourceAddress);
        }

        if (TableName is not null)
        {
            text.Append(" table ").Append(TableName);
        }

        if (FromCache)
        {
            text.Append(" cache").Append(Redirected ? " <redirected>" : string.Empty);
            if (CacheExpiresSeconds is long left)
            {
                text.Append(" expires ").Append(left.ToString(CultureInfo.InvariantCulture)).Append("sec");
            }
        }

        if (Mtu is int mtu)
        {
            text.Append(" mtu ").Append(mtu.ToString(CultureInfo.InvariantCulture));
        }

        if (RulePriority is uint rule)
        {
            text.Append(" rule ").Append(rule.ToString(CultureInfo.InvariantCulture));
        }

        if (DestinationPrefix is not null)
        {
            text.Append(" prefix ").Append(DestinationPrefix);
        }

        if (decision.Paths.Count > 1)
        {
            foreach (var path in Paths)
            {
                text.Append("\n    path ").Append(path);
            }

            if (decision.PathChoice == RoutePathChoice.Hash)
            {
                text.Append("\n    hash: the kernel picks one of these paths by the flow's hash");
            }
            else if (decision.PathChoice == RoutePathChoice.TableLastChoice)
            {
                text.Append("\n    the kernel takes turns among these default routes by the table's last choice");
            }
        }

        foreach (var other in RoutesSharingNextHop)
        {
            text.Append("\n    or, if the kernel's cached route was made by ").Append(other);
        }

        return text.ToString();
    }
}

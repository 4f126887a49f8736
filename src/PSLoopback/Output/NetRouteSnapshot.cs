using System.Linq;
using PSLoopback.Routing;

namespace PSLoopback.Output;

/// <summary>
/// A machine's routing state at one moment, as Get-NetRouteSnapshot writes it: every interface with its
/// addresses, every table's routes, the rules, and the per-interface facts source selection reads. It is
/// made of the same text records as the other cmdlets' output, so it survives Export-Clixml, ConvertTo-Json
/// and remoting, and Resolve-NetRoute -Snapshot answers from it as that machine would.
/// </summary>
public sealed class NetRouteSnapshot
{
    /// <summary>The layout of this object; Resolve-NetRoute refuses a snapshot newer than it knows.</summary>
    public const int CurrentFormatVersion = 1;

    internal NetRouteSnapshot(RouteSnapshot snapshot, string computerName, string takenAt, string operatingSystem, string osDescription)
    {
        ComputerName = computerName;
        TakenAt = takenAt;
        OperatingSystem = operatingSystem;
        OSDescription = osDescription;
        Interfaces = new TextList<NetInterface>(snapshot.Interfaces.Select(i => new NetInterface(i)));
        Routes = new TextList<NetRoute>(snapshot.Routes.Select(r => new NetRoute(r)), "\n");
        Rules = new TextList<NetRoutingRule>(snapshot.Rules.Select(r => new NetRoutingRule(r)), "\n");
        PreferTemporaryAddresses = new TextList<int>(snapshot.PreferTemporaryAddresses.OrderBy(i => i));
        NextHopObjects = new TextList<NetNextHopEntry>(snapshot.NextHopObjects.Select(n => new NetNextHopEntry(n)), "\n");
        Neighbors = new TextList<NetNeighborEntry>(snapshot.Neighbors.Select(n => new NetNeighborEntry(n)), "\n");
        Settings = new TextList<string>(snapshot.Settings.Values.Select(s => s.Key + "=" + OutputText.Invariant(s.Value)));
        Exceptions = new TextList<NetRouteCacheEntry>(snapshot.Exceptions.Select(e => new NetRouteCacheEntry(e)), "\n");
    }

    public int FormatVersion => CurrentFormatVersion;

    /// <summary>The host name of the machine the snapshot was taken on.</summary>
    public string ComputerName { get; }

    /// <summary>When, in UTC, as ISO 8601 text (2025-01-31T12:00:00.000Z).</summary>
    public string TakenAt { get; }

    /// <summary>Linux, Windows or macOS: whose decision rules answer for this snapshot.</summary>
    public string OperatingSystem { get; }

    /// <summary>The OS and kernel version as the OS names them ("Linux 6.18.0 ...").</summary>
    public string OSDescription { get; }

    public TextList<NetInterface> Interfaces { get; }

    /// <summary>Every table's routes, local and main included.</summary>
    public TextList<NetRoute> Routes { get; }

    /// <summary>The policy rules of both families, as ip rule lists them.</summary>
    public TextList<NetRoutingRule> Rules { get; }

    /// <summary>The ifIndex of each interface that prefers temporary IPv6 source addresses (use_tempaddr 2).</summary>
    public TextList<int> PreferTemporaryAddresses { get; }

    /// <summary>
    /// Linux's nexthop objects (ip nexthop). These, <see cref="Neighbors"/> and <see cref="Settings"/> came after
    /// FormatVersion 1 was fixed and keep it: a reader that does not know them answers from the routes, whose
    /// paths are written out whatever nexthop_compat_mode the kernel dumped them with.
    /// </summary>
    public TextList<NetNextHopEntry> NextHopObjects { get; }

    /// <summary>Linux's neighbour entries of both families (ip neigh), which steer the choice among gateways.</summary>
    public TextList<NetNeighborEntry> Neighbors { get; }

    /// <summary>The sysctls that steer Linux's decisions, each as name=value (net.ipv4.fib_multipath_use_neigh=1).</summary>
    public TextList<string> Settings { get; }
    /// <summary>Linux: the route exception cache (ip route show cache) of both families; empty elsewhere.</summary>
    public TextList<NetRouteCacheEntry> Exceptions { get; }

    public override string ToString() =>
        $"{ComputerName} ({OperatingSystem}) at {TakenAt}: {Interfaces.Count} interfaces, {Routes.Count} routes, {Rules.Count} rules";
}

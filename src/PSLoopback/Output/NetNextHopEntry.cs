using System.Linq;
using PSLoopback.Routing;

namespace PSLoopback.Output;

/// <summary>A Linux nexthop object (`ip nexthop`) as Get-NetRouteSnapshot writes it; Text is ip's line for it.</summary>
public sealed class NetNextHopEntry
{
    internal NetNextHopEntry(NetNextHopObject nextHop)
    {
        Id = nextHop.Id;
        AddressFamily = OutputText.Of(nextHop.AddressFamily);
        Gateway = OutputText.Of(nextHop.Gateway);
        InterfaceIndex = nextHop.InterfaceIndex;
        InterfaceAlias = nextHop.InterfaceAlias;
        Blackhole = nextHop.Blackhole;
        Fdb = nextHop.Fdb;
        Flags = nextHop.Flags.ToString();
        Scope = nextHop.Scope.ToString();
        Protocol = nextHop.Protocol.ToString();
        HasEncapsulation = nextHop.HasEncapsulation;
        Group = nextHop.IsGroup ? string.Join("/", nextHop.Group.Select(m => m.ToString())) : null;
        GroupType = nextHop.IsGroup ? nextHop.GroupType.ToString() : null;
        Buckets = nextHop.Buckets;
        Text = nextHop.ToString();
    }

    public uint Id { get; }

    /// <summary>IPv4 or IPv6 for a nexthop with a gateway or device; null for a group.</summary>
    public string? AddressFamily { get; }

    public string? Gateway { get; }

    public int InterfaceIndex { get; }

    public int ifIndex => InterfaceIndex;

    public string? InterfaceAlias { get; }

    public bool Blackhole { get; }

    public bool Fdb { get; }

    public string Flags { get; }

    public string Scope { get; }

    public string Protocol { get; }

    public bool HasEncapsulation { get; }

    /// <summary>A group's members as ip writes them: id[,weight] joined by "/"; null for a single nexthop.</summary>
    public string? Group { get; }

    /// <summary>Multipath or Resilient; null for a single nexthop.</summary>
    public string? GroupType { get; }

    public int? Buckets { get; }

    public string Text { get; }

    public override string ToString() => Text;
}

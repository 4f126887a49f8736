using PSLoopback.Routing;

namespace PSLoopback.Output;

/// <summary>Another route through the decision's nexthop object, and the source and MTU the kernel gives when its lookup made the cached route.</summary>
public sealed class NetSharedNextHopRoute
{
    private readonly string text;

    internal NetSharedNextHopRoute(SharedNextHopRoute shared)
    {
        text = shared.ToString();
        DestinationPrefix = shared.Route.DestinationPrefix.ToString();
        TableName = shared.Route.TableName;
        NextHopId = shared.NextHopId;
        SourceAddress = OutputText.Of(shared.SourceAddress);
        Mtu = shared.Mtu;
        Route = new NetRoute(shared.Route).Text;
        Path = new NetRoutePath(shared.Path).ToString();
    }

    public string DestinationPrefix { get; }

    public string TableName { get; }

    /// <summary>The nexthop object both routes reach.</summary>
    public uint NextHopId { get; }

    public string? SourceAddress { get; }

    public int? Mtu { get; }

    /// <summary>The answer's path through that nexthop, as ip prints a next hop.</summary>
    public string Path { get; }

    /// <summary>The other route, as ip route prints it.</summary>
    public string Route { get; }

    public override string ToString() => text;
}

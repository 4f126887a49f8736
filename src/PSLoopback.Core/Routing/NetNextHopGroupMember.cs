namespace PSLoopback.Routing;

/// <summary>One member of a nexthop group: the id of a nexthop object and its weight (ip's "id,weight").</summary>
public sealed class NetNextHopGroupMember
{
    public NetNextHopGroupMember(uint id, int weight)
    {
        Id = id;
        Weight = weight;
    }

    public uint Id { get; }

    public int Weight { get; }

    public override string ToString() => Weight == 1 ? Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{Id},{Weight}";
}

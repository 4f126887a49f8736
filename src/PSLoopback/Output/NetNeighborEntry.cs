using PSLoopback.Routing;

namespace PSLoopback.Output;

/// <summary>A neighbour entry (`ip neigh`) as Get-NetRouteSnapshot writes it; Text is ip's line for it.</summary>
public sealed class NetNeighborEntry
{
    internal NetNeighborEntry(NetNeighbor neighbor)
    {
        IPAddress = neighbor.IPAddress.ToString();
        AddressFamily = neighbor.AddressFamily.ToString();
        InterfaceIndex = neighbor.InterfaceIndex;
        InterfaceAlias = neighbor.InterfaceAlias;
        LinkLayerAddress = neighbor.LinkLayerAddress;
        State = neighbor.State.ToString();
        Flags = neighbor.Flags.ToString();
        Text = neighbor.ToString();
    }

    public string IPAddress { get; }

    public string AddressFamily { get; }

    public int InterfaceIndex { get; }

    public int ifIndex => InterfaceIndex;

    public string? InterfaceAlias { get; }

    public string? LinkLayerAddress { get; }

    /// <summary>The NUD state: Reachable, Stale, Failed, Incomplete, Permanent, ...</summary>
    public string State { get; }

    public string Flags { get; }

    public string Text { get; }

    public override string ToString() => Text;
}

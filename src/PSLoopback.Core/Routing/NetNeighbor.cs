using System.Net;
using PSLoopback.Addressing;

namespace PSLoopback.Routing;

/// <summary>
/// One entry of Linux's neighbour tables (ARP for IPv4, neighbour discovery for IPv6), as `ip neigh` lists it:
/// which decisions read it is the resolver's business (a gateway whose entry failed is avoided).
/// </summary>
public sealed class NetNeighbor
{
    public NetNeighbor(IPAddress ipAddress, int interfaceIndex, NeighborState state)
    {
        IPAddress = ipAddress;
        InterfaceIndex = interfaceIndex;
        State = state;
    }

    public IPAddress IPAddress { get; }

    public IPAddressFamily AddressFamily => IPAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? IPAddressFamily.IPv6 : IPAddressFamily.IPv4;

    public int InterfaceIndex { get; }

    public string? InterfaceAlias { get; set; }

    /// <summary>The link-layer address as ip prints it (aa:bb:cc:dd:ee:ff); null while unresolved.</summary>
    public string? LinkLayerAddress { get; set; }

    public NeighborState State { get; }

    public NeighborFlags Flags { get; set; }

    /// <summary>NUD_VALID: an entry the kernel sends through without asking again.</summary>
    public bool IsValid => (State & (NeighborState.Permanent | NeighborState.NoArp | NeighborState.Reachable | NeighborState.Probe | NeighborState.Stale | NeighborState.Delay)) != 0;

    public override string ToString() =>
        $"{IPAddress} dev {InterfaceAlias ?? InterfaceIndex.ToString(System.Globalization.CultureInfo.InvariantCulture)}"
        + (LinkLayerAddress is null ? string.Empty : " lladdr " + LinkLayerAddress)
        + ((Flags & NeighborFlags.Router) != 0 ? " router" : string.Empty)
        + " " + (State == NeighborState.None ? "NONE" : State.ToString().ToUpperInvariant().Replace(", ", ","));
}

using System;
using System.Net;

namespace PSLoopback.Routing;

/// <summary>
/// One question to the resolver: where would a locally sent packet to <see cref="Destination"/> go? The
/// optional fields narrow it as `ip route get` does: from (source), oif, mark, tos, uid, ipproto, ports.
/// </summary>
public sealed class RouteQuery
{
    public RouteQuery(IPAddress destination)
    {
        Destination = destination ?? throw new ArgumentNullException(nameof(destination));
    }

    public IPAddress Destination { get; }

    /// <summary>
    /// The question for the packet a socket sends to <paramref name="address"/>, as both Resolve-NetRoute and
    /// Test-Loopback ask it: an IPv4-mapped address as IPv4, and an IPv6 zone (fe80::1%3, kept only where the
    /// kernel applies one) binding the lookup to that interface, as a socket's scope id does.
    /// </summary>
    public static RouteQuery ForPacketTo(IPAddress address) => new(Addressing.Destination.AsSent(address))
    {
        OutputInterfaceIndex = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && address.ScopeId is > 0 and <= int.MaxValue
            ? (int)address.ScopeId
            : null,
    };

    /// <summary>A source address the packet must carry (ip's "from"); selects source-based rules.</summary>
    public IPAddress? Source { get; set; }

    /// <summary>An interface the packet must leave by (ip's "oif").</summary>
    public int? OutputInterfaceIndex { get; set; }

    /// <summary>
    /// The interface the packet arrived on (ip's "iif"): the question becomes a forwarding decision, as for a
    /// packet from another host, instead of one for a packet this host sends.
    /// </summary>
    public int? InputInterfaceIndex { get; set; }
    /// A VRF device the lookup is made in (ip's "vrf NAME", which iproute2 sends as the oif). With
    /// <see cref="OutputInterfaceIndex"/> too, that interface must be in this VRF.
    /// </summary>
    public int? VrfInterfaceIndex { get; set; }

    public uint Mark { get; set; }

    public byte Tos { get; set; }

    /// <summary>The sending user's id; rules with a uid range select on it.</summary>
    public uint Uid { get; set; }

    /// <summary>
    /// The transport protocol (ip's "ipproto"); 0 asks an IPv4 question as `ip route get` does, as a UDP packet's,
    /// and an IPv6 one with no protocol.
    /// </summary>
    public byte IPProtocol { get; set; }

    /// <summary>For the resolver's own lookups: <see cref="IPProtocol"/> 0 means no protocol, not UDP.</summary>
    internal bool ProtocolAsGiven { get; set; }

    public ushort SourcePort { get; set; }

    public ushort DestinationPort { get; set; }

    /// <summary>IPv6: the packet's 20-bit flow label (ip's "flowlabel"), for flowlabel rules.</summary>
    public uint FlowLabel { get; set; }
}

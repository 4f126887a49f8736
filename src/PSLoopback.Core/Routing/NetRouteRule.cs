using System.Globalization;
using System.Net;
using PSLoopback.Addressing;

namespace PSLoopback.Routing;

/// <summary>
/// A policy routing rule (ip rule): which packets it selects, and which table it sends them to or what
/// else it does. Rules are tried in ascending <see cref="Priority"/>.
/// </summary>
public sealed class NetRouteRule
{
    public IPAddressFamily AddressFamily { get; set; }

    public uint Priority { get; set; }

    public RuleAction Action { get; set; } = RuleAction.Lookup;

    public uint Table { get; set; }

    public string TableName => RouteTables.Name(Table);

    /// <summary>Source addresses the rule selects (ip's "from"); null for all.</summary>
    public IPPrefix? From { get; set; }

    /// <summary>Destination addresses the rule selects (ip's "to"); null for all.</summary>
    public IPPrefix? To { get; set; }

    /// <summary>
    /// The address "from" was given with, host bits kept (ip rule add from 10.1.2.3/8 keeps 10.1.2.3, and ip
    /// prints it); <see cref="From"/> is its network, which is what the rule matches.
    /// </summary>
    public IPAddress? FromAddress { get; set; }

    /// <summary>The address "to" was given with, host bits kept; <see cref="To"/> is its network.</summary>
    public IPAddress? ToAddress { get; set; }

    /// <summary>Inverts the whole selector (ip's "not").</summary>
    public bool Not { get; set; }

    public uint? FwMark { get; set; }

    public uint? FwMask { get; set; }

    /// <summary>The incoming interface the rule selects; locally sent packets come from "lo".</summary>
    public string? IncomingInterface { get; set; }

    /// <summary>No interface of that name exists (yet): the rule matches nothing until one appears (ip's "[detached]").</summary>
    public bool IncomingInterfaceDetached { get; set; }

    public string? OutgoingInterface { get; set; }

    public bool OutgoingInterfaceDetached { get; set; }

    /// <summary>The IPv4 TOS or IPv6 traffic class byte (ECN bits included) to match; 0 for any.</summary>
    public byte Tos { get; set; }

    /// <summary>The 6-bit DSCP to match (ip's "dscp", newer kernels), an alternative to <see cref="Tos"/>.</summary>
    public byte? Dscp { get; set; }

    /// <summary>The DSCP bits <see cref="Dscp"/> compares (ip's "dscp 0x10/0x30"); null compares all six.</summary>
    public byte? DscpMask { get; set; }

    /// <summary>IPv6: the flow label to match (ip's "flowlabel"), compared under <see cref="FlowLabelMask"/>.</summary>
    public uint? FlowLabel { get; set; }

    /// <summary>IPv6: the flow label bits compared; null with a <see cref="FlowLabel"/> compares all 20.</summary>
    public uint? FlowLabelMask { get; set; }

    /// <summary>For <see cref="RuleAction.Goto"/>: the priority of the rule to continue at.</summary>
    public uint? GotoPriority { get; set; }

    /// <summary>For <see cref="RuleAction.Goto"/>: no rule has the priority it jumps to (ip's "[unresolved]").</summary>
    public bool GotoUnresolved { get; set; }

    /// <summary>Ignore a lookup's answer whose prefix is this long or shorter (0 ignores only default routes).</summary>
    public int? SuppressPrefixLength { get; set; }

    public int? SuppressInterfaceGroup { get; set; }

    public byte? IPProtocol { get; set; }

    public PortRange? SourcePortRange { get; set; }

    public PortRange? DestinationPortRange { get; set; }

    /// <summary>The source port bits a one-port <see cref="SourcePortRange"/> compares (ip's "sport 0x100/0xff00"); null or 0xffff for the port itself.</summary>
    public ushort? SourcePortMask { get; set; }

    /// <summary>The destination port bits a one-port <see cref="DestinationPortRange"/> compares.</summary>
    public ushort? DestinationPortMask { get; set; }

    public UidRange? UidRange { get; set; }

    /// <summary>The rule looks up the VRF table of the packet's L3 master device (ip's "l3mdev").</summary>
    public bool L3MasterDevice { get; set; }

    /// <summary>The tunnel id the rule selects (ip's "tun_id"), for packets from metadata-based tunnels.</summary>
    public ulong? TunnelId { get; set; }

    /// <summary>
    /// The IPv4 realms the rule assigns (ip's "realms"): the source realm in the high 16 bits, the destination
    /// realm in the low 16.
    /// </summary>
    public uint? Realms { get; set; }

    /// <summary>Who added the rule; <see cref="RouteProtocol.Kernel"/> for the rules the kernel creates.</summary>
    public RouteProtocol Protocol { get; set; }

    /// <summary>The rule as `ip rule` prints it: "PRIORITY: " and then its selectors and action in iproute2's words and order.</summary>
    public override string ToString() => Priority.ToString(CultureInfo.InvariantCulture) + ": " + RuleText.Format(this);
}

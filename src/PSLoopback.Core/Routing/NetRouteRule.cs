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

    /// <summary>Inverts the whole selector (ip's "not").</summary>
    public bool Not { get; set; }

    public uint? FwMark { get; set; }

    public uint? FwMask { get; set; }

    /// <summary>The incoming interface the rule selects; locally sent packets come from "lo".</summary>
    public string? IncomingInterface { get; set; }

    public string? OutgoingInterface { get; set; }

    public byte Tos { get; set; }

    /// <summary>For <see cref="RuleAction.Goto"/>: the priority of the rule to continue at.</summary>
    public uint? GotoPriority { get; set; }

    /// <summary>Ignore a lookup's answer whose prefix is this long or shorter (0 ignores only default routes).</summary>
    public int? SuppressPrefixLength { get; set; }

    public int? SuppressInterfaceGroup { get; set; }

    public byte? IPProtocol { get; set; }

    public PortRange? SourcePortRange { get; set; }

    public PortRange? DestinationPortRange { get; set; }

    public UidRange? UidRange { get; set; }

    /// <summary>The rule looks up the VRF table of the packet's L3 master device (ip's "l3mdev").</summary>
    public bool L3MasterDevice { get; set; }

    public RouteProtocol Protocol { get; set; }

    public override string ToString()
    {
        var selector = (Not ? "not " : string.Empty) + "from " + (From?.ToString() ?? "all")
            + (To is IPPrefix to ? " to " + to : string.Empty)
            + (FwMark is uint mark ? $" fwmark 0x{mark:x}" + (FwMask is uint mask && mask != uint.MaxValue ? $"/0x{mask:x}" : string.Empty) : string.Empty)
            + (IncomingInterface is null ? string.Empty : " iif " + IncomingInterface)
            + (OutgoingInterface is null ? string.Empty : " oif " + OutgoingInterface);
        var action = Action switch
        {
            RuleAction.Lookup => "lookup " + TableName + (SuppressPrefixLength is int p ? " suppress_prefixlength " + p : string.Empty),
            RuleAction.Goto => "goto " + GotoPriority,
            RuleAction.Nop => "nop",
            _ => Action.ToString().ToLowerInvariant(),
        };
        return $"{Priority}: {selector} {action}";
    }
}

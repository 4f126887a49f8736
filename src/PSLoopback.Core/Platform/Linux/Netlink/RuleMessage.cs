namespace PSLoopback.Platform.Linux.Netlink;

/// <summary>An RTM_NEWRULE message: struct fib_rule_hdr and its FRA_* attributes (one `ip rule` line).</summary>
public sealed class RuleMessage
{
    public byte Family { get; internal set; }

    public byte DestinationLength { get; internal set; }

    public byte SourceLength { get; internal set; }

    /// <summary>The TOS to match (`tos`), 0 for any.</summary>
    public byte Tos { get; internal set; }

    /// <summary>FRA_TABLE where present; else the header's table, which reads RT_TABLE_COMPAT (252) for any table above 255.</summary>
    public uint Table { get; internal set; }

    /// <summary>The FR_ACT_* action: to table 1, goto 2, nop 3, blackhole 6, unreachable 7, prohibit 8.</summary>
    public byte Action { get; internal set; }

    /// <summary>FIB_RULE_* flags; see <see cref="IsInverted"/>.</summary>
    public uint Flags { get; internal set; }

    /// <summary>FIB_RULE_INVERT: the selector is negated (`ip rule add not ...`).</summary>
    public bool IsInverted => (Flags & RouteConstants.FIB_RULE_INVERT) != 0;

    /// <summary>FIB_RULE_UNRESOLVED: a goto rule whose target priority no rule has.</summary>
    public bool IsUnresolved => (Flags & RouteConstants.FIB_RULE_UNRESOLVED) != 0;

    /// <summary>FIB_RULE_IIF_DETACHED: no interface has the name of FRA_IIFNAME.</summary>
    public bool IsInputInterfaceDetached => (Flags & RouteConstants.FIB_RULE_IIF_DETACHED) != 0;

    /// <summary>FIB_RULE_OIF_DETACHED: no interface has the name of FRA_OIFNAME.</summary>
    public bool IsOutputInterfaceDetached => (Flags & RouteConstants.FIB_RULE_OIF_DETACHED) != 0;

    public byte[]? Destination { get; internal set; }

    public byte[]? Source { get; internal set; }

    public string? InputInterfaceName { get; internal set; }

    public string? OutputInterfaceName { get; internal set; }

    /// <summary>FRA_GOTO: the priority of the rule a goto rule jumps to.</summary>
    public uint? GotoTarget { get; internal set; }

    /// <summary>FRA_PRIORITY. The kernel leaves it out for priority 0 (the local-table rule), so absent reads 0.</summary>
    public uint Priority { get; internal set; }

    public uint? FirewallMark { get; internal set; }

    public uint? FirewallMask { get; internal set; }

    /// <summary>FRA_FLOW, IPv4 realms: the source realm in the high 16 bits, the destination realm in the low 16.</summary>
    public uint? Flow { get; internal set; }

    /// <summary>FRA_TUN_ID, in host order (the kernel sends it big-endian).</summary>
    public ulong? TunnelId { get; internal set; }

    /// <summary>FRA_SUPPRESS_IFGROUP; null when the kernel's "unset" (0xFFFFFFFF) was sent.</summary>
    public uint? SuppressInterfaceGroup { get; internal set; }

    /// <summary>FRA_SUPPRESS_PREFIXLEN, which the kernel always sends; null when it was its "unset" (0xFFFFFFFF).</summary>
    public uint? SuppressPrefixLength { get; internal set; }

    /// <summary>FRA_L3MDEV: the table is the one of the packet's L3 master (VRF) device.</summary>
    public bool L3MasterDevice { get; internal set; }

    public (uint Start, uint End)? UidRange { get; internal set; }

    /// <summary>FRA_PROTOCOL, the RTPROT_* of whoever added the rule; the kernel always sends it.</summary>
    public byte Protocol { get; internal set; }

    /// <summary>FRA_IP_PROTO, the IPPROTO_* to match.</summary>
    public byte? IpProtocol { get; internal set; }

    public (ushort Start, ushort End)? SourcePortRange { get; internal set; }

    public (ushort Start, ushort End)? DestinationPortRange { get; internal set; }

    /// <summary>FRA_DSCP, the 6-bit DSCP to match (`dscp`), an alternative to <see cref="Tos"/>.</summary>
    public byte? Dscp { get; internal set; }

    /// <summary>FRA_DSCP_MASK, the DSCP bits <see cref="Dscp"/> compares (`dscp 0x10/0x30`); kernels since 6.15 send 0x3f for a plain dscp rule.</summary>
    public byte? DscpMask { get; internal set; }

    /// <summary>FRA_FLOWLABEL, the IPv6 flow label to match, in host order (the kernel sends it big-endian).</summary>
    public uint? FlowLabel { get; internal set; }

    /// <summary>FRA_FLOWLABEL_MASK, the flow label bits compared; the kernel sends it with every <see cref="FlowLabel"/>.</summary>
    public uint? FlowLabelMask { get; internal set; }

    /// <summary>FRA_SPORT_MASK, the source port bits compared (`sport 0x100/0xff00`); 0xffff for one plain port.</summary>
    public ushort? SourcePortMask { get; internal set; }

    /// <summary>FRA_DPORT_MASK, the destination port bits compared.</summary>
    public ushort? DestinationPortMask { get; internal set; }
}

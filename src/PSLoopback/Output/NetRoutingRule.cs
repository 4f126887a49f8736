using PSLoopback.Routing;

namespace PSLoopback.Output;

/// <summary>A policy routing rule (ip rule) as Get-NetRouteInfo -Rule writes it; Text is the rule as ip rule prints it.</summary>
public sealed class NetRoutingRule
{
    internal NetRoutingRule(NetRouteRule rule)
    {
        AddressFamily = rule.AddressFamily.ToString();
        Priority = rule.Priority;
        Action = rule.Action.ToString();
        Table = rule.Table;
        TableName = rule.TableName;
        From = AsGiven(rule.FromAddress, rule.From);
        To = AsGiven(rule.ToAddress, rule.To);
        Not = rule.Not;
        FwMark = rule.FwMark;
        FwMask = rule.FwMask;
        IncomingInterface = rule.IncomingInterface;
        IncomingInterfaceDetached = rule.IncomingInterfaceDetached;
        OutgoingInterface = rule.OutgoingInterface;
        OutgoingInterfaceDetached = rule.OutgoingInterfaceDetached;
        Tos = rule.Tos;
        Dscp = rule.Dscp;
        DscpMask = rule.DscpMask;
        FlowLabel = rule.FlowLabel;
        FlowLabelMask = rule.FlowLabelMask;
        GotoPriority = rule.GotoPriority;
        GotoUnresolved = rule.GotoUnresolved;
        SuppressPrefixLength = rule.SuppressPrefixLength;
        SuppressInterfaceGroup = rule.SuppressInterfaceGroup;
        IPProtocol = rule.IPProtocol;
        SourcePortRange = rule.SourcePortRange?.ToString();
        DestinationPortRange = rule.DestinationPortRange?.ToString();
        SourcePortMask = rule.SourcePortMask;
        DestinationPortMask = rule.DestinationPortMask;
        UidRange = rule.UidRange?.ToString();
        L3MasterDevice = rule.L3MasterDevice;
        TunnelId = rule.TunnelId;
        Realms = rule.Realms;
        Protocol = rule.Protocol.ToString();
        Text = rule.ToString();
    }

    public string AddressFamily { get; }

    public uint Priority { get; }

    /// <summary>The same as Priority, by the name Resolve-NetRoute's answers use.</summary>
    public uint RulePriority => Priority;

    public string Action { get; }

    public uint Table { get; }

    public string TableName { get; }

    /// <summary>Source addresses the rule selects, as ip rule prints them (the address as given, host bits and all); null for all.</summary>
    public string? From { get; }

    public string? To { get; }

    public bool Not { get; }

    public uint? FwMark { get; }

    public uint? FwMask { get; }

    public string? IncomingInterface { get; }

    /// <summary>The incoming interface does not exist now (ip's [detached]).</summary>
    public bool IncomingInterfaceDetached { get; }

    public string? OutgoingInterface { get; }

    public bool OutgoingInterfaceDetached { get; }

    public byte Tos { get; }

    public byte? Dscp { get; }

    public byte? DscpMask { get; }

    /// <summary>IPv6: the flow label the rule selects, under FlowLabelMask.</summary>
    public uint? FlowLabel { get; }

    public uint? FlowLabelMask { get; }

    public uint? GotoPriority { get; }

    /// <summary>No rule has the goto's priority (ip's [unresolved]).</summary>
    public bool GotoUnresolved { get; }

    public int? SuppressPrefixLength { get; }

    public int? SuppressInterfaceGroup { get; }

    public byte? IPProtocol { get; }

    public string? SourcePortRange { get; }

    public string? DestinationPortRange { get; }

    /// <summary>The port bits a one-port SourcePortRange compares; 65535 (or null) for the port itself.</summary>
    public ushort? SourcePortMask { get; }

    public ushort? DestinationPortMask { get; }

    public string? UidRange { get; }

    public bool L3MasterDevice { get; }

    public ulong? TunnelId { get; }

    public uint? Realms { get; }

    public string Protocol { get; }

    public string Text { get; }

    public override string ToString() => Text;

    private static string? AsGiven(System.Net.IPAddress? address, Addressing.IPPrefix? prefix) =>
        address is not null && prefix is { } p ? address + "/" + p.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) : OutputText.Of(prefix);
}

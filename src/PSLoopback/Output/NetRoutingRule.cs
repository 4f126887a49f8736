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
        From = OutputText.Of(rule.From);
        To = OutputText.Of(rule.To);
        Not = rule.Not;
        FwMark = rule.FwMark;
        FwMask = rule.FwMask;
        IncomingInterface = rule.IncomingInterface;
        OutgoingInterface = rule.OutgoingInterface;
        Tos = rule.Tos;
        GotoPriority = rule.GotoPriority;
        SuppressPrefixLength = rule.SuppressPrefixLength;
        SuppressInterfaceGroup = rule.SuppressInterfaceGroup;
        IPProtocol = rule.IPProtocol;
        SourcePortRange = rule.SourcePortRange?.ToString();
        DestinationPortRange = rule.DestinationPortRange?.ToString();
        UidRange = rule.UidRange?.ToString();
        L3MasterDevice = rule.L3MasterDevice;
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

    public string? From { get; }

    public string? To { get; }

    public bool Not { get; }

    public uint? FwMark { get; }

    public uint? FwMask { get; }

    public string? IncomingInterface { get; }

    public string? OutgoingInterface { get; }

    public byte Tos { get; }

    public uint? GotoPriority { get; }

    public int? SuppressPrefixLength { get; }

    public int? SuppressInterfaceGroup { get; }

    public byte? IPProtocol { get; }

    public string? SourcePortRange { get; }

    public string? DestinationPortRange { get; }

    public string? UidRange { get; }

    public bool L3MasterDevice { get; }

    public string Protocol { get; }

    public string Text { get; }

    public override string ToString() => Text;
}

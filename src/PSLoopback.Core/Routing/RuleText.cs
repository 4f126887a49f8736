using System.Globalization;
using System.Net;
using System.Text;
using PSLoopback.Addressing;

namespace PSLoopback.Routing;

/// <summary>
/// A rule's selectors and action as iproute2 6.1's `ip rule show` prints them after "PRIORITY:\t": the same words,
/// the same order, the same number formats, so a line can be compared with ip's as a whole. The selectors 6.1 does
/// not know (dscp, its mask, flowlabel, port masks) are printed as later iproute2 versions print them.
/// </summary>
internal static class RuleText
{
    private const byte ActionNat = 10;
    private const byte FullDscpMask = 0x3F;
    private const uint FullFlowLabelMask = 0xFFFFF;

    public static string Format(NetRouteRule rule)
    {
        var text = new StringBuilder();
        if (rule.Not)
        {
            text.Append("not ");
        }

        text.Append("from ").Append(rule.From is IPPrefix from && from.Length > 0 ? Prefix(from, rule.FromAddress) : "all");
        if (rule.To is IPPrefix to && to.Length > 0)
        {
            text.Append(" to ").Append(Prefix(to, rule.ToAddress));
        }

        if (rule.Tos != 0)
        {
            text.Append(" tos ").Append(IprouteNames.DsField(rule.Tos));
        }

        if (rule.FwMark is not null || rule.FwMask is not null)
        {
            text.Append(" fwmark ").Append(Hex(rule.FwMark ?? 0));
            if (rule.FwMask is uint mask && mask != uint.MaxValue)
            {
                text.Append('/').Append(Hex(mask));
            }
        }

        AppendInterface(text, "iif", rule.IncomingInterface, rule.IncomingInterfaceDetached);
        AppendInterface(text, "oif", rule.OutgoingInterface, rule.OutgoingInterfaceDetached);
        if (rule.L3MasterDevice)
        {
            text.Append(" lookup [l3mdev-table]");
        }

        if (rule.UidRange is UidRange uids)
        {
            text.Append(" uidrange ").Append(Number(uids.Start)).Append('-').Append(Number(uids.End));
        }

        if (rule.IPProtocol is byte ipProtocol)
        {
            text.Append(" ipproto ").Append(IprouteNames.IPProtocol(ipProtocol));
        }

        if (rule.SourcePortRange is PortRange sport)
        {
            text.Append(" sport ").Append(Port(sport, rule.SourcePortMask));
        }

        if (rule.DestinationPortRange is PortRange dport)
        {
            text.Append(" dport ").Append(Port(dport, rule.DestinationPortMask));
        }

        if (rule.TunnelId is ulong tunnel)
        {
            text.Append(" tun_id ").Append(tunnel.ToString(CultureInfo.InvariantCulture));
        }

        // ip names the table, and the lookup's suppressors, for any rule with a table, whatever its action.
        if (rule.Table != RouteTables.Unspecified)
        {
            text.Append(" lookup ").Append(rule.TableName);
            if (rule.SuppressPrefixLength is int length && length != -1)
            {
                text.Append(" suppress_prefixlength ").Append(length.ToString(CultureInfo.InvariantCulture));
            }

            if (rule.SuppressInterfaceGroup is int group && group != -1)
            {
                text.Append(" suppress_ifgroup ").Append(IprouteNames.InterfaceGroup(unchecked((uint)group)));
            }
        }

        if (rule.Realms is uint realms)
        {
            text.Append(" realms ");
            if (realms >> 16 != 0)
            {
                text.Append(IprouteNames.Realm(realms >> 16)).Append('/');
            }

            text.Append(IprouteNames.Realm(realms & 0xFFFF));
        }

        AppendAction(text, rule);
        if (rule.Protocol != RouteProtocol.Unspecified && rule.Protocol != RouteProtocol.Kernel)
        {
            text.Append(" proto ").Append(IprouteNames.Protocol((byte)rule.Protocol));
        }

        // iproute2 6.1 predates FRA_DSCP; later versions print it here, after the protocol.
        if (rule.Dscp is byte dscp)
        {
            // A partial mask shows both in hex; the whole mask (0x3f, which newer kernels send) shows the value alone.
            text.Append(" dscp ").Append(rule.DscpMask is byte dscpMask && dscpMask != FullDscpMask
                ? Hex(dscp) + "/" + Hex(dscpMask)
                : IprouteNames.Dscp(dscp));
        }

        if (rule.FlowLabel is uint label)
        {
            text.Append(" flowlabel ").Append(Hex(label));
            if (rule.FlowLabelMask is uint labelMask && labelMask != FullFlowLabelMask)
            {
                text.Append('/').Append(Hex(labelMask));
            }
        }

        return text.ToString();
    }

    private static void AppendAction(StringBuilder text, NetRouteRule rule)
    {
        switch (rule.Action)
        {
            case RuleAction.Lookup:
                break;
            case RuleAction.Goto:
                text.Append(" goto ").Append(rule.GotoPriority is uint target ? Number(target) : "none");
                if (rule.GotoUnresolved)
                {
                    text.Append(" [unresolved]");
                }

                break;
            case RuleAction.Nop:
                text.Append(" nop");
                break;
            case (RuleAction)ActionNat:
                // The kernel sends no gateway with a rule, so ip's "map-to" never shows.
                text.Append(" masquerade");
                break;
            default:
                text.Append(' ').Append(IprouteNames.RouteType((byte)rule.Action));
                break;
        }
    }

    private static void AppendInterface(StringBuilder text, string keyword, string? name, bool detached)
    {
        if (name is null)
        {
            return;
        }

        text.Append(' ').Append(keyword).Append(' ').Append(name);
        if (detached)
        {
            text.Append(" [detached]");
        }
    }

    /// <summary>
    /// The address as the rule was given it, when that is known and lies in the prefix, else the network; then
    /// the length, except for a host prefix, which ip prints as its address alone.
    /// </summary>
    private static string Prefix(IPPrefix prefix, IPAddress? given)
    {
        var address = given is not null && given.AddressFamily == prefix.Network.AddressFamily && prefix.Contains(given) ? given : prefix.Network;
        return prefix.IsHost ? address.ToString() : address + "/" + prefix.Length.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A port with a partial mask in hex, value and mask (ip's "0x100/0xff00"); a range, or a port with the whole mask, in decimal.</summary>
    private static string Port(PortRange range, ushort? mask) =>
        range.Start == range.End && mask is ushort bits && bits != ushort.MaxValue ? Hex(range.Start) + "/" + Hex(bits) : range.ToString();

    /// <summary>C's "%#x": 0x before a non-zero number, and a bare 0.</summary>
    private static string Hex(uint value) => value == 0 ? "0" : "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    private static string Number(uint value) => value.ToString(CultureInfo.InvariantCulture);
}

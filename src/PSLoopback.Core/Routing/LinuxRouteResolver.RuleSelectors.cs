using System.Collections.Generic;
using PSLoopback.Addressing;

namespace PSLoopback.Routing;

// The rule selectors of newer kernels (the IPv6 flow label from 6.14, masks on dscp and ports from 6.15), and suppress_ifgroup.
public sealed partial class LinuxRouteResolver
{
    /// <summary>A dscp rule without FRA_DSCP_MASK compares all six bits.</summary>
    private const byte FullDscpMask = 0x3F;

    /// <summary>IPV6_FLOWLABEL_MASK: a flow label is 20 bits.</summary>
    private const uint FullFlowLabelMask = 0xFFFFF;

    /// <summary>
    /// suppress_ifgroup (fib4_rule_suppress, fib6_rule_suppress): the rule's answer is ignored when its device is in
    /// that group. IPv4 takes the route's first next hop's device (fib_info_nhc(fi, 0)), whichever path is then
    /// chosen; IPv6 the device of the path the lookup chose (res->nh).
    /// </summary>
    private bool SuppressedByGroup(DecisionWork work, NetRouteRule rule, IPAddressFamily family, (NetRouteInfo Route, HopList Paths) found)
    {
        if (rule.SuppressInterfaceGroup is not int suppressed || suppressed == -1)
        {
            return false;
        }

        var hop = family == IPAddressFamily.IPv4 ? Hops(found.Route)[0] : found.Paths[0];
        var device = Device(hop.InterfaceIndex);
        if (device?.Group is not uint group)
        {
            if (work.Explaining)
            {
                work.Note(RouteTraceStage.Rule, rule.ToString(),
                    $"suppress_ifgroup {suppressed}: the group of interface {hop.InterfaceIndex} is not in the snapshot, so its answer is kept");
            }

            return false;
        }

        if (group != unchecked((uint)suppressed))
        {
            return false;
        }

        if (work.Explaining)
        {
            work.Note(RouteTraceStage.Rule, rule.ToString(),
                $"its answer {found.Route.DestinationPrefix} leaves by {device.Name}, in interface group {group}, which suppress_ifgroup ignores: on to the next rule");
        }

        return true;
    }

    /// <summary>
    /// fib_rule_port_match: a mask compares the masked bits of the rule's one port; without a mask, a range that is
    /// set (both ends non-zero) must hold the port, and no range takes every port.
    /// </summary>
    private static bool PortMatches(PortRange? range, ushort? mask, ushort port)
    {
        if (range is not PortRange ports)
        {
            return true;
        }

        if (mask is ushort bits && bits != 0)
        {
            return ((ports.Start ^ port) & bits) == 0;
        }

        return ports.Start == 0 || ports.End == 0 || ports.Contains(port);
    }

    private static string MaskText(ushort? mask) => mask is ushort bits && bits != ushort.MaxValue ? $"/0x{bits:x}" : string.Empty;
}

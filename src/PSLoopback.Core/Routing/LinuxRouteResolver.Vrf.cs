using System.Collections.Generic;
using System.Globalization;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;

namespace PSLoopback.Routing;

// VRF (l3mdev): the L3 domain of a flow and what it changes: the l3mdev rule's table, the oif a VRF device
// stands for, the VRF device as the loopback of its domain (net/l3mdev/l3mdev.c, drivers/net/vrf.c).
public sealed partial class LinuxRouteResolver
{
    /// <summary>The oif the kernel is asked with: a VRF alone goes as the VRF device's index, as ip route get's "vrf NAME" does.</summary>
    private static int? AskedOutputInterface(RouteQuery query) => query.OutputInterfaceIndex ?? query.VrfInterfaceIndex;

    /// <summary>
    /// The VRF of the flow (flowi_l3mdev, set by l3mdev_update_flow): that of the interface asked for, else, for a
    /// forwarded packet, that of the interface it arrived on. A locally sent packet comes in on loopback, which is
    /// in no VRF.
    /// </summary>
    private NetInterfaceInfo? FlowVrf(RouteQuery query) =>
        query.InputInterfaceIndex is int iif ? VrfDomain.VrfOf(snapshot, iif)
        : AskedOutputInterface(query) is int oif ? VrfDomain.VrfOf(snapshot, oif)
        : null;

    /// <summary>
    /// A rule's "iif NAME" for a forwarded packet (fib_rule_iif_match): naming a VRF device, it matches every flow
    /// whose VRF came from the input interface (Linux 6.15 and later, as for oif); naming any other, that interface.
    /// </summary>
    private bool RuleInputInterfaceMatches(NetInterfaceInfo? ruleInterface, int input) =>
        ruleInterface?.IsVrf == true
            ? VrfDomain.VrfOf(snapshot, input)?.InterfaceIndex == ruleInterface.InterfaceIndex
            : ruleInterface?.InterfaceIndex == input;

    /// <summary>
    /// The oif next hops and oif rules are matched with: asking for the VRF device itself only selects the VRF,
    /// so l3mdev_update_flow clears the oif and any interface of the VRF's table may carry the packet.
    /// </summary>
    private int? FlowOutputInterface(RouteQuery query)
    {
        var oif = AskedOutputInterface(query);
        return oif is int index && Device(index)?.IsVrf == true ? null : oif;
    }

    /// <summary>
    /// A rule's "oif NAME" (fib_rule_oif_match): naming a VRF device, it matches every flow whose VRF came from the
    /// oif asked for (Linux 6.15 and later); naming any other device, that device as the flow's oif.
    /// </summary>
    private bool RuleOutputInterfaceMatches(int ruleInterface, RouteQuery query) =>
        Device(ruleInterface)?.IsVrf == true
            ? FlowVrf(query)?.InterfaceIndex == ruleInterface
            : FlowOutputInterface(query) == ruleInterface;

    /// <summary>
    /// The table a rule looks up (fib_rule_get_table): an l3mdev rule takes the flow's VRF's table; an inverted
    /// one that matched a flow in no VRF leaves the table unset, which fib_get_table reads as main.
    /// </summary>
    private uint RuleTable(NetRouteRule rule, RouteQuery query) =>
        rule.L3MasterDevice ? FlowVrf(query)?.VrfTable ?? RouteTables.Main : rule.Table;

    /// <summary>
    /// Whether a failed lookup with an oif still sends on that link: not in a VRF, whose table is the whole
    /// answer, except a multicast through an interface enslaved to it (ip_route_output_key_hash_rcu tests
    /// flowi4_l3mdev and the oif that l3mdev_update_flow may have cleared).
    /// </summary>
    private bool AssumesOnLinkAfterFailure(RouteQuery query) =>
        FlowVrf(query) is null || (AddressClass.IsMulticast(query.Destination) && FlowOutputInterface(query) is not null);

    /// <summary>
    /// The device an IPv4 local route's packet loops through: in a VRF the VRF device, which is the loopback of
    /// its domain (l3mdev_master_dev_rcu of the route's device), else the loopback interface.
    /// </summary>
    private NetInterfaceInfo? LocalIPv4Device(NetRouteInfo route) => VrfDomain.VrfOf(snapshot, route.InterfaceIndex) ?? loopback;

    /// <summary>
    /// The device of an IPv6 local or anycast route's packet (ip6_rt_get_dev_rcu): a VRF device stays itself, a
    /// device enslaved to one gives the VRF device unless the address needs its own link, anything else loopback.
    /// </summary>
    private NetInterfaceInfo? LocalIPv6Device(NetRouteInfo route)
    {
        var device = Device(route.InterfaceIndex);
        if (device?.IsVrf == true)
        {
            return device;
        }

        var vrf = VrfDomain.VrfOf(snapshot, device);
        return vrf is not null && !NeedsStrictInterface(route.DestinationPrefix.Network) ? vrf : loopback;
    }

    private static string LoopbackText(NetInterfaceInfo? device) =>
        device?.IsVrf == true ? $"the VRF device {device.Name}, the loopback of its VRF" : "the loopback interface";

    /// <summary>
    /// False, with the decision refused, when the query names as its VRF an interface that is not one, or asks
    /// for an output interface outside that VRF (iproute2 refuses "Invalid VRF" before asking the kernel).
    /// </summary>
    private bool AcceptsVrf(DecisionWork work)
    {
        if (work.Query.VrfInterfaceIndex is not int index)
        {
            return true;
        }

        var vrf = Device(index);
        if (vrf?.IsVrf != true)
        {
            work.Refuse(RouteError.InvalidArgument, $"{vrf?.Name ?? "interface " + index.ToString(CultureInfo.InvariantCulture)} is not a VRF device.");
            return false;
        }

        if (work.Query.OutputInterfaceIndex is int oif && Device(oif) is NetInterfaceInfo device && VrfDomain.VrfOf(snapshot, device) != vrf)
        {
            work.Refuse(RouteError.InvalidArgument, $"the output interface {device.Name} is not in VRF {vrf.Name}.");
            return false;
        }

        if (work.Explaining)
        {
            work.Note(RouteTraceStage.Input, "vrf " + vrf.Name, $"the lookup is made in VRF {vrf.Name}, table {RouteTables.Name(vrf.VrfTable!.Value)}");
        }

        return true;
    }

    /// <summary>
    /// An IPv6 link-local or multicast destination through an interface in a VRF is looked up without the rules
    /// (l3mdev_link_scope_lookup): the vrf driver's vrf_link_scope_lookup looks up the VRF's table, bound to that
    /// interface. Through the VRF device itself, which has no link, it answers with the null route.
    /// </summary>
    private bool TryLookUpIPv6LinkScopeInVrf(DecisionWork work, out (NetRouteInfo Route, HopList Paths)? found)
    {
        found = null;
        var destination = work.Query.Destination;
        if (!(destination.IsIPv6Multicast || destination.IsIPv6LinkLocal) || FlowVrf(work.Query) is not NetInterfaceInfo vrf)
        {
            return false;
        }

        if (FlowOutputInterface(work.Query) is null)
        {
            work.Refuse(RouteError.NetworkUnreachable, $"a link-local or multicast destination cannot be sent through the VRF device {vrf.Name}, which has no link: Network is unreachable.");
            return true;
        }

        var table = vrf.VrfTable!.Value;
        if (work.Explaining)
        {
            work.Note(RouteTraceStage.Rule, "vrf " + vrf.Name, $"a link-scope destination through an interface of VRF {vrf.Name}: its table {RouteTables.Name(table)} is looked up without the rules");
        }

        found = Settle(work, LookUpTable(work, IPAddressFamily.IPv6, table), IPAddressFamily.IPv6, table);
        return true;
    }
}

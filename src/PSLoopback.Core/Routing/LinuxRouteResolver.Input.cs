using System;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;

namespace PSLoopback.Routing;

// Input routes: what Linux does with a packet that arrived on an interface (ip route get X from S iif DEV), as
// ip_route_input_slow, ip_route_input_mc, __mkroute_input and fib_validate_source decide for IPv4, and
// ip6_route_input for IPv6. What `ip route get` answers on kernel 6.18 was checked in namespaces: every refusal
// on the way in (martian, rp_filter, accept_local) is EINVAL there, not the EXDEV of the kernel's own code paths.
public sealed partial class LinuxRouteResolver
{
    private static readonly IPAddress AllHosts = IPAddress.Parse("224.0.0.1");

    private const byte Igmp = 2;

    private void ResolveInput(DecisionWork work, int inputIndex)
    {
        var input = Device(inputIndex);
        if (input is null)
        {
            work.Refuse(RouteError.NoSuchDevice, $"there is no interface with index {inputIndex} for the packet to arrive on.");
            return;
        }

        if (work.Query.Destination.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            ResolveInputIPv4(work, input);
        }
        else
        {
            ResolveInputIPv6(work, input);
        }
    }

    private void ResolveInputIPv4(DecisionWork work, NetInterfaceInfo input)
    {
        var query = work.Query;
        var destination = query.Destination;
        var source = query.Source ?? IPAddress.Any;
        var localnet = Conf(input, "route_localnet", 0) != 0;

        if (AddressClass.IsMulticast(destination))
        {
            ResolveInputMulticast(work, input, source, localnet);
            return;
        }

        if (AddressClass.IsMulticast(source) || AddressClass.IsLimitedBroadcast(source))
        {
            Martian(work, $"{source} cannot be the source of a packet (martian source)");
            return;
        }

        if (AddressClass.IsLimitedBroadcast(destination) || (source.Equals(IPAddress.Any) && destination.Equals(IPAddress.Any)))
        {
            Broadcast(work, input, null, source);
            return;
        }

        // Kernel 6.18 refuses 0.0.0.0 itself here, not the rest of 0.0.0.0/8 (ip route get takes 0.1.2.3 both ways).
        if (source.Equals(IPAddress.Any))
        {
            Martian(work, "a packet from 0.0.0.0 is taken only to the limited broadcast (martian source); give the packet's source with -LocalIPAddress");
            return;
        }

        if (destination.Equals(IPAddress.Any))
        {
            Martian(work, "0.0.0.0 cannot be the destination of a packet that arrives (martian destination)");
            return;
        }

        if (AddressClass.IsLoopback(destination) && !localnet)
        {
            Martian(work, $"{destination} is a loopback address, which a packet from outside may not reach (martian destination); {Advice(input, "route_localnet", 1)} would take it");
            return;
        }

        if (!AddressClass.IsLoopback(destination) && AddressClass.IsLoopback(source) && !localnet)
        {
            Martian(work, $"{source} is a loopback address, which a packet from outside may not carry (martian source); {Advice(input, "route_localnet", 1)} would take it");
            return;
        }

        var forwards = ForwardingOn(input);
        var found = LookUp(work, IPAddressFamily.IPv4);
        if (found is null)
        {
            if (!forwards)
            {
                var failure = work.Decision.Error == RouteError.None ? "no route matches" : work.Decision.Reason.TrimEnd('.');
                work.Refuse(RouteError.HostUnreachable, $"{failure}, and {NoForwarding(input)}: No route to host.", work.Decision.RouteType);
            }
            else if (work.Decision.Error == RouteError.None)
            {
                work.Refuse(RouteError.NetworkUnreachable, "no route matches: Network is unreachable.");
            }

            return;
        }

        var (route, paths) = found.Value;
        if (route.RouteType == RouteType.Broadcast)
        {
            // With bc_forwarding on for "all" and the input (IN_DEV_BFORWARD), a directed broadcast is sent on to
            // its link, before and whatever the forwarding setting.
            if (Conf(input, "bc_forwarding", 0, both: true) != 0)
            {
                var link = Device(route.InterfaceIndex);
                if (CheckSource(work, input, source, destination, route.InterfaceIndex))
                {
                    Finish(work, route, RouteType.Broadcast, link, IPAddress.Any, query.Source,
                        () => $"{destination} is the broadcast of {link?.Name ?? route.InterfaceAlias} ({route.DestinationPrefix} in table {route.TableName}), and bc_forwarding is on for all and {input.Name}: the packet is forwarded to that link");
                }

                return;
            }

            Broadcast(work, input, route, source);
            return;
        }

        if (route.RouteType == RouteType.Local)
        {
            if (CheckSource(work, input, source, destination, 0))
            {
                Finish(work, route, RouteType.Local, loopback, IPAddress.Any, query.Source,
                    () => $"{destination} is an address of this host ({route.DestinationPrefix} is a local route in table {route.TableName}): the packet arriving on {input.Name} is delivered here");
            }

            return;
        }

        if (!forwards)
        {
            work.Decision.Route = route;
            work.Refuse(RouteError.HostUnreachable, $"{destination} is not this host's, and {NoForwarding(input)}: No route to host. Turn it on with sysctl -w {ForwardingName(input)}=1 to route it by {route.DestinationPrefix}.");
            return;
        }

        if (route.RouteType != RouteType.Unicast)
        {
            work.Decision.Route = route;
            Martian(work, $"{route.DestinationPrefix} is a {route.RouteType.ToString().ToLowerInvariant()} route in table {route.TableName}, which does not forward (martian destination)");
            return;
        }

        // ip_mkroute_input hashes the flow onto a path first (no source preference: the packet's source is not
        // one of ours), and rp_filter then checks the source against the path taken.
        var pick = PickInputPath(work, route, paths);
        var chosen = paths[pick.First];
        if (!CheckSource(work, input, source, destination, chosen.InterfaceIndex))
        {
            return;
        }

        var device = Device(chosen.InterfaceIndex);
        var forwarded = new RoutePath[paths.Count];
        for (var i = 0; i < forwarded.Length; i++)
        {
            var p = paths[i];
            forwarded[i] = new RoutePath(IPv4NextHop(p), p.InterfaceIndex, p.InterfaceAlias ?? Device(p.InterfaceIndex)?.Name, query.Source, p.Weight) { NextHopId = HopId(p) };
        }

        work.Decision.Paths = forwarded;
        Record(work, route, pick);
        var hop = IPv4NextHop(chosen);
        string Why() => $"forwarded from {input.Name} by the longest match {route.DestinationPrefix} in table {route.TableName}"
            + (AddressClass.IsUnspecified(hop) ? $", on the link of {device?.Name ?? chosen.InterfaceIndex.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : $", via {hop}")
            + (pick.Why.Length > 0 ? "; " + pick.Why : string.Empty);
        Finish(work, route, RouteType.Unicast, device, hop, query.Source, Why, chosen.InterfaceIndex);
    }

    /// <summary>
    /// ip_route_input_rcu's multicast branch: a group the input interface has joined is delivered here. Only the
    /// all-hosts group is known to be joined (every IPv4 interface that is up is a member); other memberships, and
    /// whether a multicast router runs, are not in the snapshot, so such a packet is refused as the kernel refuses
    /// it without them.
    /// </summary>
    private void ResolveInputMulticast(DecisionWork work, NetInterfaceInfo input, IPAddress source, bool localnet)
    {
        var destination = work.Query.Destination;
        if (!destination.Equals(AllHosts))
        {
            Martian(work, $"{input.Name} is not known to be a member of {destination}: group memberships (ip maddr) and multicast routing are not in the snapshot, and without them the kernel drops the packet");
            return;
        }

        // An interface joins the all-hosts group when it is set up, and leaves every group when set down.
        if (input.AdminStatus != AdminStatus.Up)
        {
            Martian(work, $"{input.Name} is down, so it is a member of no multicast group, not even {destination}");
            return;
        }

        if (AddressClass.IsMulticast(source) || AddressClass.IsLimitedBroadcast(source) || (AddressClass.IsLoopback(source) && !localnet))
        {
            Martian(work, $"{source} cannot be the source of a multicast packet that arrives (martian source)");
            return;
        }

        // As on the unicast path, only 0.0.0.0 itself skips the source check: 0.1.2.3 meets rp_filter like any other.
        if (source.Equals(IPAddress.Any))
        {
            if (!AddressClass.IsLocalMulticast(destination) && work.Query.IPProtocol != Igmp)
            {
                Martian(work, $"a multicast from {source} is taken only to a link-local group or for IGMP (martian source)");
                return;
            }
        }
        else if (!CheckSource(work, input, source, IPAddress.Any, 0))
        {
            return;
        }

        Finish(work, null, RouteType.Multicast, loopback, IPAddress.Any, work.Query.Source,
            () => $"{input.Name} is a member of {destination}, the all-hosts group: the packet is delivered here");
    }

    /// <summary>ip_route_input_slow's brd_input: a broadcast is delivered here once its source passes.</summary>
    private void Broadcast(DecisionWork work, NetInterfaceInfo input, NetRouteInfo? route, IPAddress source)
    {
        if (!source.Equals(IPAddress.Any) && !CheckSource(work, input, source, IPAddress.Any, 0))
        {
            return;
        }

        // The reason is written after the work object is given back: it takes the destination, not the work.
        var destination = work.Query.Destination;
        Finish(work, route, RouteType.Broadcast, loopback, IPAddress.Any, work.Query.Source,
            () => $"{destination} is a broadcast {(route is null ? "to every host of the link" : $"of {route.InterfaceAlias ?? "a link"} ({route.DestinationPrefix} in table {route.TableName})")}: the packet arriving on {input.Name} is delivered here, not forwarded");
    }

    /// <summary>Every refusal on the way in is EINVAL from `ip route get ... iif` on kernel 6.18.</summary>
    private static void Martian(DecisionWork work, string why)
    {
        if (work.Explaining)
        {
            work.Note(RouteTraceStage.Input, work.Query.Source?.ToString() ?? "0.0.0.0", "refused: " + why);
        }

        work.Refuse(RouteError.InvalidArgument, why + ": Invalid argument.");
    }

    /// <summary>
    /// ip6_route_input: the rules with the input interface as iif, then a table lookup that prefers routes through
    /// that interface (and takes only those for a link-local, multicast or loopback destination). IPv6 has no
    /// martian or reverse-path check in routing, and forwarding is checked later (ip6_forward), not by the lookup.
    /// </summary>
    private void ResolveInputIPv6(DecisionWork work, NetInterfaceInfo input)
    {
        var query = work.Query;
        var destination = query.Destination;
        var found = LookUp(work, IPAddressFamily.IPv6);
        if (found is null)
        {
            if (work.Decision.Error == RouteError.None)
            {
                work.Refuse(RouteError.NetworkUnreachable, NeedsStrictInterface(destination)
                    ? $"no route to {destination} leaves by {input.Name}, and a packet to a link-local, multicast or loopback address arriving there may go no other way: Network is unreachable."
                    : "no route matches: Network is unreachable.");
            }

            return;
        }

        var (route, paths) = found.Value;
        var source = query.Source ?? route.PreferredSource;
        var arrived = new RoutePath[paths.Count];
        for (var i = 0; i < arrived.Length; i++)
        {
            var p = paths[i];
            arrived[i] = new RoutePath(p.NextHop, p.InterfaceIndex, p.InterfaceAlias ?? Device(p.InterfaceIndex)?.Name, source, p.Weight) { NextHopId = HopId(p) };
        }

        work.Decision.Paths = arrived;
        if (route.RouteType is RouteType.Local or RouteType.Anycast)
        {
            Finish(work, route, route.RouteType, loopback, IPAddress.IPv6Any, source,
                () => $"{destination} is an address of this host ({route.DestinationPrefix} is a {route.RouteType.ToString().ToLowerInvariant()} route in table {route.TableName}): the packet arriving on {input.Name} is delivered here");
            return;
        }

        var pick = PickInputPath(work, route, paths);
        Record(work, route, pick);
        var chosen = paths[pick.First];
        var device = Device(chosen.InterfaceIndex);
        var forwardingName = LinuxKernelSettings.InterfaceName(IPAddressFamily.IPv6, "all", "forwarding");
        var forwarding = snapshot.Settings.Get(forwardingName, 0) != 0;
        string Why() => $"from {input.Name} by the longest match {route.DestinationPrefix} in table {route.TableName}"
            + (chosen.IsOnLink ? $", on the link of {device?.Name}" : $", via {chosen.NextHop}")
            + (pick.Why.Length > 0 ? "; " + pick.Why : string.Empty)
            + (forwarding ? string.Empty : $"; {forwardingName} is 0, so the packet itself would be dropped after this lookup (ip6_forward), which `ip route get` does not show");
        Finish(work, route, route.RouteType, device, chosen.NextHop, source, Why, chosen.InterfaceIndex);
    }

    /// <summary>
    /// An IPv4 setting that is on when it is on for "all" or for the interface (IN_DEV_ORCONF), or with
    /// <paramref name="both"/> only when it is on for both (IN_DEV_ANDCONF).
    /// </summary>
    private long Conf(NetInterfaceInfo input, string setting, long kernelDefault, bool both = false)
    {
        var forAll = snapshot.Settings.ForInterface(IPAddressFamily.IPv4, "all", setting, kernelDefault);
        var forInput = snapshot.Settings.ForInterface(IPAddressFamily.IPv4, input.Name, setting, kernelDefault);
        return both ? Math.Min(forAll, forInput) : Math.Max(forAll, forInput);
    }

    /// <summary>IN_DEV_FORWARD: the input interface's own forwarding setting (writing "all" sets every interface's).</summary>
    private bool ForwardingOn(NetInterfaceInfo input) =>
        snapshot.Settings.ForInterface(IPAddressFamily.IPv4, input.Name, "forwarding", 0) != 0;

    private static string ForwardingName(NetInterfaceInfo input) => LinuxKernelSettings.InterfaceName(IPAddressFamily.IPv4, input.Name, "forwarding");

    private string NoForwarding(NetInterfaceInfo input) =>
        $"{input.Name} does not forward ({ForwardingName(input)} = 0{(snapshot.Settings.Has(ForwardingName(input)) ? string.Empty : ", the default: it was not read")})";

    private static string Advice(NetInterfaceInfo input, string setting, int value) =>
        $"sysctl -w {LinuxKernelSettings.InterfaceName(IPAddressFamily.IPv4, input.Name, setting)}={value}";
}

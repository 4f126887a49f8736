using System;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;

namespace PSLoopback.Routing;

// The source check of a packet arriving on an interface (fib_validate_source, __fib_validate_source): rp_filter,
// accept_local, src_valid_mark, and the reverse lookup they make.
public sealed partial class LinuxRouteResolver
{
    /// <summary>
    /// fib_validate_source: whether a packet from <paramref name="source"/> may arrive on <paramref name="input"/>.
    /// With rp_filter off it only refuses the host's own addresses (unless accept_local); else, and whenever custom
    /// rules or local routes make the address list unreliable, it looks the source up as a destination, as if
    /// answering from <paramref name="destination"/>. On refusal the decision is set (EINVAL) and false returned.
    /// </summary>
    /// <param name="outputIndex">The interface the packet will leave by, or 0 when it is delivered here.</param>
    private bool CheckSource(DecisionWork work, NetInterfaceInfo input, IPAddress source, IPAddress destination, int outputIndex)
    {
        // The larger of "all" and the interface's setting applies (IN_DEV_MAXCONF); the reason names the one that did.
        var rpAll = snapshot.Settings.ForInterface(IPAddressFamily.IPv4, "all", "rp_filter", 0);
        var rpFilter = Math.Max(rpAll, snapshot.Settings.ForInterface(IPAddressFamily.IPv4, input.Name, "rp_filter", 0));
        var acceptLocal = Conf(input, "accept_local", 0) != 0;
        var rpName = $"{LinuxKernelSettings.InterfaceName(IPAddressFamily.IPv4, rpAll == rpFilter ? "all" : input.Name, "rp_filter")} = {rpFilter}";

        // A packet sent back out its own interface may earn a redirect, which needs the full check.
        var hairpin = input.InterfaceIndex == outputIndex && Conf(input, "send_redirects", 1) != 0;
        if (rpFilter == 0 && !hairpin)
        {
            if (acceptLocal)
            {
                return SourcePasses(work, source, $"accept_local is on and rp_filter off, so any source is taken on {input.Name}");
            }

            // The kernel knows its addresses only as long as no custom rule or local route can make others local.
            var customLocal = snapshot.Routes.Any(r => r.AddressFamily == IPAddressFamily.IPv4 && r.RouteType == RouteType.Local && r.Protocol != RouteProtocol.Kernel);
            if (mergedIPv4LocalAndMain && !customLocal)
            {
                if (snapshot.Interfaces.Any(i => i.Addresses.Any(a => a.IPAddress.Equals(source))))
                {
                    return SourceFails(work, $"{source} is an address of this host, so a packet arriving on {input.Name} cannot carry it (martian source); {Advice(input, "accept_local", 1)} would take it");
                }

                return SourcePasses(work, source, "rp_filter is off and the source is not this host's");
            }
        }

        // The reverse lookup keeps the protocol and the swapped ports only when some IPv4 rule needs them for a
        // packet not sent by this host (fib4_rules_early_flow_dissect: a rule on ipproto or ports whose iif is
        // not lo); otherwise __fib_validate_source zeroes them.
        var dissect = Rules(IPAddressFamily.IPv4).Any(r => (r.IPProtocol is > 0 || r.SourcePortRange is not null || r.DestinationPortRange is not null)
            && InterfaceNamed(r.IncomingInterface ?? string.Empty)?.IsLoopback != true);
        var reverse = new RouteQuery(source)
        {
            Source = destination.Equals(IPAddress.Any) ? null : destination,
            InputInterfaceIndex = outputIndex != 0 ? outputIndex : loopback?.InterfaceIndex,
            Tos = work.Query.Tos,
            Mark = Conf(input, "src_valid_mark", 0) != 0 ? work.Query.Mark : 0,
            IPProtocol = dissect ? FlowProtocol(work.Query) : (byte)0,
            ProtocolAsGiven = true,
            SourcePort = dissect ? work.Query.DestinationPort : (ushort)0,
            DestinationPort = dissect ? work.Query.SourcePort : (ushort)0,
        };
        var back = LookUp(new DecisionWork(reverse, explain: false), IPAddressFamily.IPv4);
        if (back is null)
        {
            return rpFilter != 0
                ? SourceFails(work, $"no route leads back to {source}, and reverse path filtering ({rpName}) refuses a source it cannot route back to")
                : SourcePasses(work, source, "no route leads back to it, which rp_filter 0 allows");
        }

        var (route, _) = back.Value;
        if (route.RouteType != RouteType.Unicast && !(route.RouteType == RouteType.Local && acceptLocal))
        {
            return SourceFails(work, route.RouteType == RouteType.Local
                ? $"{source} is local to this host ({route.DestinationPrefix} is a local route in table {route.TableName}), so a packet arriving on {input.Name} cannot carry it (martian source); {Advice(input, "accept_local", 1)} would take it"
                : $"the route back to {source} is {route.DestinationPrefix}, a {route.RouteType.ToString().ToLowerInvariant()} route in table {route.TableName} (martian source)");
        }

        var backHops = Hops(route);
        if (Enumerable.Range(0, backHops.Count).Any(i => backHops[i].InterfaceIndex == input.InterfaceIndex) || (route.RouteType == RouteType.Local && input.IsLoopback))
        {
            return SourcePasses(work, source, $"the route back to it, {route.DestinationPrefix} in table {route.TableName}, leaves by {input.Name}");
        }

        // __fib_validate_source: an interface without an address goes to last_resort, which refuses only
        // while rp_filter is on; with it off every source passes.
        var noAddress = !input.Addresses.Any(a => a.AddressFamily == IPAddressFamily.IPv4);
        if (rpFilter == 1 || (noAddress && rpFilter != 0))
        {
            var via = string.Join(", ", Enumerable.Range(0, backHops.Count).Select(i => backHops[i].InterfaceAlias ?? Device(backHops[i].InterfaceIndex)?.Name).Distinct());
            return SourceFails(work, rpFilter == 1 && !noAddress
                ? $"strict reverse path filtering ({rpName}): the route back to {source}, {route.DestinationPrefix} in table {route.TableName}, leaves by {via}, not {input.Name}; rp_filter 2 (loose) would take it"
                : $"{input.Name} has no IPv4 address, so reverse path filtering ({rpName}) takes only a source routed back through it; the route back to {source} leaves by {via}; rp_filter 0 would take it");
        }

        return SourcePasses(work, source, rpFilter == 2
            ? $"loose reverse path filtering: a route leads back to it ({route.DestinationPrefix} in table {route.TableName})"
            : $"a route leads back to it ({route.DestinationPrefix} in table {route.TableName}), and rp_filter is off");
    }

    private static bool SourcePasses(DecisionWork work, IPAddress source, string why)
    {
        if (work.Explaining)
        {
            work.Note(RouteTraceStage.Source, source.ToString(), "passes the source check: " + why);
        }

        return true;
    }

    private static bool SourceFails(DecisionWork work, string why)
    {
        Martian(work, why);
        return false;
    }
}

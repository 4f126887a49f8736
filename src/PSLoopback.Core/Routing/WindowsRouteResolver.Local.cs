using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;

namespace PSLoopback.Routing;

// Destinations that never leave the host: loopback addresses and the host's own.
public sealed partial class WindowsRouteResolver
{
    /// <summary>
    /// 127.0.0.0/8 and ::1 are delivered by the Loopback Pseudo-Interface through routes Windows creates at
    /// boot and does not let anyone delete. A table that lacks them (Wine's IP Helper lists none) still
    /// gets Windows' answer.
    /// </summary>
    private void AnswerLoopback(DecisionWork work, IPAddress destination, IPAddressFamily family, NetInterfaceInfo? oif)
    {
        if (oif is not null && !oif.IsLoopback)
        {
            work.Refuse(RouteError.NetworkUnreachable, $"{destination} is a loopback address, which never leaves the host (RFC 1122), so it cannot be sent by {oif.Name}, the interface asked for.");
            return;
        }

        NetRouteInfo? route = null;
        var table = Table(family);
        var (high, low) = work.DestinationNumbers;
        for (var node = table.FindNode(high, low); node != 0 && route is null; node = table.CoveringOf(node))
        {
            var routes = table.ValueAt(node)!.Routes;
            for (var i = 0; i < routes.Count && route is null; i++)
            {
                if (snapshot.FindInterface(routes[i].InterfaceIndex)?.IsLoopback == true)
                {
                    route = routes[i];
                }
            }
        }

        var device = route is null ? loopback : snapshot.FindInterface(route.InterfaceIndex);
        var block = family == IPAddressFamily.IPv4 ? "127.0.0.0/8" : "::1/128";
        var name = device?.Name ?? "the Loopback Pseudo-Interface";
        if (work.Explaining)
        {
            work.Note(RouteTraceStage.Table, destination.ToString(), route is null
                ? $"is a loopback address; the table does not list the route for {block}, which Windows always has on {name} and which cannot be deleted"
                : $"is a loopback address: {route.DestinationPrefix} on {name} is Windows' well-known loopback route");
        }

        var source = work.Query.Source ?? SelectSource(work, device, family, destination, destination);
        Finish(work, route, RouteType.Local, device, Unspecified(family), source, MetricOf(route, device, family), () => route is null
            ? $"{destination} is a loopback address: Windows delivers it through {name}, by the route for {block} it always has (the table did not list it)"
            : $"{destination} is a loopback address: {route.DestinationPrefix}, Windows' loopback route, delivers it through {name}");
    }

    /// <summary>Windows adds a host route on an address's interface for each of its addresses; the packet stays on the host.</summary>
    private void AnswerOwnAddress(DecisionWork work, IPAddress destination, IPAddressFamily family, NetInterfaceAddress own)
    {
        var device = snapshot.FindInterface(own.InterfaceIndex);
        NetRouteInfo? route = null;
        var host = Table(family).Get(new IPPrefix(destination, family == IPAddressFamily.IPv4 ? 32 : 128));
        for (var i = 0; host is not null && i < host.Routes.Count && route is null; i++)
        {
            if (host.Routes[i].InterfaceIndex == own.InterfaceIndex)
            {
                route = host.Routes[i];
            }
        }
        if (work.Explaining)
        {
            work.Note(RouteTraceStage.Table, destination.ToString(), route is null
                ? $"is an address of {device?.Name}; the table does not list the host route Windows adds for it"
                : $"is an address of {device?.Name}: {route.DestinationPrefix} is its host route");
        }

        var source = work.Query.Source ?? destination;
        Finish(work, route, RouteType.Local, device, Unspecified(family), source, MetricOf(route, device, family),
            () => $"{destination} is an address of this host, on {device?.Name}: the packet stays on the host");
    }
}

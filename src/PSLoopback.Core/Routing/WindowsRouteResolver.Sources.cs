using System.Collections.Generic;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;
using Candidate = PSLoopback.Routing.WindowsSourceAddressSelector.Candidate;

namespace PSLoopback.Routing;

// The source address of a decision, from the interface the route leaves by. Each address is made a candidate once,
// when the resolver is built, so a selection only compares numbers.
public sealed partial class WindowsRouteResolver
{
    private readonly Dictionary<IPAddressFamily, List<Candidate>> everyCandidate = new()
    {
        [IPAddressFamily.IPv4] = new List<Candidate>(),
        [IPAddressFamily.IPv6] = new List<Candidate>(),
    };

    /// <summary>
    /// The source Windows picks: from the outgoing interface's addresses (strong host send), or from every
    /// interface's when that interface allows weak host send, where rule 5 still prefers its own.
    /// </summary>
    /// <param name="destination">Without a zone: <see cref="DecisionWork.DestinationNumbers"/> are its bits.</param>
    private IPAddress? SelectSource(DecisionWork work, NetInterfaceInfo? device, IPAddressFamily family, IPAddress destination, IPAddress nextHop)
    {
        if (!snapshot.AddressesKnown)
        {
            if (work.Explaining)
            {
                work.Note(RouteTraceStage.Source, "(none)", "a table of routes alone does not say which addresses are the host's, so no source can be chosen");
            }

            return null;
        }

        if (device is null)
        {
            if (work.Explaining)
            {
                work.Note(RouteTraceStage.Source, "(none)", "no interface is known to send it, so no source can be chosen");
            }

            return null;
        }

        var link = links[(device.InterfaceIndex, family)];
        var candidates = link.WeakHostSend ? everyCandidate[family] : link.Candidates;
        if (work.Explaining)
        {
            work.Note(RouteTraceStage.Source, device.Name, link.WeakHostSend
                ? $"allows weak host send: every interface's {family} addresses are candidates"
                : $"sends by the strong host model: its own {family} addresses are the candidates" + (link.HostModelRead ? string.Empty : " (its IP settings were not read: Windows' default is assumed)"));
        }

        var source = WindowsSourceAddressSelector.Select(candidates, device.InterfaceIndex, destination, work.DestinationNumbers, nextHop, work.Trace);
        if (source is null && work.Explaining)
        {
            work.Note(RouteTraceStage.Source, "(none)", $"no address of {device.Name} can be the source");
        }

        return source;
    }
}

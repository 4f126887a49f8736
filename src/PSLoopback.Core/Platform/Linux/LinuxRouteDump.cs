using System;
using System.Collections.Generic;
using System.Linq;
using PSLoopback.Platform.Linux.Netlink;
using static PSLoopback.Platform.Linux.Netlink.NetlinkConstants;
using static PSLoopback.Platform.Linux.Netlink.RouteConstants;

namespace PSLoopback.Platform.Linux;

/// <summary>
/// Every IPv4 and IPv6 route of every table (main, local, and ids above 255 alike) and every policy rule, as
/// the kernel's rtnetlink dumps give them; turning them into a model is left to the caller.
/// </summary>
public sealed class LinuxRouteDump
{
    private LinuxRouteDump()
    {
    }

    public static (IReadOnlyList<RouteMessage> Routes, IReadOnlyList<RuleMessage> Rules) Read() => Read(route => route);

    /// <summary>
    /// The same, each route turned by <paramref name="take"/> as its message arrives (null drops it): a caller that
    /// builds its own model from each message never holds a million messages beside it.
    /// </summary>
    public static (IReadOnlyList<TRoute> Routes, IReadOnlyList<RuleMessage> Rules) Read<TRoute>(Func<RouteMessage, TRoute?> take)
        where TRoute : class
    {
        using var socket = NetlinkSocket.OpenRoute();
        var routes = new List<TRoute>();
        var rules = new List<RuleMessage>();
        foreach (var family in new[] { AF_INET, AF_INET6 })
        {
            // A header with only the family set asks for every table.
            routes.AddRange(socket.Dump(RTM_GETROUTE, FamilyHeader(family, RtMsgLength), message => FibRoute(message) is { } route ? take(route) : null));
            rules.AddRange(Rules(socket.Dump(RTM_GETRULE, FamilyHeader(family, FibRuleHdrLength))));
        }

        return (routes, rules);
    }

    /// <summary>
    /// The FIB entry of one message of a route dump, or null. The kernel sends cached (cloned) routes, such as PMTU
    /// exceptions, only to a dump request with RTM_F_CLONED in its rtm_flags, which this one never sets; any that came
    /// anyway would not be routes anyone configured, so they are dropped.
    /// </summary>
    internal static RouteMessage? FibRoute(NetlinkMessage message) =>
        message.Type == RTM_NEWROUTE && RouteParser.ParseRoute(message.Payload) is var route && (route.Flags & RTM_F_CLONED) == 0 ? route : null;

    internal static IEnumerable<RuleMessage> Rules(IEnumerable<NetlinkMessage> messages) =>
        messages.Where(m => m.Type == RTM_NEWRULE).Select(m => RouteParser.ParseRule(m.Payload));

    /// <summary>rtmsg and fib_rule_hdr both start with the family byte.</summary>
    private static byte[] FamilyHeader(byte family, int length)
    {
        var header = new byte[length];
        header[0] = family;
        return header;
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;
using PSLoopback.Platform.Linux.Netlink;
using PSLoopback.Routing;
using static PSLoopback.Platform.Linux.Netlink.NetlinkConstants;

namespace PSLoopback.Platform.Linux;

/// <summary>Turns parsed route and rule messages into the routing model. Pure: the OS is not touched.</summary>
public static class LinuxRouteBuilder
{
    // The low byte of rtm_flags carries a single-path route's RTNH_F_* flags; the rest are RTM_F_* request flags.
    private const uint NextHopFlagMask = 0xFF;

    /// <param name="nextHopObjects">The nexthop objects routes may name (RTA_NH_ID); their paths become the routes' own.</param>
    public static IReadOnlyList<NetRouteInfo> BuildRoutes(IEnumerable<RouteMessage> messages, IReadOnlyList<NetInterfaceInfo> interfaces, IEnumerable<NetNextHopObject>? nextHopObjects = null)
    {
        var routeOf = RouteOf(interfaces);
        var routes = new List<NetRouteInfo>();
        foreach (var message in messages)
        {
            if (routeOf(message) is { } route)
            {
                routes.Add(route);
            }
        }

        NextHopExpansion.Apply(routes, nextHopObjects ?? Array.Empty<NetNextHopObject>());
        return routes;
    }

    /// <summary>
    /// Turns one route message into a route (null for a family other than IPv4 and IPv6), for building routes as their
    /// messages arrive; nexthop objects are left to <see cref="NextHopExpansion"/>. Routes through one gateway share its
    /// address object (<see cref="SharedAddresses"/>): change none of them in place (an IPv6 ScopeId).
    /// </summary>
    public static Func<RouteMessage, NetRouteInfo?> RouteOf(IReadOnlyList<NetInterfaceInfo> interfaces)
    {
        var names = interfaces.ToDictionary(i => i.InterfaceIndex, i => i.Name);
        var shared = new SharedAddresses();
        return message => Route(message, names, shared);
    }

    private static NetRouteInfo? Route(RouteMessage message, Dictionary<int, string> names, SharedAddresses shared)
    {
        if (message.Family != AF_INET && message.Family != AF_INET6)
        {
            return null;
        }

        var family = message.Family == AF_INET ? IPAddressFamily.IPv4 : IPAddressFamily.IPv6;
        var unspecified = family == IPAddressFamily.IPv4 ? IPAddress.Any : IPAddress.IPv6Any;
        var route = new NetRouteInfo
        {
            DestinationPrefix = new IPPrefix(message.Destination is byte[] dst ? new IPAddress(dst) : unspecified, message.DestinationLength),
            SourcePrefix = message.Source is byte[] src && message.SourceLength > 0 ? new IPPrefix(new IPAddress(src), message.SourceLength) : null,
            NextHop = message.Gateway is byte[] gateway ? shared.Of(gateway) : unspecified,
            InterfaceIndex = message.OutputInterface ?? 0,
            RouteMetric = message.Priority,
            Table = message.Table,
            RouteType = (RouteType)message.Type,
            Protocol = (RouteProtocol)message.Protocol,
            Scope = (AddressScope)message.Scope,
            PreferredSource = message.PreferredSource is byte[] prefsrc ? shared.Of(prefsrc) : null,
            Flags = (RouteFlags)(message.Flags & NextHopFlagMask),
            Tos = message.Tos,
            Preference = family == IPAddressFamily.IPv6 ? (RoutePreference)(message.Preference ?? 0) : null,
            Mtu = message.Mtu is uint mtu && mtu > 0 ? (int)Math.Min(mtu, int.MaxValue) : null,
            NextHopId = message.NextHopId,
        };
        route.InterfaceAlias = Name(names, route.InterfaceIndex);
        if (message.NextHops.Count > 0)
        {
            var hops = new NetRouteNextHop[message.NextHops.Count];
            for (var i = 0; i < hops.Length; i++)
            {
                var hop = message.NextHops[i];
                hops[i] = new NetRouteNextHop
                {
                    NextHop = hop.Gateway is byte[] hopGateway ? shared.Of(hopGateway) : unspecified,
                    InterfaceIndex = hop.InterfaceIndex,
                    InterfaceAlias = Name(names, hop.InterfaceIndex),
                    Weight = hop.Weight,
                    Flags = (RouteFlags)hop.Flags,
                };
            }

            route.NextHops = hops;
        }

        return route;
    }

    public static IReadOnlyList<NetRouteRule> BuildRules(IEnumerable<RuleMessage> messages)
    {
        var rules = new List<NetRouteRule>();
        foreach (var message in messages.Where(m => m.Family == AF_INET || m.Family == AF_INET6))
        {
            var family = message.Family == AF_INET ? IPAddressFamily.IPv4 : IPAddressFamily.IPv6;
            rules.Add(new NetRouteRule
            {
                AddressFamily = family,
                Priority = message.Priority,
                Action = (RuleAction)message.Action,
                Table = message.Table,
                From = Prefix(message.Source, message.SourceLength),
                To = Prefix(message.Destination, message.DestinationLength),
                FromAddress = message.Source is byte[] fromAddress ? new IPAddress(fromAddress) : null,
                ToAddress = message.Destination is byte[] toAddress ? new IPAddress(toAddress) : null,
                Not = message.IsInverted,
                FwMark = message.FirewallMark,
                FwMask = message.FirewallMask,
                IncomingInterface = message.InputInterfaceName,
                IncomingInterfaceDetached = message.IsInputInterfaceDetached,
                OutgoingInterface = message.OutputInterfaceName,
                OutgoingInterfaceDetached = message.IsOutputInterfaceDetached,
                Tos = message.Tos,
                Dscp = message.Dscp,
                DscpMask = message.DscpMask,
                FlowLabel = message.FlowLabel,
                FlowLabelMask = message.FlowLabelMask,
                GotoPriority = message.GotoTarget,
                GotoUnresolved = message.IsUnresolved,
                SuppressPrefixLength = message.SuppressPrefixLength is uint length ? (int)length : null,
                SuppressInterfaceGroup = message.SuppressInterfaceGroup is uint group ? (int)group : null,
                IPProtocol = message.IpProtocol,
                SourcePortRange = message.SourcePortRange is (ushort s1, ushort e1) ? new PortRange(s1, e1) : null,
                DestinationPortRange = message.DestinationPortRange is (ushort s2, ushort e2) ? new PortRange(s2, e2) : null,
                SourcePortMask = message.SourcePortMask,
                DestinationPortMask = message.DestinationPortMask,
                UidRange = message.UidRange is (uint u1, uint u2) ? new UidRange(u1, u2) : null,
                L3MasterDevice = message.L3MasterDevice,
                TunnelId = message.TunnelId,
                Realms = message.Flow,
                Protocol = (RouteProtocol)message.Protocol,
            });
        }

        return rules;
    }

    private static IPPrefix? Prefix(byte[]? address, byte length) =>
        address is null ? null : new IPPrefix(new IPAddress(address), length);

    private static string? Name(Dictionary<int, string> names, int index) =>
        index != 0 && names.TryGetValue(index, out var name) ? name : null;
}

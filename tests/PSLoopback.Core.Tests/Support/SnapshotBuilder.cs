using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;
using PSLoopback.Routing;

namespace PSLoopback.Core.Tests.Support;

/// <summary>
/// Builds a routing snapshot from `ip`-style lines, so a test reads like the commands that would make the
/// same host: Route("default via 192.0.2.1 dev eth0 metric 100"), Rule("100: from 10.0.0.0/8 lookup 100").
/// </summary>
internal sealed class SnapshotBuilder
{
    private readonly List<NetInterfaceInfo> interfaces = new();
    private readonly List<NetRouteInfo> routes = new();
    private readonly List<NetRouteRule> rules = new();
    private readonly List<NetNextHopObject> nextHops = new();
    private readonly List<NetNeighbor> neighbors = new();
    private readonly Dictionary<string, long> settings = new();

    /// <summary>A host with lo (127.0.0.1/8, ::1/128) and the usual local-table routes for it.</summary>
    public static SnapshotBuilder WithLoopback() => new SnapshotBuilder()
        .Interface(1, "lo", loopback: true, "127.0.0.1/8", "::1/128")
        .Route("local 127.0.0.0/8 dev lo table local scope host src 127.0.0.1")
        .Route("local 127.0.0.1 dev lo table local scope host src 127.0.0.1")
        .Route("broadcast 127.255.255.255 dev lo table local scope link src 127.0.0.1")
        .Route("local ::1 dev lo table local");

    public SnapshotBuilder Interface(int index, string name, bool loopback = false, params string[] addresses)
    {
        var nic = new NetInterfaceInfo(index, name)
        {
            InterfaceType = loopback ? InterfaceType.Loopback : InterfaceType.Ethernet,
            AdminStatus = AdminStatus.Up,
            Status = InterfaceStatus.Up,
        };
        nic.Addresses = addresses.Select(text =>
        {
            var parts = text.Split(' ');
            var prefix = parts[0].Split('/');
            var ip = IPAddress.Parse(prefix[0]);
            var address = new NetInterfaceAddress(index, name, ip, int.Parse(prefix[1], CultureInfo.InvariantCulture))
            {
                Scope = loopback ? AddressScope.Host : ip.IsIPv6LinkLocal ? AddressScope.Link : AddressScope.Global,
            };
            foreach (var flag in parts.Skip(1))
            {
                if (flag == "link")
                {
                    address.Scope = AddressScope.Link;
                    continue;
                }

                address.Flags |= flag switch
                {
                    "secondary" or "temporary" => AddressFlags.Secondary,
                    "deprecated" => AddressFlags.Deprecated,
                    "tentative" => AddressFlags.Tentative,
                    _ => throw new ArgumentException("unknown address flag " + flag),
                };
            }

            return address;
        }).ToArray();
        interfaces.Add(nic);
        return this;
    }

    /// <summary>A VRF device (ip link add NAME type vrf table T), with its own addresses if any.</summary>
    public SnapshotBuilder Vrf(int index, string name, uint table, params string[] addresses)
    {
        Interface(index, name, false, addresses);
        var vrf = interfaces[interfaces.Count - 1];
        vrf.InterfaceType = InterfaceType.Virtual;
        vrf.LinkKind = "vrf";
        vrf.VrfTable = table;
        return this;
    }

    /// <summary>ip link set NAME master MASTER.</summary>
    public SnapshotBuilder Enslave(string name, string master)
    {
        interfaces.Single(i => i.Name == name).MasterIndex = IndexOf(master);
        return this;
    }

    /// <summary>[type] prefix|default [from P] [via G] [dev D] [metric M] [table T] [src S] [scope S] [tos T] [pref P] [dead] [mtu M] [nhid N] [nexthop via G dev D [weight W]]...</summary>
    public SnapshotBuilder Route(string text)
    {
        var words = new Queue<string>(text.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries));
        var route = new NetRouteInfo();
        if (Enum.TryParse<RouteType>(words.Peek(), ignoreCase: true, out var type) && !char.IsDigit(words.Peek()[0]))
        {
            route.RouteType = type;
            words.Dequeue();
        }

        var destination = words.Dequeue();
        // "default" takes its family from the rest of the line: an IPv6 gateway or source makes it ::/0.
        var family = destination.Contains(':') || (destination == "default" && words.Any(w => w.Contains(':')))
            ? IPAddressFamily.IPv6
            : IPAddressFamily.IPv4;
        route.DestinationPrefix = destination == "default"
            ? new IPPrefix(family == IPAddressFamily.IPv4 ? IPAddress.Any : IPAddress.IPv6Any, 0)
            : IPPrefix.Parse(destination);
        route.NextHop = route.DestinationPrefix.AddressFamily == IPAddressFamily.IPv4 ? IPAddress.Any : IPAddress.IPv6Any;
        route.Scope = route.RouteType == RouteType.Local ? AddressScope.Host : AddressScope.Global;
        var explicitScope = false;
        var hops = new List<NetRouteNextHop>();
        while (words.Count > 0)
        {
            var word = words.Dequeue();
            switch (word)
            {
                case "from":
                    route.SourcePrefix = IPPrefix.Parse(words.Dequeue());
                    break;
                case "via":
                    route.NextHop = IPAddress.Parse(words.Dequeue());
                    break;
                case "dev":
                    route.InterfaceAlias = words.Dequeue();
                    route.InterfaceIndex = IndexOf(route.InterfaceAlias);
                    break;
                case "metric":
                    route.RouteMetric = uint.Parse(words.Dequeue(), CultureInfo.InvariantCulture);
                    break;
                case "table":
                    route.Table = RouteTables.Parse(words.Dequeue());
                    break;
                case "src":
                    route.PreferredSource = IPAddress.Parse(words.Dequeue());
                    break;
                case "scope":
                    route.Scope = words.Dequeue() switch { "host" => AddressScope.Host, "link" => AddressScope.Link, _ => AddressScope.Global };
                    explicitScope = true;
                    break;
                case "tos":
                    route.Tos = Convert.ToByte(words.Dequeue(), 16);
                    break;
                case "pref":
                    route.Preference = (RoutePreference)Enum.Parse(typeof(RoutePreference), words.Dequeue(), ignoreCase: true);
                    break;
                case "dead":
                    route.Flags |= RouteFlags.Dead;
                    break;
                case "proto":
                    route.Protocol = (RouteProtocol)Enum.Parse(typeof(RouteProtocol), words.Dequeue(), ignoreCase: true);
                    break;
                case "nhid":
                    route.NextHopId = uint.Parse(words.Dequeue(), CultureInfo.InvariantCulture);
                    break;
                case "nexthop":
                    var hop = new NetRouteNextHop();
                    Expect(words, "via");
                    hop.NextHop = IPAddress.Parse(words.Dequeue());
                    Expect(words, "dev");
                    hop.InterfaceAlias = words.Dequeue();
                    hop.InterfaceIndex = IndexOf(hop.InterfaceAlias);
                    hops.Add(hop);
                    break;
                case "weight":
                    hops[hops.Count - 1].Weight = int.Parse(words.Dequeue(), CultureInfo.InvariantCulture);
                    break;
                case "mtu":
                    route.Mtu = int.Parse(words.Dequeue(), CultureInfo.InvariantCulture);
                    break;
                default:
                    throw new ArgumentException($"unknown word '{word}' in route '{text}'");
            }
        }

        // iproute2 gives a route of neither gateway nor nexthop object the link scope; one through "nhid" keeps universe.
        if (!explicitScope && route.RouteType == RouteType.Unicast && route.IsOnLink && hops.Count == 0 && route.NextHopId is null)
        {
            route.Scope = AddressScope.Link;
        }

        if (route.DestinationPrefix.AddressFamily == IPAddressFamily.IPv6)
        {
            route.Preference ??= RoutePreference.Medium;
        }

        route.NextHops = hops;
        routes.Add(route);
        return this;
    }

    /// <summary>"priority: [not] [from P] [to P] [fwmark M[/K]] [iif I] [oif O] [uidrange A-B] [l3mdev] [tos T] [dscp D[/K]] [flowlabel L[/K]] [ipproto N] [sport|dport A[-B]|P/K] [tun_id N] (lookup T [suppress_prefixlength N] [suppress_ifgroup G] | goto N | unreachable | prohibit | blackhole | nop)".</summary>
    public SnapshotBuilder Rule(string text, IPAddressFamily family = IPAddressFamily.IPv4)
    {
        var colon = text.IndexOf(':');
        var rule = new NetRouteRule { AddressFamily = family, Priority = uint.Parse(text.Substring(0, colon), CultureInfo.InvariantCulture) };
        var words = new Queue<string>(text.Substring(colon + 1).Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries));
        while (words.Count > 0)
        {
            var word = words.Dequeue();
            switch (word)
            {
                case "not":
                    rule.Not = true;
                    break;
                case "l3mdev":
                    rule.L3MasterDevice = true;
                    break;
                case "from":
                    var from = words.Dequeue();
                    rule.From = from == "all" ? null : IPPrefix.Parse(from);
                    break;
                case "to":
                    rule.To = IPPrefix.Parse(words.Dequeue());
                    break;
                case "fwmark":
                    var mark = words.Dequeue().Split('/');
                    rule.FwMark = Convert.ToUInt32(mark[0], 16);
                    rule.FwMask = mark.Length > 1 ? Convert.ToUInt32(mark[1], 16) : uint.MaxValue;
                    break;
                case "iif":
                    rule.IncomingInterface = words.Dequeue();
                    break;
                case "oif":
                    rule.OutgoingInterface = words.Dequeue();
                    break;
                case "uidrange":
                    var uids = words.Dequeue().Split('-');
                    rule.UidRange = new UidRange(uint.Parse(uids[0], CultureInfo.InvariantCulture), uint.Parse(uids[1], CultureInfo.InvariantCulture));
                    break;
                case "tos":
                    rule.Tos = Convert.ToByte(words.Dequeue(), 16);
                    break;
                case "ipproto":
                    rule.IPProtocol = byte.Parse(words.Dequeue(), CultureInfo.InvariantCulture);
                    break;
                case "dport":
                    (rule.DestinationPortRange, rule.DestinationPortMask) = Ports(words.Dequeue());
                    break;
                case "sport":
                    (rule.SourcePortRange, rule.SourcePortMask) = Ports(words.Dequeue());
                    break;
                case "dscp":
                    var dscp = words.Dequeue().Split('/');
                    rule.Dscp = (byte)Number(dscp[0]);
                    rule.DscpMask = dscp.Length > 1 ? (byte)Number(dscp[1]) : null;
                    break;
                case "flowlabel":
                    var label = words.Dequeue().Split('/');
                    rule.FlowLabel = Number(label[0]);
                    rule.FlowLabelMask = label.Length > 1 ? Number(label[1]) : null;
                    break;
                case "suppress_ifgroup":
                    rule.SuppressInterfaceGroup = (int)Number(words.Dequeue());
                    break;
                case "tun_id":
                    rule.TunnelId = Number(words.Dequeue());
                    break;
                case "lookup":
                    rule.Action = RuleAction.Lookup;
                    rule.Table = RouteTables.Parse(words.Dequeue());
                    break;
                case "suppress_prefixlength":
                    rule.SuppressPrefixLength = int.Parse(words.Dequeue(), CultureInfo.InvariantCulture);
                    break;
                case "action":
                    rule.Action = (RuleAction)byte.Parse(words.Dequeue(), CultureInfo.InvariantCulture);
                    break;
                case "goto":
                    rule.Action = RuleAction.Goto;
                    rule.GotoPriority = uint.Parse(words.Dequeue(), CultureInfo.InvariantCulture);
                    break;
                case "unreachable":
                    rule.Action = RuleAction.Unreachable;
                    break;
                case "prohibit":
                    rule.Action = RuleAction.Prohibit;
                    break;
                case "blackhole":
                    rule.Action = RuleAction.Blackhole;
                    break;
                case "nop":
                    rule.Action = RuleAction.Nop;
                    break;
                default:
                    throw new ArgumentException($"unknown word '{word}' in rule '{text}'");
            }
        }

        rules.Add(rule);
        return this;
    }

    /// <summary>"80", "1000-2000" or "0x120/0xfff0", as ip rule takes a port selector.</summary>
    private static (PortRange Range, ushort? Mask) Ports(string text)
    {
        var masked = text.Split('/');
        var ends = masked[0].Split('-');
        var range = new PortRange((ushort)Number(ends[0]), (ushort)Number(ends[ends.Length - 1]));
        return (range, masked.Length > 1 ? (ushort)Number(masked[1]) : null);
    }

    /// <summary>A number as ip takes one: decimal, or hex after 0x.</summary>
    private static uint Number(string text) =>
        text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? Convert.ToUInt32(text.Substring(2), 16) : uint.Parse(text, CultureInfo.InvariantCulture);

    /// <summary>Sets an interface's group (ip link set NAME group N), which suppress_ifgroup rules compare.</summary>
    public SnapshotBuilder Group(string name, uint group)
    {
        interfaces.Single(i => i.Name == name).Group = group;
        return this;
    }

    /// <summary>Adds the kernel's three default IPv4 rules, so that a test's own rules come with them.</summary>
    public SnapshotBuilder DefaultRules() =>
        Rule("0: lookup local").Rule("32766: lookup main").Rule("32767: lookup default");

    /// <summary>A sysctl as the snapshot holds it, by its dotted name (net.ipv4.conf.eth0.rp_filter).</summary>
    public SnapshotBuilder Setting(string name, long value)
    {
        settings[name] = value;
        return this;
    }

    /// <summary>
    /// id N (via G dev D [onlink] | blackhole | group A[,W]/B[,W] [type resilient]) [scope S], as `ip nexthop add`
    /// takes it; the scope, unless given, is the one the kernel dumps: host without a gateway or through one of this
    /// host's addresses, link through another gateway.
    /// </summary>
    public SnapshotBuilder NextHop(string text)
    {
        var words = new Queue<string>(text.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries));
        Expect(words, "id");
        var nextHop = new NetNextHopObject(uint.Parse(words.Dequeue(), CultureInfo.InvariantCulture));
        var scoped = false;
        while (words.Count > 0)
        {
            var word = words.Dequeue();
            switch (word)
            {
                case "via":
                    nextHop.Gateway = IPAddress.Parse(words.Dequeue());
                    nextHop.AddressFamily = nextHop.Gateway.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? IPAddressFamily.IPv6 : IPAddressFamily.IPv4;
                    break;
                case "dev":
                    nextHop.InterfaceAlias = words.Dequeue();
                    nextHop.InterfaceIndex = IndexOf(nextHop.InterfaceAlias);
                    break;
                case "onlink":
                    nextHop.Flags |= RouteFlags.OnLink;
                    break;
                case "blackhole":
                    nextHop.Blackhole = true;
                    break;
                case "group":
                    nextHop.Group = words.Dequeue().Split('/').Select(member =>
                    {
                        var parts = member.Split(',');
                        return new NetNextHopGroupMember(uint.Parse(parts[0], CultureInfo.InvariantCulture), parts.Length > 1 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : 1);
                    }).ToArray();
                    break;
                case "type":
                    Expect(words, "resilient");
                    nextHop.GroupType = NextHopGroupType.Resilient;
                    break;
                case "scope":
                    nextHop.Scope = words.Dequeue() switch { "host" => AddressScope.Host, "link" => AddressScope.Link, _ => AddressScope.Global };
                    scoped = true;
                    break;
                default:
                    throw new ArgumentException($"unknown word '{word}' in nexthop '{text}'");
            }
        }

        if (!scoped && !nextHop.IsGroup && !nextHop.Blackhole)
        {
            var local = nextHop.Gateway is IPAddress gateway && interfaces.Any(i => i.Addresses.Any(a => a.IPAddress.Equals(gateway)));
            nextHop.Scope = nextHop.Gateway is null || local ? AddressScope.Host : AddressScope.Link;
        }

        nextHops.Add(nextHop);
        return this;
    }

    /// <summary>ADDRESS dev D STATE, as `ip neigh` lists an entry (STATE: REACHABLE, STALE, FAILED, INCOMPLETE, PERMANENT, ...).</summary>
    public SnapshotBuilder Neighbor(string text)
    {
        var words = text.Split(' ');
        var state = (NeighborState)Enum.Parse(typeof(NeighborState), words[3], ignoreCase: true);
        neighbors.Add(new NetNeighbor(IPAddress.Parse(words[0]), IndexOf(words[2]), state) { InterfaceAlias = words[2] });
        return this;
    }

    /// <summary>The snapshot, its routes given their nexthop objects' paths as the Linux reader gives them.</summary>
    public RouteSnapshot Build()
    {
        var snapshot = new RouteSnapshot(interfaces.ToArray(), routes.ToArray(), rules.ToArray());
        new LinuxState(nextHops, neighbors, settings.ToList()).AddTo(snapshot, check: true);
        return snapshot;
    }

    public LinuxRouteResolver Resolver() => new(Build());

    private int IndexOf(string name) =>
        interfaces.FirstOrDefault(i => i.Name == name)?.InterfaceIndex ?? throw new ArgumentException($"no interface {name} yet");

    private static void Expect(Queue<string> words, string expected)
    {
        var word = words.Dequeue();
        if (word != expected)
        {
            throw new ArgumentException($"expected '{expected}', found '{word}'");
        }
    }
}

using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using PSLoopback.Platform.Linux.Netlink;
using static PSLoopback.Platform.Linux.Netlink.NetlinkConstants;
using static PSLoopback.Platform.Linux.Netlink.RouteConstants;

namespace PSLoopback.Platform.Linux;

/// <summary>
/// Asks the kernel which route it would use, as `ip route get` does: one RTM_GETROUTE request (not a dump) for a
/// destination, optionally with a source, output interface, firewall mark, type of service, uid, IP protocol and
/// ports, or an input interface (which simulates a packet arriving there and needs a source).
/// </summary>
/// <remarks>
/// What the kernel (6.18) answers, by what the lookup ends on, IPv4 and IPv6 alike unless said; `ip route get`
/// prints an errno as "RTNETLINK answers: " and its strerror text:
/// <list type="bullet">
/// <item>a unicast, local, broadcast, anycast (IPv6) or multicast route: an RTM_NEWROUTE with that rtm_type.
/// `ip -j route get` prints "type" only when it is not unicast, and "table" neither for main nor for 0, which IPv4
/// reports when no FIB entry was used (limited broadcast, multicast from a given source, an output interface that
/// no route leaves by);</item>
/// <item>an unreachable route: EHOSTUNREACH (113, "No route to host");</item>
/// <item>a blackhole route: EINVAL (22, "Invalid argument");</item>
/// <item>a prohibit route: EACCES (13, "Permission denied");</item>
/// <item>a throw route: no answer of its own; the rules after the one whose table threw are tried, and when none
/// finds a route, ENETUNREACH (101, "Network is unreachable");</item>
/// <item>a rule with action unreachable: ENETUNREACH (101); prohibit: EACCES (13); blackhole: EINVAL (22);</item>
/// <item>no rule finds a route: ENETUNREACH (101);</item>
/// <item>IPv4 with a source that is not a local address and no input interface: ENETUNREACH (101), before any rule;</item>
/// <item>IPv4 with an input interface whose forwarding is off: EHOSTUNREACH (113) for every destination that is not
/// local, whatever route or rule it meets; IPv6 answers as if forwarding were on;</item>
/// <item>IPv4 with an input interface and a martian source or destination, a source that fails rp_filter or is the
/// host's own without accept_local, or a multicast group the interface has not joined: EINVAL (22), not EXDEV;</item>
/// <item>IPv6 with an input interface and a multicast destination (ff02::1, ff05::1 seen): EMSGSIZE (90), from the
/// multicast-routing part of the answer rather than from the lookup.</item>
/// </list>
/// IPv4 answers are routing-cache entries: rtm_flags holds RTM_F_CLONED and the RTCF_* bits (local, broadcast,
/// multicast). IPv6 answers have rtm_flags 0 and always an RTA_SRC, "::" when no source was given.
/// </remarks>
public sealed class LinuxKernelRouteQuery
{
    public LinuxKernelRouteQuery(IPAddress destination)
    {
        Destination = destination ?? throw new ArgumentNullException(nameof(destination));
    }

    public IPAddress Destination { get; }

    /// <summary>RTA_SRC, of the destination's family. For IPv4 without <see cref="InputInterface"/> it must be a local address.</summary>
    public IPAddress? Source { get; set; }

    /// <summary>RTA_OIF: an interface index the route must leave by.</summary>
    public int? OutputInterface { get; set; }

    /// <summary>RTA_IIF: an interface index the packet is taken to have arrived on (a forwarding lookup).</summary>
    public int? InputInterface { get; set; }

    /// <summary>RTA_MARK: the firewall mark the policy rules see.</summary>
    public uint? Mark { get; set; }

    /// <summary>rtm_tos: the IP header's TOS byte (IPv6: the traffic class). The kernel drops the two ECN bits.</summary>
    public byte Tos { get; set; }

    /// <summary>RTA_UID: the sending user, for uidrange rules. Without it the kernel takes the asking process's uid.</summary>
    public uint? Uid { get; set; }

    /// <summary>
    /// RTA_IP_PROTO, for ipproto rules. The kernel (rtm_getroute_parse_ip_proto) takes only tcp, udp and icmp for
    /// IPv4, tcp, udp and ipv6-icmp for IPv6, and refuses any other (0 included) with EOPNOTSUPP.
    /// </summary>
    public byte? IPProtocol { get; set; }

    /// <summary>RTA_SPORT, for sport rules; the kernel takes it with any protocol or none.</summary>
    public ushort? SourcePort { get; set; }

    /// <summary>RTA_DPORT, for dport rules.</summary>
    public ushort? DestinationPort { get; set; }

    /// <summary>
    /// RTA_FLOWLABEL, IPv6 only (kernel 6.14 on): the 20-bit flow label for flowlabel rules, sent big-endian
    /// (inet6_rtm_getroute takes it as __be32 and refuses bits above 20; IPv4 refuses the attribute).
    /// </summary>
    public uint? FlowLabel { get; set; }

    /// <summary>RTM_F_FIB_MATCH: answer with the matching FIB entry (its prefix, its next hops) instead of the resolved route.</summary>
    public bool FibMatch { get; set; }

    /// <summary>Sends the query on a netlink socket of this process's network namespace.</summary>
    /// <param name="errno">
    /// 0 when a route came back, else the kernel's errno (see the remarks for what each means), or that of a socket
    /// failure on the way (EAGAIN: no answer within the socket's 5 s timeout).
    /// </param>
    /// <returns>The kernel's RTM_NEWROUTE, or null when it refused.</returns>
    public RouteMessage? Ask(out int errno)
    {
        using var socket = NetlinkSocket.OpenRoute();
        return Ask(socket, out errno);
    }

    /// <summary>Asks on a socket the caller keeps, so that many questions need one socket.</summary>
    internal RouteMessage? Ask(NetlinkSocket socket, out int errno)
    {
        var payload = BuildRequest();
        NetlinkMessage? answer;
        try
        {
            answer = socket.Request(RTM_GETROUTE, payload);
        }
        catch (NetlinkException e) when (e.Errno != 0)
        {
            errno = e.Errno;
            return null;
        }

        if (answer is null || answer.Type != RTM_NEWROUTE)
        {
            throw new NetlinkException($"the kernel answered a route query with message type {answer?.Type.ToString() ?? "acknowledgement"}, not RTM_NEWROUTE.");
        }

        errno = 0;
        return RouteParser.ParseRoute(answer.Payload);
    }

    /// <summary>The request's rtmsg and attributes, as `ip route get` builds them.</summary>
    internal byte[] BuildRequest()
    {
        var family = FamilyOf(Destination, nameof(Destination));
        var destination = Destination.GetAddressBytes();
        var source = Source?.GetAddressBytes();
        if (Source is not null && FamilyOf(Source, nameof(Source)) != family)
        {
            throw new ArgumentException("The source and the destination must be of the same address family.", nameof(Source));
        }

        using var stream = new MemoryStream();
        stream.WriteByte(family);
        stream.WriteByte((byte)(destination.Length * 8));
        stream.WriteByte((byte)((source?.Length ?? 0) * 8));
        stream.WriteByte(Tos);
        stream.Write(new byte[4], 0, 4); // table, protocol, scope, type

        // IPv4 reports the table the lookup ended in only when asked, else main (iproute2 asks); IPv6 always
        // reports it, and refuses the flag on a socket with NETLINK_GET_STRICT_CHK.
        var flags = (family == AF_INET ? RTM_F_LOOKUP_TABLE : 0) | (FibMatch ? RTM_F_FIB_MATCH : 0);
        Write(stream, BitConverter.GetBytes(flags));

        WriteAttribute(stream, RTA_DST, destination);
        if (source is not null)
        {
            WriteAttribute(stream, RTA_SRC, source);
        }

        if (InputInterface is int input)
        {
            WriteAttribute(stream, RTA_IIF, BitConverter.GetBytes(input));
        }

        if (OutputInterface is int output)
        {
            WriteAttribute(stream, RTA_OIF, BitConverter.GetBytes(output));
        }

        if (Mark is uint mark)
        {
            WriteAttribute(stream, RTA_MARK, BitConverter.GetBytes(mark));
        }

        // In the order iproute2 writes them; the ports in network byte order (nla_get_be16).
        if (IPProtocol is byte protocol)
        {
            WriteAttribute(stream, RTA_IP_PROTO, new[] { protocol });
        }

        if (SourcePort is ushort sport)
        {
            WriteAttribute(stream, RTA_SPORT, BigEndian(sport));
        }

        if (DestinationPort is ushort dport)
        {
            WriteAttribute(stream, RTA_DPORT, BigEndian(dport));
        }

        if (FlowLabel is uint label)
        {
            WriteAttribute(stream, RTA_FLOWLABEL, BigEndian(label));
        }

        if (Uid is uint uid)
        {
            WriteAttribute(stream, RTA_UID, BitConverter.GetBytes(uid));
        }

        return stream.ToArray();
    }

    private static byte FamilyOf(IPAddress address, string name) => address.AddressFamily switch
    {
        AddressFamily.InterNetwork => AF_INET,
        AddressFamily.InterNetworkV6 => AF_INET6,
        _ => throw new ArgumentException($"{address.AddressFamily} is neither IPv4 nor IPv6.", name),
    };

    /// <summary>
    /// Whether RTM_GETROUTE takes <paramref name="protocol"/> as RTA_IP_PROTO for this family (rtm_getroute_parse_ip_proto).
    /// </summary>
    public static bool AcceptsIPProtocol(AddressFamily family, byte protocol) => protocol switch
    {
        6 or 17 => true,
        1 => family == AddressFamily.InterNetwork,
        58 => family == AddressFamily.InterNetworkV6,
        _ => false,
    };

    private static byte[] BigEndian(ushort value) => new[] { (byte)(value >> 8), (byte)value };

    private static byte[] BigEndian(uint value) => new[] { (byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value };

    /// <summary>An attribute header, the value, and padding to 4 bytes (nla_len counts the value, not the padding).</summary>
    private static void WriteAttribute(Stream stream, ushort type, byte[] value)
    {
        Write(stream, BitConverter.GetBytes((ushort)(4 + value.Length)));
        Write(stream, BitConverter.GetBytes(type));
        Write(stream, value);
        stream.Write(new byte[3], 0, (4 - (value.Length % 4)) % 4);
    }

    private static void Write(Stream stream, byte[] bytes) => stream.Write(bytes, 0, bytes.Length);
}

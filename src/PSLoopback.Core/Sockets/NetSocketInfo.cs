using System.Net;
using PSLoopback.Addressing;

namespace PSLoopback.Sockets;

/// <summary>One TCP or UDP socket as the OS reports it. Facts the OS does not give, or that this process may not see, stay null.</summary>
public sealed class NetSocketInfo
{
    public SocketProtocol Protocol { get; set; }

    public IPAddressFamily AddressFamily => LocalAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? IPAddressFamily.IPv6 : IPAddressFamily.IPv4;

    public IPAddress LocalAddress { get; set; } = IPAddress.Any;

    public int LocalPort { get; set; }

    /// <summary>The peer; the unspecified address and port 0 for a listener or an unconnected UDP socket.</summary>
    public IPAddress RemoteAddress { get; set; } = IPAddress.Any;

    public int RemotePort { get; set; }

    public SocketState State { get; set; }

    /// <summary>The pid of the process that holds the socket; null when it could not be found or may not be inspected (never guessed).</summary>
    public int? OwningProcess { get; set; }

    public string? ProcessName { get; set; }

    /// <summary>The socket's owner: Linux's uid as the OS knows it; null on Windows.</summary>
    public uint? Uid { get; set; }

    /// <summary>The owner's name: Linux's, the uid's from the passwd database; null on Windows and from the portable source, which give no owner.</summary>
    public string? UserName { get; set; }

    /// <summary>
    /// Linux: the device the socket is bound to (SO_BINDTODEVICE), or, for a link-local address, that address's
    /// scope (a bind or connect with a scope binds the socket to its device); null when it is bound to none.
    /// </summary>
    public int? BoundInterfaceIndex { get; set; }

    public string? BoundInterfaceAlias { get; set; }

    /// <summary>IPv6 sockets: whether IPV6_V6ONLY is set; a `::` socket without it also takes IPv4. Null for IPv4 and where the OS does not say (Windows, macOS), where a `::` socket may take IPv4.</summary>
    public bool? IPv6Only { get; set; }

    /// <summary>Bytes waiting to be read; for a listener, the connections waiting to be accepted (as `ss` shows Recv-Q).</summary>
    public long? ReceiveQueue { get; set; }

    /// <summary>Bytes not yet acknowledged; for a listener, its backlog (as `ss` shows Send-Q).</summary>
    public long? SendQueue { get; set; }

    /// <summary>Linux: the socket's inode, which ties it to the processes that hold it.</summary>
    public ulong? Inode { get; set; }

    /// <summary>Who can reach the socket, from its local address and bound device.</summary>
    public SocketExposure Exposure => SocketReach.Of(this);

    /// <summary>A `::` socket without IPV6_V6ONLY: it takes IPv4 connections too, as ::ffff:a.b.c.d.</summary>
    public bool TakesIPv4 => AddressFamily == IPAddressFamily.IPv6 && IPv6Only == false && LocalAddress.Equals(IPAddress.IPv6Any);

    /// <summary>The local end as `ss` writes it: 127.0.0.1:3000, [::1]:3000, 0.0.0.0%eth0:53, *:3000 for a `::` socket that takes IPv4 too.</summary>
    public string LocalEndpoint => Endpoint(LocalAddress, LocalPort, BoundInterfaceAlias, TakesIPv4);

    /// <summary>The peer as `ss` writes it: 0.0.0.0:*, [::]:* or *:* (a `::` socket that takes IPv4 too) for none.</summary>
    public string RemoteEndpoint => Endpoint(RemoteAddress, RemotePort, null, TakesIPv4 && RemotePort == 0);

    public override string ToString() =>
        $"{Protocol.ToString().ToLowerInvariant()} {State} {LocalEndpoint} {RemoteEndpoint}"
        + (OwningProcess is int pid ? $" {ProcessName ?? "?"}({pid})" : string.Empty);

    /// <summary>
    /// An endpoint as `ss` writes it: 127.0.0.1:80, [::1]:80, the device as a zone (0.0.0.0%eth0:53), * for port 0,
    /// and * for the address of a `::` socket that takes IPv4 too (<paramref name="takesIPv4"/>): *:80.
    /// </summary>
    public static string Endpoint(IPAddress address, int port, string? device, bool takesIPv4)
    {
        var host = takesIPv4 ? "*"
            : address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "[" + address + "]"
            : address.ToString();
        var zone = device is null ? string.Empty : "%" + device;
        return host + zone + ":" + (port == 0 ? "*" : port.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

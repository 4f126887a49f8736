using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.NetworkInformation;
using PSLoopback.Sockets;

namespace PSLoopback.Platform.Portable;

/// <summary>
/// Sockets from System.Net.NetworkInformation, for macOS and any other OS without a source of its own:
/// IPGlobalProperties' GetActiveTcpConnections, GetActiveTcpListeners and GetActiveUdpListeners.
/// <para>
/// Those calls give endpoints and TCP states only: no owning process (OwningProcess and ProcessName stay
/// null, whatever <see cref="SocketRequest.IncludeOwners"/> says), no user, bound device, IPV6_V6ONLY or
/// queues. A call the OS does not support (PlatformNotSupportedException) or that fails
/// (NetworkInformationException) leaves its sockets out and <see cref="Warnings"/> says which; this
/// source never throws for that. Not verified against the OS's own tools on macOS: the project's checks
/// run on Linux, where .NET answers the same calls from /proc/net.
/// </para>
/// </summary>
public sealed class NetworkInformationSocketSource : ISocketSource, ISourceWarnings
{
    private readonly Func<IEnumerable<TcpConnectionInformation>> connections;
    private readonly Func<IEnumerable<IPEndPoint>> tcpListeners;
    private readonly Func<IEnumerable<IPEndPoint>> udpListeners;
    private IReadOnlyList<string> warnings = Array.Empty<string>();

    public NetworkInformationSocketSource()
        : this(
            () => IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpConnections(),
            () => IPGlobalProperties.GetIPGlobalProperties().GetActiveTcpListeners(),
            () => IPGlobalProperties.GetIPGlobalProperties().GetActiveUdpListeners())
    {
    }

    /// <summary>The three calls, a test's own to answer or refuse as it wants.</summary>
    internal NetworkInformationSocketSource(
        Func<IEnumerable<TcpConnectionInformation>> connections, Func<IEnumerable<IPEndPoint>> tcpListeners, Func<IEnumerable<IPEndPoint>> udpListeners)
    {
        this.connections = connections;
        this.tcpListeners = tcpListeners;
        this.udpListeners = udpListeners;
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> Warnings => warnings;

    public IReadOnlyList<NetSocketInfo> GetSockets(SocketRequest request)
    {
        var missing = new List<string>();
        var sockets = new List<NetSocketInfo>();
        var states = request.States is { Count: > 0 } wanted ? new HashSet<SocketState>(wanted) : null;
        bool Wanted(SocketState state) => states is null || states.Contains(state);

        if (request.Protocol is null or SocketProtocol.Tcp)
        {
            if (Wanted(SocketState.Listen))
            {
                foreach (var endpoint in Read(missing, "GetActiveTcpListeners", "no TCP listeners", tcpListeners))
                {
                    sockets.Add(Socket(SocketProtocol.Tcp, endpoint, null, SocketState.Listen));
                }
            }

            var unknown = 0;
            foreach (var connection in Read(missing, "GetActiveTcpConnections", "no TCP connections", connections))
            {
                // Listeners come from GetActiveTcpListeners; on some OSes this call lists them too.
                if (connection.State == TcpState.Listen)
                {
                    continue;
                }

                if (ToSocketState(connection.State) is not SocketState state)
                {
                    unknown++;
                }
                else if (Wanted(state))
                {
                    sockets.Add(Socket(SocketProtocol.Tcp, connection.LocalEndPoint, connection.RemoteEndPoint, state));
                }
            }

            if (unknown > 0)
            {
                missing.Add($"GetActiveTcpConnections gave {unknown} connections in state Unknown: they are left out.");
            }
        }

        if ((request.Protocol is null or SocketProtocol.Udp) && Wanted(SocketState.Listen))
        {
            foreach (var endpoint in Read(missing, "GetActiveUdpListeners", "no UDP sockets", udpListeners))
            {
                sockets.Add(Socket(SocketProtocol.Udp, endpoint, null, SocketState.Listen));
            }
        }

        warnings = missing;
        return sockets.Where(s => request.Family is null || s.AddressFamily == request.Family).ToList();
    }

    /// <summary>What a call answers, or nothing, with the reason in <paramref name="missing"/>, when the OS refuses it.</summary>
    private static IReadOnlyList<T> Read<T>(List<string> missing, string api, string lost, Func<IEnumerable<T>> call)
    {
        try
        {
            return call().ToList();
        }
        catch (Exception e) when (e is PlatformNotSupportedException or NetworkInformationException)
        {
            missing.Add($"{api} failed on this system ({e.Message.TrimEnd('.')}): {lost}.");
            return Array.Empty<T>();
        }
    }

    private static NetSocketInfo Socket(SocketProtocol protocol, IPEndPoint local, IPEndPoint? remote, SocketState state)
    {
        var unspecified = local.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any;
        return new NetSocketInfo
        {
            Protocol = protocol,
            LocalAddress = local.Address,
            LocalPort = local.Port,
            RemoteAddress = remote?.Address ?? unspecified,
            RemotePort = remote?.Port ?? 0,
            State = state,
        };
    }

    /// <summary>TcpState's names are Get-NetTCPConnection's; Unknown has no counterpart.</summary>
    internal static SocketState? ToSocketState(TcpState state) => state switch
    {
        TcpState.Closed => SocketState.Closed,
        TcpState.Listen => SocketState.Listen,
        TcpState.SynSent => SocketState.SynSent,
        TcpState.SynReceived => SocketState.SynReceived,
        TcpState.Established => SocketState.Established,
        TcpState.FinWait1 => SocketState.FinWait1,
        TcpState.FinWait2 => SocketState.FinWait2,
        TcpState.CloseWait => SocketState.CloseWait,
        TcpState.Closing => SocketState.Closing,
        TcpState.LastAck => SocketState.LastAck,
        TcpState.TimeWait => SocketState.TimeWait,
        TcpState.DeleteTcb => SocketState.DeleteTcb,
        _ => null,
    };
}

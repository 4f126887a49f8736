using System.Linq;
using System.Net;
using PSLoopback.Interfaces;
using PSLoopback.Routing;

namespace PSLoopback.Platform.Linux;

/// <summary>
/// Asks this process's kernel (its network namespace) the resolver's question with RTM_GETROUTE, on one
/// netlink socket for all the questions of a call.
/// </summary>
public sealed class LinuxKernelRouteOracle : IKernelRouteOracle
{
    private readonly System.Collections.Generic.IReadOnlyList<NetInterfaceInfo> interfaces;
    private Netlink.NetlinkSocket? socket;

    /// <param name="interfaces">To name the interface of each answer.</param>
    public LinuxKernelRouteOracle(System.Collections.Generic.IReadOnlyList<NetInterfaceInfo> interfaces)
    {
        this.interfaces = interfaces;
    }

    /// <exception cref="System.NotSupportedException">An IP protocol RTM_GETROUTE does not take (only tcp, udp and icmp or ipv6-icmp).</exception>
    public KernelRouteAnswer Ask(RouteQuery query)
    {
        // Protocol 0 is "no protocol", which the kernel assumes without RTA_IP_PROTO and refuses with it.
        if (query.IPProtocol != 0 && !LinuxKernelRouteQuery.AcceptsIPProtocol(query.Destination.AddressFamily, query.IPProtocol))
        {
            throw new System.NotSupportedException(
                $"The kernel's route query (RTM_GETROUTE, as `ip route get ... ipproto`) takes only tcp, udp and {(query.Destination.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? "icmp" : "ipv6-icmp")} for this family, so IP protocol {query.IPProtocol} cannot be verified.");
        }

        var request = new LinuxKernelRouteQuery(query.Destination)
        {
            Source = query.Source,
            OutputInterface = query.OutputInterfaceIndex ?? query.VrfInterfaceIndex,
            InputInterface = query.InputInterfaceIndex,
            Mark = query.Mark == 0 ? null : query.Mark,
            Tos = query.Tos,
            Uid = query.Uid,
            IPProtocol = query.IPProtocol == 0 ? null : query.IPProtocol,
            SourcePort = query.SourcePort == 0 ? null : query.SourcePort,
            DestinationPort = query.DestinationPort == 0 ? null : query.DestinationPort,
            FlowLabel = query.FlowLabel == 0 ? null : query.FlowLabel,
        };
        socket ??= Netlink.NetlinkSocket.OpenRoute();
        var message = request.Ask(socket, out var errno);
        if (message is null)
        {
            return new KernelRouteAnswer { Error = ToError(errno), Errno = errno };
        }

        var index = message.OutputInterface;
        return new KernelRouteAnswer
        {
            RouteType = (RouteType)message.Type,
            InterfaceIndex = index,
            InterfaceAlias = interfaces.FirstOrDefault(i => i.InterfaceIndex == index)?.Name,
            Gateway = message.Gateway is byte[] gateway ? new IPAddress(gateway) : null,
            PreferredSource = message.PreferredSource is byte[] source ? new IPAddress(source) : null,
            Table = message.Table,
            Mtu = message.Mtu is uint mtu && mtu > 0 ? (int)System.Math.Min(mtu, int.MaxValue) : null,
            Redirected = message.Family == Netlink.NetlinkConstants.AF_INET && message.IsRedirected,
            Expires = message.CacheExpires is int ticks && ticks > 0 ? System.TimeSpan.FromSeconds(ticks / 100.0) : null,
        };
    }

    public void Dispose()
    {
        socket?.Dispose();
        socket = null;
    }

    internal static RouteError ToError(int errno) => errno switch
    {
        101 => RouteError.NetworkUnreachable,
        113 => RouteError.HostUnreachable,
        13 => RouteError.PermissionDenied,
        22 => RouteError.InvalidArgument,
        19 => RouteError.NoSuchDevice,
        _ => RouteError.Other,
    };
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using PSLoopback.Interfaces;
using PSLoopback.Platform.Linux.Netlink;
using PSLoopback.Routing;
using static PSLoopback.Platform.Linux.Netlink.NetlinkConstants;

namespace PSLoopback.Platform.Linux;

/// <summary>Turns the cache entries of a route dump into route exceptions. Pure: the OS is not touched.</summary>
public static class LinuxRouteExceptionBuilder
{
    // rta_expires counts clock ticks of USER_HZ, which is 100 on every Linux architecture PSLoopback runs on.
    private const double TicksPerSecond = 100;

    /// <param name="readAt">When the dump was read (UTC), from which each entry's expiry counts.</param>
    public static IReadOnlyList<NetRouteException> Build(IEnumerable<RouteMessage> messages, IReadOnlyList<NetInterfaceInfo> interfaces, DateTime readAt)
    {
        var names = interfaces.GroupBy(i => i.InterfaceIndex).ToDictionary(g => g.Key, g => g.First().Name);
        var exceptions = new List<NetRouteException>();
        foreach (var message in messages.Where(m => m.IsCloned && m.Destination is not null && (m.Family == AF_INET || m.Family == AF_INET6)))
        {
            var ipv4 = message.Family == AF_INET;
            var index = message.OutputInterface ?? 0;
            exceptions.Add(new NetRouteException
            {
                Destination = new IPAddress(message.Destination!),
                Source = !ipv4 && message.Source is byte[] source && message.SourceLength > 0 ? new IPAddress(source) : null,
                NextHop = message.Gateway is byte[] gateway ? new IPAddress(gateway) : ipv4 ? IPAddress.Any : IPAddress.IPv6Any,
                InterfaceIndex = index,
                InterfaceAlias = names.TryGetValue(index, out var name) ? name : null,
                Table = message.Table,
                RouteMetric = ipv4 ? 0 : message.Priority,
                Redirected = ipv4 && message.IsRedirected,
                Mtu = message.Mtu is uint mtu && mtu > 0 ? (int)Math.Min(mtu, int.MaxValue) : null,
                MtuLocked = message.MtuLocked,
                Expires = Expiry(message.CacheExpires),
                ReadAt = readAt,
            });
        }

        return exceptions;
    }

    /// <summary>0 is "never"; IPv6 reports an entry past its time as negative, IPv4 as 0 (it is dropped either way).</summary>
    private static TimeSpan? Expiry(int? ticks) => ticks switch
    {
        null or 0 => null,
        < 0 => TimeSpan.Zero,
        int left => TimeSpan.FromSeconds(left / TicksPerSecond),
    };
}

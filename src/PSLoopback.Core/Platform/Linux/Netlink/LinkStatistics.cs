namespace PSLoopback.Platform.Linux.Netlink;

/// <summary>The first counters of struct rtnl_link_stats64 (or the 32-bit rtnl_link_stats on old kernels).</summary>
public sealed class LinkStatistics
{
    public ulong ReceivedPackets { get; internal set; }

    public ulong SentPackets { get; internal set; }

    public ulong ReceivedBytes { get; internal set; }

    public ulong SentBytes { get; internal set; }

    public ulong ReceiveErrors { get; internal set; }

    public ulong SendErrors { get; internal set; }

    public ulong ReceiveDrops { get; internal set; }

    public ulong SendDrops { get; internal set; }
}

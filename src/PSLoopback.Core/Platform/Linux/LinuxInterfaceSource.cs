using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using PSLoopback.Interfaces;
using PSLoopback.Platform.Linux.Netlink;
using static PSLoopback.Platform.Linux.Netlink.NetlinkConstants;

namespace PSLoopback.Platform.Linux;

/// <summary>Interfaces from one rtnetlink dump of links and one of addresses; link speed from sysfs.</summary>
public sealed class LinuxInterfaceSource : IInterfaceSource
{
    // An ifinfomsg and IFLA_EXT_MASK: the kernel then leaves out each link's IPv6 and ICMPv6 counters (a quarter of
    // the dump, which it sums over every CPU), which no property uses. Kernels that predate the bit ignore it.
    private static readonly byte[] LinkRequest = LinkDumpRequest();

    private readonly string sysfsRoot;

    public LinuxInterfaceSource(string sysfsRoot = "/sys/class/net")
    {
        this.sysfsRoot = sysfsRoot;
    }

    [MethodImpl(HotPath.Optimized)]
    public IReadOnlyList<NetInterfaceInfo> GetInterfaces()
    {
        using var socket = NetlinkSocket.OpenRoute();
        var links = new List<LinkMessage>();
        foreach (var message in socket.Dump(RTM_GETLINK, LinkRequest))
        {
            if (message.Type == RTM_NEWLINK)
            {
                links.Add(RtnetlinkParser.ParseLink(message.Payload));
            }
        }

        var addresses = new List<AddressMessage>();
        foreach (var message in socket.Dump(RTM_GETADDR, new byte[IfAddrMsgLength]))
        {
            if (message.Type == RTM_NEWADDR)
            {
                addresses.Add(RtnetlinkParser.ParseAddress(message.Payload));
            }
        }

        return LinuxInterfaceBuilder.Build(links, addresses, ReadSysfs);
    }

    private static byte[] LinkDumpRequest()
    {
        var request = new byte[IfInfoMsgLength + 8];
        BitConverter.GetBytes((ushort)8).CopyTo(request, IfInfoMsgLength);
        BitConverter.GetBytes(IFLA_EXT_MASK).CopyTo(request, IfInfoMsgLength + 2);
        BitConverter.GetBytes(RTEXT_FILTER_SKIP_STATS).CopyTo(request, IfInfoMsgLength + 4);
        return request;
    }

    [MethodImpl(HotPath.Optimized)]
    private SysfsFacts ReadSysfs(LinkMessage link)
    {
        // The kernel answers EINVAL for the speed of an interface that is not up, and the loopback driver
        // knows no speed: asking would only cost a failed read each (a third of a call's time).
        var up = (link.Flags & (uint)InterfaceFlags.Up) != 0;
        var mayBeWireless = link.DeviceType == ARPHRD_ETHER && link.Kind is null;
        if (link.DeviceType == ARPHRD_LOOPBACK || (!up && !mayBeWireless))
        {
            return SysfsFacts.Unknown;
        }

        using var directory = SysfsFiles.Open(Path.Combine(sysfsRoot, link.Name ?? string.Empty));

        // sysfs shows the network namespace it was mounted in, which need not be this process's: a name
        // whose ifindex differs is another interface, and its facts are not this one's.
        if (directory is null || directory.ReadInteger("ifindex") != link.Index)
        {
            return SysfsFacts.Unknown;
        }

        // The driver gives Mb/s, or -1 when it does not know.
        var megabits = up ? directory.ReadInteger("speed") : null;
        var speed = megabits > 0 ? megabits * 1_000_000 : null;
        var wireless = mayBeWireless && (directory.Exists("phy80211") || directory.Exists("wireless"));
        return new SysfsFacts(speed, wireless);
    }
}

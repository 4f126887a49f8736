using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using PSLoopback.Core.Tests.Support;
using PSLoopback.Platform.Linux;
using PSLoopback.Sockets;

namespace PSLoopback.Core.Tests.Linux;

/// <summary>
/// Reads this host's sockets through LinuxSocketSource and through `ss -tuanpe` on both sides of that read, and
/// compares the sockets that persisted across the ss reads: the same (protocol, local, remote, state), the same
/// owner where ss names one, inode, uid and a listener's queues.
/// </summary>
// One collection with LiveSocketSourceTests: its short-lived listeners would otherwise appear between our ss reads.
[Collection("Live sockets")]
public class LiveSsComparisonTests
{
    [SsFact]
    public async Task SocketsMatchSsOnThisHost()
    {
        // A few sockets of our own, so that the comparison never runs on an empty table.
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(5);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        using var accepted = listener.Accept();
        using var udp = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));

        // A request socket (TCP_DEFER_ACCEPT holds a silent client's connection in SYN-RECV) and an orphaned
        // FIN-WAIT-2 (a client closed while its server keeps its end): no uid, which ss must agree on.
        using var deferring = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        deferring.SetRawSocketOption(6, 9, BitConverter.GetBytes(30));
        deferring.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        deferring.Listen(5);
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        silent.Connect(deferring.LocalEndPoint!);
        var closing = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        closing.Connect(listener.LocalEndPoint!);
        using var kept = listener.Accept();
        var closingPort = ((IPEndPoint)closing.LocalEndPoint!).Port;
        closing.Dispose();

        // Read again while any check fails that sockets opened and closed meanwhile explain (a dump that races a
        // socket's end may also skip or repeat it).
        var (before, ours, after) = await SettledRead.ReadAsync(ReadBetweenSsReads,
            r => Repeated(r.Ours).Count + Missing(r.Before, r.Ours, r.After).Count + OthersSeenOnlyByUs(r.Before, r.Ours, r.After).Count == 0);

        // One message per socket: the kernel's listening, established and bound-only walks must not overlap.
        var repeated = Repeated(ours);
        Assert.True(repeated.Count == 0, "sockets read twice:\n" + string.Join("\n", repeated));

        // ss (before 6.6) cannot show bound-only TCP sockets; the kernel hands them to us when asked.
        var comparable = ours.Where(s => s.State != SocketState.Bound).ToList();
        var ourKeys = comparable.GroupBy(SsCommand.KeyOf).ToDictionary(g => g.Key, g => g.ToList());
        var persisted = before.Where(s => after.Contains(s.Key)).ToList();
        Assert.True(persisted.Count >= 4, $"only {persisted.Count} sockets persisted across both ss reads");

        // ss names this process as the owner of our own sockets, so the owner comparison below is never empty.
        Assert.Contains(persisted, s => s.OwningProcess == Environment.ProcessId);

        var missing = Missing(before, ours, after);
        Assert.True(missing.Count == 0, "ss shows, we do not:\n" + string.Join("\n", missing));
        var extra = OthersSeenOnlyByUs(before, ours, after);
        Assert.True(extra.Count == 0, "we show, ss shows neither before nor after, and another process holds it:\n" + string.Join("\n", extra));

        foreach (var theirs in persisted)
        {
            var candidates = ourKeys[theirs.Key];
            var mine = candidates.FirstOrDefault(s => s.Inode == (theirs.Inode == 0 ? null : theirs.Inode)) ?? candidates[0];
            var what = theirs.Line;
            if (theirs.OwningProcess is int pid)
            {
                Assert.True(pid == mine.OwningProcess, $"{what}\nowner {mine.OwningProcess}");
                Assert.True(SsCommand.SameProcessName(theirs.ProcessName, mine.ProcessName), $"{what}\nname {mine.ProcessName}");
            }

            Assert.True(theirs.Uid == mine.Uid, $"{what}\nuid {mine.Uid}");
            Assert.True(theirs.V6Only == (mine.IPv6Only == true), $"{what}\nIPv6Only {mine.IPv6Only}");
            if (theirs.Key.State == SocketState.Listen && theirs.Key.Protocol == SocketProtocol.Tcp)
            {
                Assert.True(theirs.SendQueue == mine.SendQueue, $"{what}\nSend-Q {mine.SendQueue}");
            }
        }

        // Both ends without a full socket were compared, with no uid on either side.
        var deferringPort = ((IPEndPoint)deferring.LocalEndPoint!).Port;
        Assert.Contains(persisted, s => s.Key.State == SocketState.SynReceived && s.Key.LocalPort == deferringPort && s.Uid is null);
        Assert.Contains(persisted, s => s.Key.State == SocketState.FinWait2 && s.Key.LocalPort == closingPort);

        // Our own connection, seen from both ends, with its owner: this process.
        Assert.Contains(ours, s => s.State == SocketState.Established && s.LocalPort == ((IPEndPoint)client.LocalEndPoint!).Port && s.OwningProcess == Environment.ProcessId);
    }

    // ss's sockets before ours as a list: sockets can share a key (a group of SO_REUSEPORT listeners).
    private static async Task<(IReadOnlyList<SsSocket> Before, IReadOnlyList<NetSocketInfo> Ours, HashSet<SsKey> After)> ReadBetweenSsReads()
    {
        var before = await SsCommand.ReadAsync();
        var ours = new LinuxSocketSource().GetSockets(new SocketRequest());
        var after = (await SsCommand.ReadAsync()).Select(s => s.Key).ToHashSet();
        return (before, ours, after);
    }

    // xunit runs other test classes at the same time: a socket that lived only between the two ss reads must be one
    // of theirs (this process's, or one without an owner, such as the TIME-WAIT their connections leave).
    private static List<string> OthersSeenOnlyByUs(IReadOnlyList<SsSocket> before, IReadOnlyList<NetSocketInfo> ours, HashSet<SsKey> after)
    {
        var beforeKeys = before.Select(s => s.Key).ToHashSet();
        return ours.Where(s => s.State != SocketState.Bound && s.OwningProcess is int pid && pid != Environment.ProcessId)
            .Where(s => !beforeKeys.Contains(SsCommand.KeyOf(s)) && !after.Contains(SsCommand.KeyOf(s)))
            .Select(s => s.ToString())
            .ToList();
    }

    private static List<string> Repeated(IReadOnlyList<NetSocketInfo> ours) =>
        ours.Where(s => s.Inode is not null).GroupBy(s => s.Inode).Where(g => g.Count() > 1).Select(g => g.First().ToString()).ToList();

    // Sockets ss shows in both its reads that we do not show (bound-only ones, which ss before 6.6 cannot show, apart).
    private static List<string> Missing(IReadOnlyList<SsSocket> before, IReadOnlyList<NetSocketInfo> ours, HashSet<SsKey> after)
    {
        var ourKeys = ours.Where(s => s.State != SocketState.Bound).Select(SsCommand.KeyOf).ToHashSet();
        return before.Where(s => after.Contains(s.Key) && !ourKeys.Contains(s.Key)).Select(s => s.Line).ToList();
    }
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using PSLoopback.Core.Tests.Support;
using PSLoopback.Interfaces;
using PSLoopback.Platform.Linux;

namespace PSLoopback.Core.Tests.Linux;

/// <summary>
/// Reads this machine's interfaces through a real netlink socket and compares them with iproute2's view.
/// Linux only: this test project runs on Linux, and the test fails rather than passing silently elsewhere.
/// </summary>
public class LiveInterfaceSourceTests
{
    [Fact]
    public async Task MatchesIpAddrShow()
    {
        Assert.True(OperatingSystem.IsLinux(), "the live netlink test needs Linux");

        // Read ip's view on both sides of ours: if they differ, the interfaces changed while the test ran.
        var (before, interfaces, after) = await SettledRead.ReadAsync(ReadBetweenIpReads, r => IpJson.Describe(r.Before) == IpJson.Describe(r.After));
        Assert.Equal(IpJson.Describe(before), IpJson.Describe(after));

        Assert.Equal(before.Keys.OrderBy(k => k), interfaces.Select(i => i.InterfaceIndex));
        Assert.Contains(interfaces, i => i.IsLoopback);

        // The link dump asks the kernel to leave out the per-family counters (RTEXT_FILTER_SKIP_STATS); the
        // link's own counters must still come.
        Assert.All(interfaces, i => Assert.NotNull(i.ReceivedBytes));
        Assert.All(interfaces, i =>
        {
            var expected = before[i.InterfaceIndex];
            Assert.Equal(expected.Name, i.Name);
            Assert.Equal(expected.Mtu, i.Mtu);
            Assert.Equal(expected.Addresses, i.Addresses.Select(a => a.ToString()).OrderBy(a => a, StringComparer.Ordinal));
        });
    }

    private static async Task<(IReadOnlyDictionary<int, IpJson.Link> Before, IReadOnlyList<NetInterfaceInfo> Ours, IReadOnlyDictionary<int, IpJson.Link> After)> ReadBetweenIpReads()
    {
        var before = IpJson.Parse((await IpCommand.RunAsync(false, "-j", "addr", "show")).Output);
        var interfaces = new LinuxInterfaceSource().GetInterfaces();
        var after = IpJson.Parse((await IpCommand.RunAsync(false, "-j", "addr", "show")).Output);
        return (before, interfaces, after);
    }
}

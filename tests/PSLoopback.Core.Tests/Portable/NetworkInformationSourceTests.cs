using System;
using System.Collections.Generic;
using System.Linq;
using PSLoopback.Core.Tests.Support;
using PSLoopback.Interfaces;
using PSLoopback.Platform.Linux;
using PSLoopback.Platform.Portable;

namespace PSLoopback.Core.Tests.Portable;

/// <summary>
/// The Windows and macOS source runs on Linux too (.NET implements System.Net.NetworkInformation here), so
/// its mapping can be checked against the netlink source on the same machine. This does not verify Windows
/// or macOS themselves; it catches mapping mistakes and exceptions in the shared code.
/// </summary>
public class NetworkInformationSourceTests
{
    [Fact]
    public void AgreesWithTheNetlinkSourceOnIndexesNamesMtuMacAndAddresses()
    {
        Assert.True(OperatingSystem.IsLinux(), "the comparison needs the netlink source, which is Linux only");
        // The netlink view read on both sides of the portable one: if they differ, the interfaces changed meanwhile.
        var (netlink, portable, after) = SettledRead.Read(ReadBetweenNetlinkReads, r => Describe(r.Netlink) == Describe(r.After));
        Assert.Equal(Describe(netlink), Describe(after));

        Assert.Equal(netlink.Keys.OrderBy(k => k), portable.Select(i => i.InterfaceIndex));
        Assert.All(portable, p =>
        {
            var n = netlink[p.InterfaceIndex];
            Assert.Equal(n.Name, p.Name);
            Assert.Equal(n.Mtu, p.Mtu);
            Assert.Equal(n.IsLoopback, p.IsLoopback);
            if (!n.IsLoopback)
            {
                Assert.Equal(n.MacAddress, p.MacAddress);
            }

            Assert.Equal(
                n.Addresses.Select(a => a.ToString()).OrderBy(a => a),
                p.Addresses.Select(a => a.ToString()).OrderBy(a => a));
        });
    }

    [Fact]
    public void LeavesWhatItCannotKnowEmptyRatherThanGuessing()
    {
        var portable = new NetworkInformationInterfaceSource().GetInterfaces();
        Assert.Contains(portable, i => i.InterfaceType == InterfaceType.Loopback);
        Assert.All(portable, i =>
        {
            Assert.Null(i.LinkKind);
            Assert.All(i.Addresses, a => Assert.Equal(i.InterfaceIndex, a.InterfaceIndex));
        });
    }

    private static (Dictionary<int, NetInterfaceInfo> Netlink, IReadOnlyList<NetInterfaceInfo> Portable, Dictionary<int, NetInterfaceInfo> After) ReadBetweenNetlinkReads()
    {
        var netlink = new LinuxInterfaceSource().GetInterfaces().ToDictionary(i => i.InterfaceIndex);
        var portable = new NetworkInformationInterfaceSource().GetInterfaces();
        var after = new LinuxInterfaceSource().GetInterfaces().ToDictionary(i => i.InterfaceIndex);
        return (netlink, portable, after);
    }

    private static string Describe(Dictionary<int, NetInterfaceInfo> interfaces) => string.Join("\n", interfaces.Values
        .OrderBy(i => i.InterfaceIndex)
        .Select(i => $"{i.InterfaceIndex} {i.Name} {i.Mtu} {i.MacAddress} {string.Join(",", i.Addresses.Select(a => a.ToString()).OrderBy(a => a, StringComparer.Ordinal))}"));
}

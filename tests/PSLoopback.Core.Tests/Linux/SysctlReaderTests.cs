using System;
using System.IO;
using System.Linq;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;
using PSLoopback.Platform.Linux;
using PSLoopback.Routing;

namespace PSLoopback.Core.Tests.Linux;

/// <summary>The sysctls the resolver reads come from this namespace's /proc/sys, by name; what is not read takes the kernel's default.</summary>
public class SysctlReaderTests
{
    [Fact]
    public void ReadsEachSettingAsProcSysHasIt()
    {
        Assert.True(OperatingSystem.IsLinux(), "the sysctl test needs Linux");
        var settings = SysctlReader.Read(new[] { new NetInterfaceInfo(1, "lo") });

        Assert.Equal(long.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_forward").Trim()), settings.Get("net.ipv4.ip_forward", -1));
        Assert.Equal(long.Parse(File.ReadAllText("/proc/sys/net/ipv4/conf/lo/rp_filter").Trim()), settings.ForInterface(IPAddressFamily.IPv4, "lo", "rp_filter", -1));
        Assert.Equal(long.Parse(File.ReadAllText("/proc/sys/net/ipv4/conf/all/forwarding").Trim()), settings.ForInterface(IPAddressFamily.IPv4, "all", "forwarding", -1));
        Assert.All(settings.Values.Keys, name => Assert.StartsWith("net.ipv", name));
    }

    [Fact]
    public void AnInterfaceThatIsGoneLeavesItsSettingsOut()
    {
        var settings = SysctlReader.Read(new[] { new NetInterfaceInfo(999, "pslb-none0") });

        Assert.DoesNotContain(settings.Values.Keys, name => name.Contains("pslb-none0", StringComparison.Ordinal));
        Assert.False(settings.Has("net.ipv4.conf.pslb-none0.forwarding"));
        Assert.Equal(7, settings.ForInterface(IPAddressFamily.IPv4, "pslb-none0", "forwarding", 7));
    }

    [Fact]
    public void ASettingNotReadIsTheDefaultGiven()
    {
        var settings = new LinuxKernelSettings();
        settings.Values["net.ipv4.fib_multipath_use_neigh"] = 1;

        Assert.Equal(1, settings.Get("net.ipv4.fib_multipath_use_neigh", 0));
        Assert.Equal(0, settings.Get("net.ipv4.nexthop_compat_mode", 0));
        Assert.Equal("net.ipv6.conf.eth0.100.forwarding", LinuxKernelSettings.InterfaceName(IPAddressFamily.IPv6, "eth0.100", "forwarding"));
        Assert.Empty(new RouteSnapshot(Array.Empty<NetInterfaceInfo>(), Array.Empty<NetRouteInfo>(), Array.Empty<NetRouteRule>()).Settings.Values.Keys.ToList());
    }
}

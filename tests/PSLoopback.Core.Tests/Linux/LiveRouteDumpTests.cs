using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using PSLoopback.Core.Tests.Support;
using PSLoopback.Platform.Linux;

namespace PSLoopback.Core.Tests.Linux;

/// <summary>
/// Reads this machine's routes and rules through a real netlink socket and compares them with iproute2's view;
/// asks the kernel a few route queries both ways. Linux only, as <see cref="LiveInterfaceSourceTests"/>.
/// </summary>
public class LiveRouteDumpTests
{
    [Fact]
    public async Task ReadMatchesIpRouteShowTableAllAndIpRule()
    {
        Assert.True(OperatingSystem.IsLinux(), "the live netlink test needs Linux");

        // Read ip's view on both sides of ours: if they differ, the routes changed while the test ran.
        var (before, (routes, rules), after) = await SettledRead.ReadAsync(
            async () => (await IpViewAsync(), LinuxRouteDump.Read(), await IpViewAsync()),
            r => r.Item1.Equals(r.Item3));
        Assert.Equal(before, after);

        Assert.Equal(before.Routes4, Lines(IpRouteJson.RouteLines(routes.Where(r => r.Family == Rt.AF_INET))));
        Assert.Equal(before.Routes6, Lines(IpRouteJson.RouteLines(routes.Where(r => r.Family == Rt.AF_INET6))));
        Assert.Equal(before.Rules4, Lines(IpRouteJson.RuleLines(rules.Where(r => r.Family == Rt.AF_INET))));
        Assert.Equal(before.Rules6, Lines(IpRouteJson.RuleLines(rules.Where(r => r.Family == Rt.AF_INET6))));

        // Every machine has the local table's routes and the local-table rule.
        Assert.Contains(routes, r => r.Table == RouteBuilder.RT_TABLE_LOCAL && r.Type == RouteBuilder.RTN_LOCAL);
        Assert.Contains(rules, r => r.Priority == 0 && r.Table == RouteBuilder.RT_TABLE_LOCAL);
        Assert.All(routes, r => Assert.Equal(0u, r.Flags & RouteBuilder.RTM_F_CLONED));
    }

    [Fact]
    public void RoutesBuiltAsTheirMessagesArriveAreTheRoutesBuiltFromTheWholeDump()
    {
        Assert.True(OperatingSystem.IsLinux(), "the live netlink test needs Linux");
        var interfaces = new LinuxInterfaceSource().GetInterfaces();

        // The whole dump read on both sides of the streamed one: if the two differ, the routes changed meanwhile.
        var (before, streamed, after) = SettledRead.Read(
            () => (
                LinuxRouteBuilder.BuildRoutes(LinuxRouteDump.Read().Routes, interfaces).Select(Describe).ToList(),
                LinuxRouteDump.Read(LinuxRouteBuilder.RouteOf(interfaces)).Routes.Select(Describe).ToList(),
                LinuxRouteBuilder.BuildRoutes(LinuxRouteDump.Read().Routes, interfaces).Select(Describe).ToList()),
            r => r.Item1.SequenceEqual(r.Item3));
        Assert.Equal(before, after);
        Assert.NotEmpty(streamed);
        Assert.Equal(before, streamed);
    }

    private static string Describe(PSLoopback.Routing.NetRouteInfo route) =>
        $"{route} table {route.Table} scope {route.Scope} proto {route.Protocol} alias {route.InterfaceAlias} src {route.PreferredSource} mtu {route.Mtu} pref {route.Preference}";

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("192.0.2.1")]
    [InlineData("8.8.8.8")]
    [InlineData("255.255.255.255")]
    [InlineData("::1")]
    [InlineData("2001:db8::1")]
    public async Task KernelRouteQueryMatchesIpRouteGet(string destination)
    {
        Assert.True(OperatingSystem.IsLinux(), "the live netlink test needs Linux");

        var route = new LinuxKernelRouteQuery(IPAddress.Parse(destination)).Ask(out var errno);
        var (output, error) = await IpCommand.RunAsync(allowFailure: true, "-j", "route", "get", destination);

        if (route is null)
        {
            var text = IpRouteJson.ErrnoText.TryGetValue(errno, out var known) ? known : $"(errno {errno})";
            Assert.Equal("RTNETLINK answers: " + text, error.Trim());
        }
        else
        {
            Assert.Equal(0, errno);
            IpRouteJson.AssertRouteGetMatches(output, route, await LinksAsync());
        }
    }

    private static string Lines(IEnumerable<string> lines) => string.Join("\n", lines);

    private static async Task<IpView> IpViewAsync()
    {
        var links = await LinksAsync();
        async Task<string> Ip(params string[] arguments) => (await IpCommand.RunAsync(allowFailure: false, arguments)).Output;
        return new IpView(
            Lines(IpRouteJson.RouteLines(await Ip("-N", "-j", "-4", "route", "show", "table", "all"), Rt.AF_INET, links)),
            Lines(IpRouteJson.RouteLines(await Ip("-N", "-j", "-6", "route", "show", "table", "all"), Rt.AF_INET6, links)),
            Lines(IpRouteJson.RuleLines(await Ip("-N", "-j", "-4", "rule", "show"), Rt.AF_INET)),
            Lines(IpRouteJson.RuleLines(await Ip("-N", "-j", "-6", "rule", "show"), Rt.AF_INET6)));
    }

    private static async Task<IReadOnlyDictionary<string, int>> LinksAsync()
    {
        using var document = JsonDocument.Parse((await IpCommand.RunAsync(allowFailure: false, "-j", "link", "show")).Output);
        return document.RootElement.EnumerateArray().ToDictionary(l => l.GetProperty("ifname").GetString()!, l => l.GetProperty("ifindex").GetInt32());
    }

    private sealed record IpView(string Routes4, string Routes6, string Rules4, string Rules6);
}

using System.Linq;
using PSLoopback.Routing;

namespace PSLoopback.Platform.Linux;

/// <summary>Every table's routes and every rule from rtnetlink, with the interfaces they name.</summary>
public sealed class LinuxRouteSource : IRouteSource
{
    public RouteSnapshot ReadSnapshot()
    {
        var interfaces = new LinuxInterfaceSource().GetInterfaces();
        // Each route is built as its message arrives, so a million messages are never held beside a million routes.
        var (routes, rules) = LinuxRouteDump.Read(LinuxRouteBuilder.RouteOf(interfaces));
        var (nextHopMessages, neighborMessages) = LinuxNextHopDump.Read();
        var snapshot = new RouteSnapshot(interfaces, routes, LinuxRouteBuilder.BuildRules(rules));
        new LinuxState(
            LinuxNextHopBuilder.BuildNextHops(nextHopMessages, interfaces),
            LinuxNextHopBuilder.BuildNeighbors(neighborMessages, interfaces),
            SysctlReader.Read(interfaces).Values.ToList(),
            LinuxRouteExceptionBuilder.Build(LinuxRouteExceptionDump.Read(), interfaces, System.DateTime.UtcNow)).AddTo(snapshot, check: false);

        // RFC 6724 rule 7 follows each interface's use_tempaddr; procfs, unlike sysfs, always shows this
        // process's network namespace.
        foreach (var device in interfaces)
        {
            if (KernelFiles.ReadInteger($"/proc/sys/net/ipv6/conf/{device.Name}/use_tempaddr") >= 2)
            {
                snapshot.PreferTemporaryAddresses.Add(device.InterfaceIndex);
            }
        }

        return snapshot;
    }
}

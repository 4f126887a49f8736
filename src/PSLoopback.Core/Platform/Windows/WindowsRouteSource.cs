using System;
using System.Collections.Generic;
using PSLoopback.Routing;

namespace PSLoopback.Platform.Windows;

/// <summary>
/// Windows' routes of both families from GetIpForwardTable2 (every row: loopback, multicast, broadcast and
/// host routes included, as `route print` and Get-NetRoute show them), with the interfaces of
/// <see cref="WindowsInterfaceSource"/>, whose IP interface rows give each route its InterfaceMetric.
/// The snapshot is marked <see cref="HostOS.Windows"/>, so Windows' decision model answers for it; it has no
/// rules and no tables. Without the route table <see cref="ReadSnapshot"/> throws; what the interface source
/// could not read is in <see cref="Warnings"/>.
/// <para>
/// Wine 8 reports IPv4 main-table routes truly (destination, prefix, next hop, interface) but fakes the metric
/// and protocol, and shows no IPv6 and no loopback routes; Windows documents all of them.
/// </para>
/// </summary>
public sealed class WindowsRouteSource : IRouteSource, ISourceWarnings
{
    private IReadOnlyList<string> warnings = Array.Empty<string>();

    /// <inheritdoc/>
    public IReadOnlyList<string> Warnings => warnings;

    /// <exception cref="InvalidOperationException">The interface list or the route table could not be read.</exception>
    public RouteSnapshot ReadSnapshot()
    {
        try
        {
            var interfaceSource = new WindowsInterfaceSource();
            var interfaces = interfaceSource.GetInterfaces();
            var routes = WindowsRouteBuilder.Build(MibRows.Routes(IpHelperCalls.ForwardTable()), interfaces);
            warnings = interfaceSource.Warnings;
            return new RouteSnapshot(interfaces, routes, Array.Empty<NetRouteRule>(), HostOS.Windows);
        }
        catch (PlatformNotSupportedException e)
        {
            // Routes are read on Windows: a function that is missing or refuses is a failure to read, not a
            // platform without a routing source (what PlatformNotSupportedException means to the cmdlets).
            throw new InvalidOperationException(e.Message, e);
        }
    }
}

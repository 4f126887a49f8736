using System;

namespace PSLoopback.Routing;

/// <summary>Picks the decision model for a snapshot: the one of the OS it was read on, wherever it is asked.</summary>
public static class RouteResolvers
{
    public static IRouteResolver For(RouteSnapshot snapshot)
    {
        if (snapshot is null)
        {
            throw new ArgumentNullException(nameof(snapshot));
        }

        return snapshot.OperatingSystem == HostOS.Windows
            ? new WindowsRouteResolver(snapshot)
            : new LinuxRouteResolver(snapshot);
    }
}

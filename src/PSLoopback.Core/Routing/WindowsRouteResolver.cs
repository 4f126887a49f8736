using System;

namespace PSLoopback.Routing;

/// <summary>Placeholder replaced by the Windows decision model in this same change.</summary>
public sealed class WindowsRouteResolver : IRouteResolver
{
    public WindowsRouteResolver(RouteSnapshot snapshot) => Snapshot = snapshot;

    public RouteSnapshot Snapshot { get; }

    public RouteDecision Resolve(RouteQuery query, bool explain = false) => throw new NotImplementedException();
}

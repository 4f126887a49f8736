namespace PSLoopback.Routing;

/// <summary>
/// One OS's routing decision model over a <see cref="RouteSnapshot"/>: pure, built once per snapshot, asked
/// as often as needed. <see cref="RouteResolvers.For"/> picks the model of the OS the snapshot came from.
/// </summary>
public interface IRouteResolver
{
    RouteSnapshot Snapshot { get; }

    /// <param name="explain">Also record every step in <see cref="RouteDecision.Trace"/> (slower).</param>
    RouteDecision Resolve(RouteQuery query, bool explain = false);
}

namespace PSLoopback.Routing;

/// <summary>Reads the machine's interfaces, routes of every table, and policy rules at one moment.</summary>
public interface IRouteSource
{
    RouteSnapshot ReadSnapshot();
}

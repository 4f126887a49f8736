namespace PSLoopback.Routing;

/// <summary>The part of a routing decision a trace step belongs to.</summary>
public enum RouteTraceStage
{
    Input,
    Rule,
    Table,
    Route,
    Path,
    Source,
    Result,
}

using PSLoopback.Routing;

namespace PSLoopback.Output;

/// <summary>One step of how the resolver reached its answer (Resolve-NetRoute -Explain).</summary>
public sealed class NetRouteTraceStep
{
    internal NetRouteTraceStep(RouteTraceStep step)
    {
        Stage = step.Stage.ToString();
        Subject = step.Subject;
        Outcome = step.Outcome;
    }

    public string Stage { get; }

    public string Subject { get; }

    public string Outcome { get; }

    public override string ToString() => $"{Stage}: {Subject}: {Outcome}";
}

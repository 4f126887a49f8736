namespace PSLoopback.Routing;

/// <summary>One step of how the resolver reached its answer: what it looked at and what came of it.</summary>
public sealed class RouteTraceStep
{
    public RouteTraceStep(RouteTraceStage stage, string subject, string outcome)
    {
        Stage = stage;
        Subject = subject;
        Outcome = outcome;
    }

    public RouteTraceStage Stage { get; }

    public string Subject { get; }

    public string Outcome { get; }

    public override string ToString() => $"{Stage}: {Subject}: {Outcome}";
}

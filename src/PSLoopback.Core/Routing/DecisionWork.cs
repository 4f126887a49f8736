using System;
using System.Collections.Generic;

namespace PSLoopback.Routing;

/// <summary>
/// One decision under way, shared by the OS models: the question, the answer being filled in, and the trace
/// when one was asked for. <see cref="Finish"/> closes it the same way for every model.
/// </summary>
internal class DecisionWork
{
    private (ulong High, ulong Low)? numbers;

    public DecisionWork(RouteQuery query, bool explain)
    {
        Query = query ?? throw new ArgumentNullException(nameof(query));
        Decision = new RouteDecision(query.Destination);
        Trace = explain ? new List<RouteTraceStep>() : null;
    }

    public RouteQuery Query { get; }

    /// <summary>The destination as two numbers (an IPv4 one in the top 32 bits of the first), as tables are walked by.</summary>
    public (ulong High, ulong Low) DestinationNumbers => numbers ??= AddressNumbers.Of(Query.Destination);

    public RouteDecision Decision { get; }

    public List<RouteTraceStep>? Trace { get; }

    /// <summary>Linux IPv6: the lookup pass that avoids routers whose neighbour entry failed (RT6_LOOKUP_F_REACHABLE).</summary>
    public bool AvoidFailedRouters { get; set; }

    /// <summary>The paths found are default routes the kernel takes turns among (fib_select_default's fa_default).</summary>
    public bool DefaultTakenByLastChoice { get; set; }

    /// <summary>Whether steps are recorded; callers check it first, so no trace text is built otherwise.</summary>
    public bool Explaining => Trace is not null;

    public void Note(RouteTraceStage stage, string subject, string outcome) =>
        Trace!.Add(new RouteTraceStep(stage, subject, outcome));

    public void Refuse(RouteError error, string why, RouteType type = RouteType.NoRoute)
    {
        Decision.Error = error;
        Decision.RouteType = type;
        Decision.Reason = why;
    }

    /// <summary>The packet stays on this host when it is local or leaves by a loopback interface; the trace ends with the result.</summary>
    public RouteDecision Finish(RouteSnapshot snapshot)
    {
        var decision = Decision;
        decision.StaysOnHost = decision.Error == RouteError.None
            && (decision.RouteType == RouteType.Local || (decision.InterfaceIndex is int index && snapshot.FindInterface(index)?.IsLoopback == true));
        if (Explaining)
        {
            Note(RouteTraceStage.Result, decision.RouteType.ToString(), decision.Reason);
        }

        if (Trace is not null)
        {
            decision.Trace = Trace;
        }

        return decision;
    }
}

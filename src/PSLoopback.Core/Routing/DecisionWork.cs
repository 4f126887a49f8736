using System;
using System.Collections.Generic;

namespace PSLoopback.Routing;

/// <summary>
/// One decision under way, shared by the OS models: the question, the answer being filled in, and the trace
/// when one was asked for. <see cref="Finish"/> closes it the same way for every model.
/// </summary>
internal class DecisionWork
{
    // One spare per thread, so a decision makes no work object of its own; taken out while in use, so a decision
    // made inside another (or a caller that keeps its work) gets a fresh one instead of sharing.
    [ThreadStatic]
    private static DecisionWork? spare;

    private (ulong High, ulong Low)? numbers;

    public DecisionWork(RouteQuery query, bool explain)
    {
        Query = query ?? throw new ArgumentNullException(nameof(query));
        Decision = new RouteDecision(query.Destination);
        Trace = explain ? new List<RouteTraceStep>() : null;
    }

    public RouteQuery Query { get; private set; }

    /// <summary>The destination as two numbers (an IPv4 one in the top 32 bits of the first), as tables are walked by.</summary>
    public (ulong High, ulong Low) DestinationNumbers => numbers ??= AddressNumbers.Of(Query.Destination);

    public RouteDecision Decision { get; private set; }

    public List<RouteTraceStep>? Trace { get; private set; }

    /// <summary>A work object for one decision: the thread's spare when it has one. Give it back with <see cref="Return"/>.</summary>
    public static DecisionWork Rent(RouteQuery query, bool explain)
    {
        if (query is null)
        {
            throw new ArgumentNullException(nameof(query));
        }

        var work = spare;
        if (work is null)
        {
            return new DecisionWork(query, explain);
        }

        spare = null;
        work.Query = query;
        work.Decision = new RouteDecision(query.Destination);
        work.Trace = explain ? new List<RouteTraceStep>() : null;
        work.numbers = null;
        work.AvoidFailedRouters = false;
        work.DefaultTakenByLastChoice = false;
        return work;
    }

    /// <summary>Keeps this work object as the thread's spare; it must not be used after.</summary>
    public void Return()
    {
        // Nothing of the decision is kept alive by the spare.
        Query = null!;
        Decision = null!;
        Trace = null;
        spare = this;
    }

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
    public RouteDecision Finish(RouteSnapshot snapshot) =>
        Finish(Decision.InterfaceIndex is int index && snapshot.FindInterface(index)?.IsLoopback == true);

    /// <param name="leavesByLoopback">Whether the decision's interface is a loopback interface.</param>
    public RouteDecision Finish(bool leavesByLoopback)
    {
        var decision = Decision;
        decision.StaysOnHost = decision.Error == RouteError.None && (decision.RouteType == RouteType.Local || leavesByLoopback);
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

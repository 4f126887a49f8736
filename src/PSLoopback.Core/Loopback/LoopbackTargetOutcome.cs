using System;
using System.Collections.Generic;

namespace PSLoopback.Loopback;

/// <summary>What testing one target gave: results, or why it could not be tested at all.</summary>
public sealed class LoopbackTargetOutcome
{
    private LoopbackTargetOutcome(IReadOnlyList<LoopbackTestResult> results, LoopbackTargetProblem problem, string? message, Exception? cause)
    {
        Results = results;
        Problem = problem;
        Message = message;
        Cause = cause;
    }

    public IReadOnlyList<LoopbackTestResult> Results { get; }

    public LoopbackTargetProblem Problem { get; }

    /// <summary>For a problem: what to tell the user, naming the target.</summary>
    public string? Message { get; }

    public Exception? Cause { get; }

    public static LoopbackTargetOutcome Tested(IReadOnlyList<LoopbackTestResult> results) =>
        new(results, LoopbackTargetProblem.None, null, null);

    public static LoopbackTargetOutcome Failed(LoopbackTargetProblem problem, string message, Exception? cause = null) =>
        new(Array.Empty<LoopbackTestResult>(), problem, message, cause);
}

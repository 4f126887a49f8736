using System;
using System.Collections.Generic;

namespace PSLoopback.Routing;

/// <summary>-Verify's finding for one decision: the verdict, and the fields that differ from the OS's answer.</summary>
public sealed class RouteVerificationResult
{
    public RouteVerificationResult(KernelVerdict verdict, IReadOnlyList<string> differences, RoutePath? kernelPath = null)
    {
        Verdict = verdict;
        Differences = differences ?? throw new ArgumentNullException(nameof(differences));
        KernelPath = kernelPath;
    }

    public KernelVerdict Verdict { get; }

    /// <summary>One line per field where the headline and the OS differ; empty when they agree.</summary>
    public IReadOnlyList<string> Differences { get; }

    /// <summary>With <see cref="KernelVerdict.HashChoseOtherPath"/>: the decision's path that the kernel took.</summary>
    public RoutePath? KernelPath { get; }
}

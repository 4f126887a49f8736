using System;
using System.Collections.Generic;
using System.Net;

namespace PSLoopback.Addressing;

/// <summary>The addresses a destination stands for, or why it stands for none.</summary>
public sealed class DestinationAnswer
{
    internal DestinationAnswer(ParsedDestination parsed, IReadOnlyList<IPAddress> addresses, DestinationProblem problem, string? message, Exception? cause, double microseconds)
    {
        Parsed = parsed;
        Addresses = addresses;
        Problem = problem;
        Message = message;
        Cause = cause;
        Microseconds = microseconds;
    }

    public ParsedDestination Parsed { get; }

    /// <summary>An address with its zone as a scope id where the zone applies, or a name's addresses.</summary>
    public IReadOnlyList<IPAddress> Addresses { get; }

    public DestinationProblem Problem { get; }

    /// <summary>For a problem: what to tell the user, naming the input.</summary>
    public string? Message { get; }

    public Exception? Cause { get; }

    /// <summary>How long resolving the name took; 0 for an address.</summary>
    public double Microseconds { get; }
}

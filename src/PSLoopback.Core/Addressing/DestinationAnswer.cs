using System;
using System.Collections.Generic;
using System.Net;
using System.Threading;

namespace PSLoopback.Addressing;

/// <summary>The addresses a destination stands for, or why it stands for none.</summary>
public sealed class DestinationAnswer
{
    private readonly string text;
    private ParsedDestination? parsed;

    internal DestinationAnswer(ParsedDestination parsed, IReadOnlyList<IPAddress> addresses, DestinationProblem problem, string? message, Exception? cause, double microseconds)
    {
        text = parsed.Text;
        this.parsed = parsed;
        Addresses = addresses;
        Problem = problem;
        Message = message;
        Cause = cause;
        Microseconds = microseconds;
    }

    /// <summary>
    /// A plain address without a zone, the common case by the hundred thousand: its parse is made only if
    /// someone reads <see cref="Parsed"/>, and is then the one <see cref="Destination.Parse"/> gives.
    /// </summary>
    internal DestinationAnswer(string text, IPAddress address)
    {
        this.text = text;
        Addresses = new[] { address };
    }

    public ParsedDestination Parsed
    {
        get
        {
            if (parsed is null)
            {
                // Parallel readers may each make one; they keep the first, so the parse stays one object.
                var made = new ParsedDestination(text, DestinationKind.Address) { Address = Destination.WithoutScope(Addresses[0]) };
                Interlocked.CompareExchange(ref parsed, made, null);
            }

            return parsed!;
        }
    }

    /// <summary>An address with its zone as a scope id where the zone applies, or a name's addresses.</summary>
    public IReadOnlyList<IPAddress> Addresses { get; }

    public DestinationProblem Problem { get; }

    /// <summary>For a problem: what to tell the user, naming the input.</summary>
    public string? Message { get; }

    public Exception? Cause { get; }

    /// <summary>How long resolving the name took; 0 for an address.</summary>
    public double Microseconds { get; }
}

using System;

namespace PSLoopback.Platform.Windows;

/// <summary>
/// An IP Helper answer did not have the shape Windows documents: a table whose row count its bytes cannot
/// hold, a pointer outside the buffer, a string without its terminator, an address of an unknown family.
/// </summary>
public sealed class IpHelperParseException : Exception
{
    public IpHelperParseException(string message)
        : base("Malformed IP Helper answer: " + message)
    {
    }
}

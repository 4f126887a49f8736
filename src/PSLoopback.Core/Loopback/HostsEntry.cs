using System.Collections.Generic;
using System.Net;

namespace PSLoopback.Loopback;

/// <summary>One line of a hosts file: an address and the names it gives.</summary>
public sealed class HostsEntry
{
    public HostsEntry(IPAddress address, IReadOnlyList<string> names, int line)
    {
        Address = address;
        Names = names;
        Line = line;
    }

    public IPAddress Address { get; }

    public IReadOnlyList<string> Names { get; }

    /// <summary>The line number in the file, from 1.</summary>
    public int Line { get; }

    public override string ToString() => $"line {Line}: {Address} {string.Join(" ", Names)}";
}

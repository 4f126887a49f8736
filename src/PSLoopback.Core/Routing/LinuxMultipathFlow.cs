using System;
using System.Net;

namespace PSLoopback.Routing;

/// <summary>
/// The fields of a flow the kernel's multipath hash may take (struct flow_keys as fib_multipath_hash and
/// rt6_multipath_hash fill it): which of them count is the hash policy's business, so a field a policy ignores
/// is left 0 by the caller.
/// </summary>
internal sealed class LinuxMultipathFlow
{
    public LinuxMultipathFlow(IPAddress source, IPAddress destination)
    {
        Source = source ?? throw new ArgumentNullException(nameof(source));
        Destination = destination ?? throw new ArgumentNullException(nameof(destination));
    }

    /// <summary>The source address; the unspecified address when the lookup gives none.</summary>
    public IPAddress Source { get; }

    public IPAddress Destination { get; }

    /// <summary>The IP protocol (IPv6: next header).</summary>
    public byte Protocol { get; set; }

    /// <summary>IPv6: the 20-bit flow label.</summary>
    public uint FlowLabel { get; set; }

    public ushort SourcePort { get; set; }

    public ushort DestinationPort { get; set; }
}

using System;

namespace PSLoopback.Platform.Linux.Netlink;

/// <summary>The kernel's bytes did not have the shape rtnetlink promises: truncated, or lengths that do not add up.</summary>
public sealed class NetlinkParseException : Exception
{
    public NetlinkParseException(string message)
        : base("Malformed netlink message: " + message)
    {
    }
}

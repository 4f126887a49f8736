using System;

namespace PSLoopback.Platform.Linux.Netlink;

/// <summary>A system call on the netlink socket failed, or the kernel answered a request with an error.</summary>
public sealed class NetlinkException : Exception
{
    public NetlinkException(string operation, int errno)
        : base($"netlink {operation} failed: errno {errno} ({Describe(errno)}).")
    {
        Errno = errno;
    }

    public NetlinkException(string message)
        : base(message)
    {
    }

    public int Errno { get; }

    private static string Describe(int errno) => errno switch
    {
        1 => "EPERM, operation not permitted",
        4 => "EINTR, interrupted",
        11 => "EAGAIN, no answer in time",
        13 => "EACCES, permission denied",
        16 => "EBUSY, the dump was interrupted too often",
        22 => "EINVAL, invalid argument",
        93 => "EPROTONOSUPPORT, netlink is not available",
        97 => "EAFNOSUPPORT, netlink is not available",
        105 => "ENOBUFS, the socket's receive buffer overflowed",
        _ => "see errno(3)",
    };
}

namespace PSLoopback.Platform.Linux.Netlink;

/// <summary>Takes one datagram of a dump's answer (the first <paramref name="length"/> bytes of <paramref name="buffer"/>); returns whether the dump is complete.</summary>
/// <param name="sequence">The request's sequence number: messages with another belong to no one here.</param>
/// <param name="portId">This socket's netlink port, which the kernel's answers carry.</param>
public delegate bool DatagramHandler(byte[] buffer, int length, uint sequence, uint portId);

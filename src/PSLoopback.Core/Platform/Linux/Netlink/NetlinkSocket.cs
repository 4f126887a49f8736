using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading;
using System.Runtime.CompilerServices;
using static PSLoopback.Platform.Linux.Netlink.NetlinkConstants;

namespace PSLoopback.Platform.Linux.Netlink;

/// <summary>
/// An AF_NETLINK socket (NETLINK_ROUTE or NETLINK_SOCK_DIAG) through libc. It sends dump requests and collects
/// the kernel's multi-part answer; parsing is left to <see cref="NetlinkReader"/>. Only datagrams from the
/// kernel (sender port 0) with this request's sequence number are taken.
/// </summary>
internal sealed class NetlinkSocket : IDisposable
{
    private const int AF_NETLINK = 16;
    private const int SOCK_RAW = 3;
    private const int SOCK_CLOEXEC = 0x80000;
    private const int NETLINK_ROUTE = 0;
    private const int NETLINK_SOCK_DIAG = 4;
    private const int SOL_SOCKET = 1;
    private const int SO_RCVTIMEO = 20;
    private const int SOL_NETLINK = 270;
    private const int NETLINK_GET_STRICT_CHK = 12;
    private const int MSG_PEEK = 0x2;
    private const int MSG_TRUNC = 0x20;
    private const int EINTR = 4;
    private const int EAGAIN = 11;
    private const int EBUSY = 16;

    // Bounds on everything that loops: a dump that has not finished by then is reported, not waited for.
    private static readonly TimeSpan ReceiveTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan DumpDeadline = TimeSpan.FromSeconds(30);
    private const int MaxInterruptedRetries = 3;
    private const int MaxEintrRetries = 100;

    private const int DefaultBufferLength = 32 * 1024;
    private static readonly int SockAddrNlLength = Marshal.SizeOf<SockAddrNl>();

    // The receive buffer of the last socket closed, for the next one: a listing opens a socket per call, and a
    // fresh 32 KiB each time was a third of what a call allocated. One slot, taken and given back atomically,
    // so sockets open at once (nested or on other threads) never share one.
    private static byte[]? spareBuffer;

    private readonly int fd;
    private readonly uint portId;
    private byte[] buffer;
    private uint sequence;
    private bool disposed;

    private NetlinkSocket(int fd, uint portId)
    {
        this.fd = fd;
        this.portId = portId;
        buffer = Interlocked.Exchange(ref spareBuffer, null) ?? new byte[DefaultBufferLength];
        sequence = (uint)Environment.TickCount;
    }

    public static NetlinkSocket OpenRoute() => Open(NETLINK_ROUTE);

    /// <summary>The socket diagnostics family (inet_diag), the one `ss` reads sockets from.</summary>
    public static NetlinkSocket OpenSockDiag() => Open(NETLINK_SOCK_DIAG);

    [MethodImpl(HotPath.Optimized)]
    private static NetlinkSocket Open(int protocol)
    {
        var fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
        if (fd < 0)
        {
            throw new NetlinkException("socket", Marshal.GetLastWin32Error());
        }

        try
        {
            var timeout = new Timeval { Seconds = (nint)ReceiveTimeout.TotalSeconds };
            if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, ref timeout, Marshal.SizeOf<Timeval>()) != 0)
            {
                throw new NetlinkException("setsockopt(SO_RCVTIMEO)", Marshal.GetLastWin32Error());
            }

            var address = new SockAddrNl { Family = AF_NETLINK };
            if (bind(fd, ref address, SockAddrNlLength) != 0)
            {
                throw new NetlinkException("bind", Marshal.GetLastWin32Error());
            }

            var length = SockAddrNlLength;
            if (getsockname(fd, ref address, ref length) != 0)
            {
                throw new NetlinkException("getsockname", Marshal.GetLastWin32Error());
            }

            return new NetlinkSocket(fd, address.PortId);
        }
        catch
        {
            close(fd);
            throw;
        }
    }

    /// <summary>
    /// NETLINK_GET_STRICT_CHK: the kernel then checks a dump request's header and honours its filters (a route
    /// dump with RTM_F_CLONED sends only the exception cache); without it, it sends everything.
    /// </summary>
    public void EnableStrictChecking()
    {
        var on = 1;
        if (setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, ref on, sizeof(int)) != 0)
        {
            throw new NetlinkException("setsockopt(NETLINK_GET_STRICT_CHK)", Marshal.GetLastWin32Error());
        }
    }

    /// <summary>Sends a dump request and returns the payload-bearing messages of the answer.</summary>
    /// <param name="type">RTM_GET* message type.</param>
    /// <param name="header">The request's fixed header (ifinfomsg, ifaddrmsg, ...).</param>
    public IReadOnlyList<NetlinkMessage> Dump(ushort type, byte[] header) => Dump(type, header, message => message);

    /// <summary>
    /// Sends a dump request and hands each payload-bearing message of the answer to <paramref name="take"/> as it
    /// arrives, keeping what it returns (null drops the message). A million routes' messages are then never all
    /// held at once: held, they outlived the young generation, and copying them cost about as much as the parse.
    /// </summary>
    public IReadOnlyList<T> Dump<T>(ushort type, byte[] header, Func<NetlinkMessage, T?> take)
        where T : class
    {
        // The kernel flags a dump whose table changed under it; the answer may then miss or repeat entries.
        for (var attempt = 0; attempt <= MaxInterruptedRetries; attempt++)
        {
            var kept = DumpOnce(type, header, take, out var interrupted);
            if (!interrupted)
            {
                return kept;
            }
        }

        throw new NetlinkException("dump", EBUSY);
    }

    /// <summary>
    /// Sends a single request (no dump) and returns the kernel's one answer, or null for a bare acknowledgement.
    /// A refusal throws a NetlinkException whose Errno is the kernel's; for some requests (a route query) that
    /// errno is the answer.
    /// </summary>
    /// <param name="type">RTM_* message type.</param>
    /// <param name="payload">The request's fixed header and attributes.</param>
    public NetlinkMessage? Request(ushort type, byte[] payload)
    {
        ThrowIfDisposed();
        var seq = unchecked(++sequence);
        var request = BuildRequest(type, seq, payload);

        // The same header as a dump's, less NLM_F_DUMP.
        BitConverter.GetBytes(NLM_F_REQUEST).CopyTo(request, 6);
        Send(request);

        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < DumpDeadline)
        {
            var length = Receive(out var sender);
            if (sender != 0)
            {
                continue;
            }

            foreach (var message in NetlinkReader.ReadMessages(buffer, length))
            {
                if (message.Sequence != seq || message.PortId != portId || message.Type == NLMSG_NOOP)
                {
                    continue;
                }

                if (message.Type != NLMSG_ERROR)
                {
                    return message;
                }

                if (message.Payload.Length < 4)
                {
                    throw new NetlinkParseException("an NLMSG_ERROR message is too short to hold its error code.");
                }

                var error = BitConverter.ToInt32(message.Payload, 0);
                if (error != 0)
                {
                    throw new NetlinkException("request", -error);
                }

                return null;
            }
        }

        throw new NetlinkException($"netlink request was not answered within {DumpDeadline.TotalSeconds} s.");
    }

    /// <summary>
    /// Sends a dump request and hands each datagram of the answer, in place in this socket's one buffer, to
    /// <paramref name="handler"/> until it says the dump is complete: for large dumps (sock_diag's thousands of
    /// sockets) that are parsed without a copy of each message.
    /// </summary>
    /// <param name="type">The request's message type (SOCK_DIAG_BY_FAMILY, RTM_GET*).</param>
    /// <param name="header">The request's payload.</param>
    public void DumpDatagrams(ushort type, byte[] header, DatagramHandler handler)
    {
        ThrowIfDisposed();
        var seq = unchecked(++sequence);
        Send(BuildRequest(type, seq, header));

        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < DumpDeadline)
        {
            var length = Receive(out var sender);
            if (sender == 0 && handler(buffer, length, seq, portId))
            {
                return;
            }
        }

        throw new NetlinkException($"netlink dump did not finish within {DumpDeadline.TotalSeconds} s.");
    }

    public void Dispose()
    {
        if (!disposed)
        {
            disposed = true;
            close(fd);

            // One grown for a huge datagram is let go rather than kept for good.
            if (buffer.Length == DefaultBufferLength)
            {
                Interlocked.Exchange(ref spareBuffer, buffer);
            }
        }
    }

    [MethodImpl(HotPath.Optimized)]
    private List<T> DumpOnce<T>(ushort type, byte[] header, Func<NetlinkMessage, T?> take, out bool interrupted)
        where T : class
    {
        ThrowIfDisposed();
        interrupted = false;
        var seq = unchecked(++sequence);
        Send(BuildRequest(type, seq, header));

        var kept = new List<T>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < DumpDeadline)
        {
            var length = Receive(out var sender);
            if (sender != 0)
            {
                continue;
            }

            foreach (var message in NetlinkReader.ReadMessages(buffer, length))
            {
                if (message.Sequence != seq || message.PortId != portId)
                {
                    continue;
                }

                if ((message.Flags & NLM_F_DUMP_INTR) != 0)
                {
                    interrupted = true;
                }

                switch (message.Type)
                {
                    case NLMSG_DONE:
                        return kept;
                    case NLMSG_ERROR:
                        if (message.Payload.Length < 4)
                        {
                            throw new NetlinkParseException("an NLMSG_ERROR message is too short to hold its error code.");
                        }

                        var error = BitConverter.ToInt32(message.Payload, 0);
                        if (error != 0)
                        {
                            throw new NetlinkException("request", -error);
                        }

                        return kept;
                    case NLMSG_NOOP:
                        break;
                    default:
                        // An interrupted attempt is thrown away whole: its messages need no more work.
                        if (!interrupted && take(message) is T value)
                        {
                            kept.Add(value);
                        }

                        break;
                }
            }
        }

        throw new NetlinkException($"netlink dump did not finish within {DumpDeadline.TotalSeconds} s.");
    }

    [MethodImpl(HotPath.Optimized)]
    private static byte[] BuildRequest(ushort type, uint seq, byte[] header)
    {
        var request = new byte[HeaderLength + header.Length];
        BitConverter.GetBytes((uint)request.Length).CopyTo(request, 0);
        BitConverter.GetBytes(type).CopyTo(request, 4);
        BitConverter.GetBytes((ushort)(NLM_F_REQUEST | NLM_F_DUMP)).CopyTo(request, 6);
        BitConverter.GetBytes(seq).CopyTo(request, 8);
        header.CopyTo(request, HeaderLength);
        return request;
    }

    [MethodImpl(HotPath.Optimized)]
    private void Send(byte[] request)
    {
        var kernel = new SockAddrNl { Family = AF_NETLINK };
        for (var attempt = 0; attempt < MaxEintrRetries; attempt++)
        {
            var sent = sendto(fd, request, (IntPtr)request.Length, 0, ref kernel, SockAddrNlLength);
            if ((long)sent == request.Length)
            {
                return;
            }

            var errno = Marshal.GetLastWin32Error();
            if ((long)sent >= 0 || errno != EINTR)
            {
                throw new NetlinkException("sendto", (long)sent >= 0 ? EAGAIN : errno);
            }
        }

        throw new NetlinkException("sendto", EINTR);
    }

    /// <summary>Receives one whole datagram into <see cref="buffer"/>, growing it first if the datagram is larger.</summary>
    [MethodImpl(HotPath.Optimized)]
    private int Receive(out uint sender)
    {
        var size = ReceiveCall(MSG_PEEK | MSG_TRUNC, out sender);
        if (size > buffer.Length)
        {
            buffer = new byte[size];
        }

        return ReceiveCall(0, out sender);
    }

    [MethodImpl(HotPath.Optimized)]
    private int ReceiveCall(int flags, out uint sender)
    {
        for (var attempt = 0; attempt < MaxEintrRetries; attempt++)
        {
            var from = default(SockAddrNl);
            var fromLength = SockAddrNlLength;
            var received = (long)recvfrom(fd, buffer, (IntPtr)buffer.Length, flags, ref from, ref fromLength);
            if (received >= 0)
            {
                sender = from.PortId;
                return (int)received;
            }

            var errno = Marshal.GetLastWin32Error();
            if (errno != EINTR)
            {
                throw new NetlinkException("recvfrom", errno);
            }
        }

        throw new NetlinkException("recvfrom", EINTR);
    }

    private void ThrowIfDisposed()
    {
        if (disposed)
        {
            throw new ObjectDisposedException(nameof(NetlinkSocket));
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct SockAddrNl
    {
        public ushort Family;
        public ushort Pad;
        public uint PortId;
        public uint Groups;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Timeval
    {
        public nint Seconds;
        public nint Microseconds;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int socket(int domain, int type, int protocol);

    [DllImport("libc", SetLastError = true)]
    private static extern int bind(int fd, ref SockAddrNl address, int length);

    [DllImport("libc", SetLastError = true)]
    private static extern int getsockname(int fd, ref SockAddrNl address, ref int length);

    [DllImport("libc", SetLastError = true)]
    private static extern int setsockopt(int fd, int level, int name, ref Timeval value, int length);

    [DllImport("libc", SetLastError = true)]
    private static extern int setsockopt(int fd, int level, int name, ref int value, int length);

    [DllImport("libc", SetLastError = true)]
    private static extern IntPtr sendto(int fd, byte[] buffer, IntPtr length, int flags, ref SockAddrNl address, int addressLength);

    [DllImport("libc", SetLastError = true)]
    private static extern IntPtr recvfrom(int fd, byte[] buffer, IntPtr length, int flags, ref SockAddrNl address, ref int addressLength);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
}

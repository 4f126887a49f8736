using System;
using System.IO;
using System.Runtime.InteropServices;

namespace PSLoopback.Tests;

/// <summary>
/// Adds a policy rule over rtnetlink (RTM_NEWRULE), for the rule attributes iproute2 6.1 cannot write (FRA_DSCP,
/// FRA_DSCP_MASK, FRA_FLOWLABEL, the port masks). Loaded by NetlinkRules.psm1 with Add-Type; it acts in the network
/// namespace of the process it runs in.
/// </summary>
public static class NetlinkRuleWriter
{
    private const int AfNetlink = 16;
    private const int SockRaw = 3;
    private const int NetlinkRoute = 0;
    private const ushort RtmNewRule = 32;
    private const ushort NlmsgError = 2;
    private const ushort Flags = 0x1 | 0x4 | 0x200 | 0x400; // NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL | NLM_F_CREATE
    private const byte FrActToTable = 1;
    private const ushort FraPriority = 6;
    private const ushort FraTable = 15;

    /// <summary>Sends one "lookup TABLE" rule with the extra attributes given, and returns the kernel's errno (0: added).</summary>
    public static int AddRule(byte family, uint priority, uint table, ushort[] types, byte[][] values)
    {
        if (types.Length != values.Length)
        {
            throw new ArgumentException("Each attribute type needs one value.");
        }

        using var body = new MemoryStream();
        body.Write(new byte[] { family, 0, 0, 0, table < 256 ? (byte)table : (byte)0, 0, 0, FrActToTable, 0, 0, 0, 0 }, 0, 12);
        Attribute(body, FraPriority, BitConverter.GetBytes(priority));
        Attribute(body, FraTable, BitConverter.GetBytes(table));
        for (var i = 0; i < types.Length; i++)
        {
            Attribute(body, types[i], values[i]);
        }

        var message = new byte[16 + body.Length];
        BitConverter.GetBytes((uint)message.Length).CopyTo(message, 0);
        BitConverter.GetBytes(RtmNewRule).CopyTo(message, 4);
        BitConverter.GetBytes(Flags).CopyTo(message, 6);
        BitConverter.GetBytes(1u).CopyTo(message, 8);
        body.ToArray().CopyTo(message, 16);

        var fd = socket(AfNetlink, SockRaw, NetlinkRoute);
        if (fd < 0)
        {
            throw new IOException($"socket(AF_NETLINK) failed: errno {Marshal.GetLastWin32Error()}.");
        }

        try
        {
            // A kernel that never answers must not hang the test: five seconds, then recv fails.
            var timeout = new long[] { 5, 0 };
            setsockopt(fd, 1, 20, timeout, 16); // SOL_SOCKET, SO_RCVTIMEO
            var kernel = new byte[12];
            BitConverter.GetBytes((ushort)AfNetlink).CopyTo(kernel, 0);
            if (sendto(fd, message, (nint)message.Length, 0, kernel, 12) != message.Length)
            {
                throw new IOException($"sendto(RTM_NEWRULE) failed: errno {Marshal.GetLastWin32Error()}.");
            }

            var answer = new byte[8192];
            var received = (int)recv(fd, answer, (nint)answer.Length, 0);
            if (received < 20 || BitConverter.ToUInt16(answer, 4) != NlmsgError)
            {
                throw new IOException($"the kernel did not acknowledge RTM_NEWRULE ({received} bytes, errno {Marshal.GetLastWin32Error()}).");
            }

            return -BitConverter.ToInt32(answer, 16);
        }
        finally
        {
            close(fd);
        }
    }

    private static void Attribute(Stream stream, ushort type, byte[] value)
    {
        stream.Write(BitConverter.GetBytes((ushort)(4 + value.Length)), 0, 2);
        stream.Write(BitConverter.GetBytes(type), 0, 2);
        stream.Write(value, 0, value.Length);
        var padding = (4 - value.Length % 4) % 4;
        stream.Write(new byte[padding], 0, padding);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int socket(int domain, int type, int protocol);

    [DllImport("libc", SetLastError = true)]
    private static extern int setsockopt(int fd, int level, int name, long[] value, int length);

    [DllImport("libc", SetLastError = true)]
    private static extern nint sendto(int fd, byte[] buffer, nint length, int flags, byte[] address, int addressLength);

    [DllImport("libc", SetLastError = true)]
    private static extern nint recv(int fd, byte[] buffer, nint length, int flags);

    [DllImport("libc")]
    private static extern int close(int fd);
}

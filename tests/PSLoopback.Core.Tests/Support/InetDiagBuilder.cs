using System;
using System.Collections.Generic;
using System.IO;
using System.Net;

namespace PSLoopback.Core.Tests.Support;

/// <summary>
/// Writes sock_diag answers as the kernel does: struct inet_diag_msg in host order except the sockid's ports and
/// addresses (network order), attributes padded to 4 bytes, messages wrapped in nlmsghdr.
/// </summary>
internal static class InetDiagBuilder
{
    public const ushort SOCK_DIAG_BY_FAMILY = 20;
    public const ushort NLMSG_ERROR = 2;
    public const ushort NLMSG_DONE = 3;
    public const uint Sequence = 77;
    public const uint PortId = 4242;

    /// <summary>
    /// A message for no full socket, as inet_twsk_diag_fill (timer 3, state TIME_WAIT or FIN_WAIT2) and
    /// inet_req_diag_fill (timer 1, state SYN_RECV) write it: uid, inode and queues 0, no INET_DIAG_SHUTDOWN,
    /// and INET_DIAG_MARK only when the reader has CAP_NET_ADMIN.
    /// </summary>
    public static byte[] NoFullSocket(byte state, byte timer, string local, int localPort, string remote, int remotePort, uint? mark = null)
    {
        var message = Header(state, timer, local, localPort, remote, remotePort, 0, 0, 0, 0, 0, null);
        return mark is uint value ? Concat(message, Attribute(15, BitConverter.GetBytes(value))) : message;
    }

    /// <summary>One inet_diag_msg payload of a full socket (inet_sk_diag_fill); the family follows the local address.</summary>
    public static byte[] Message(
        byte state,
        string local,
        int localPort,
        string remote = "",
        int remotePort = 0,
        int device = 0,
        uint receiveQueue = 0,
        uint sendQueue = 0,
        uint uid = 0,
        uint inode = 0,
        bool? v6Only = null,
        byte? family = null,
        byte timer = 0)
    {
        var bytes = new MemoryStream();
        bytes.Write(Header(state, timer, local, localPort, remote, remotePort, device, receiveQueue, sendQueue, uid, inode, family));

        // The kernel sends INET_DIAG_SHUTDOWN with every full socket; this parser must pass over it.
        bytes.Write(Attribute(8, new byte[] { 0 }));
        if (v6Only is bool only)
        {
            bytes.Write(Attribute(11, new[] { only ? (byte)1 : (byte)0 }));
        }

        return bytes.ToArray();
    }

    public static byte[] Attribute(ushort type, byte[] value)
    {
        var bytes = new byte[(4 + value.Length + 3) & ~3];
        BitConverter.GetBytes((ushort)(4 + value.Length)).CopyTo(bytes, 0);
        BitConverter.GetBytes(type).CopyTo(bytes, 2);
        value.CopyTo(bytes, 4);
        return bytes;
    }

    public static byte[] Wrap(ushort type, byte[] payload, uint sequence = Sequence, uint portId = PortId)
    {
        var length = 16 + payload.Length;
        var bytes = new byte[(length + 3) & ~3];
        BitConverter.GetBytes((uint)length).CopyTo(bytes, 0);
        BitConverter.GetBytes(type).CopyTo(bytes, 4);
        BitConverter.GetBytes((ushort)2).CopyTo(bytes, 6); // NLM_F_MULTI
        BitConverter.GetBytes(sequence).CopyTo(bytes, 8);
        BitConverter.GetBytes(portId).CopyTo(bytes, 12);
        payload.CopyTo(bytes, 16);
        return bytes;
    }

    public static byte[] Done() => Wrap(NLMSG_DONE, BitConverter.GetBytes(0));

    /// <summary>NLMSG_ERROR: the negative errno, then the request's header as the kernel echoes it.</summary>
    public static byte[] Error(int errno) => Wrap(NLMSG_ERROR, Concat(BitConverter.GetBytes(-errno), new byte[16]));

    public static byte[] Concat(params byte[][] parts)
    {
        var bytes = new MemoryStream();
        foreach (var part in parts)
        {
            bytes.Write(part);
        }

        return bytes.ToArray();
    }

    /// <summary>struct inet_diag_msg alone (72 bytes).</summary>
    private static byte[] Header(byte state, byte timer, string local, int localPort, string remote, int remotePort, int device, uint receiveQueue, uint sendQueue, uint uid, uint inode, byte? family)
    {
        var localAddress = IPAddress.Parse(local);
        var v6 = localAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        var remoteAddress = remote.Length > 0 ? IPAddress.Parse(remote) : v6 ? IPAddress.IPv6Any : IPAddress.Any;
        var bytes = new MemoryStream();
        bytes.Write(new[] { family ?? (byte)(v6 ? 10 : 2), state, timer, (byte)0 });
        bytes.Write(new[] { (byte)(localPort >> 8), (byte)localPort, (byte)(remotePort >> 8), (byte)remotePort });
        bytes.Write(Padded(localAddress.GetAddressBytes(), 16));
        bytes.Write(Padded(remoteAddress.GetAddressBytes(), 16));
        bytes.Write(BitConverter.GetBytes(device));
        bytes.Write(BitConverter.GetBytes(0xFFFFFFFFFFFFFFFFUL)); // idiag_cookie
        bytes.Write(BitConverter.GetBytes(0u)); // idiag_expires
        bytes.Write(BitConverter.GetBytes(receiveQueue));
        bytes.Write(BitConverter.GetBytes(sendQueue));
        bytes.Write(BitConverter.GetBytes(uid));
        bytes.Write(BitConverter.GetBytes(inode));
        return bytes.ToArray();
    }

    private static byte[] Padded(byte[] address, int length)
    {
        var bytes = new byte[length];
        address.CopyTo(bytes, 0);
        return bytes;
    }
}

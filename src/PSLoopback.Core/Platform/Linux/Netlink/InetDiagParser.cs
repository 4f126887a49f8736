using System;
using System.Net;
using static PSLoopback.Platform.Linux.Netlink.InetDiagConstants;
using static PSLoopback.Platform.Linux.Netlink.NetlinkConstants;

namespace PSLoopback.Platform.Linux.Netlink;

/// <summary>
/// Builds sock_diag dump requests and parses the answer's datagrams in place (no copy per message: a dump can
/// hold tens of thousands of sockets). Every length is checked against the bytes at hand, so a truncated or
/// corrupt datagram ends in a NetlinkParseException, never an index error or a loop that does not end.
/// </summary>
public static class InetDiagParser
{
    private const int SockIdOffset = 4;
    private const int QueuesOffset = SockIdOffset + SockIdLength + 4;

    /// <summary>struct inet_diag_req_v2 for every socket of one family and protocol in the given states; no extensions (INET_DIAG_SKV6ONLY comes without asking).</summary>
    /// <param name="states">A bit mask of kernel states, bit n for state n.</param>
    public static byte[] Request(byte family, byte protocol, uint states)
    {
        var request = new byte[RequestLength];
        request[0] = family;
        request[1] = protocol;
        WriteUInt32(request, 4, states);
        return request;
    }

    /// <summary>
    /// Hands each socket message of one datagram that answers request <paramref name="sequence"/> to
    /// <paramref name="onSocket"/>; returns whether the dump is complete (NLMSG_DONE, or an acknowledgement).
    /// NLMSG_ERROR with an error code throws a NetlinkException with the kernel's errno. A socket message whose
    /// own bytes cannot be read goes to <paramref name="onMalformed"/>, when given, and the rest are read on (its
    /// header still says where the next begins); without it, it throws. A header that cannot be read always throws.
    /// </summary>
    public static bool ReadDatagram(byte[] buffer, int length, uint sequence, uint portId, Action<InetDiagMessage> onSocket, Action<NetlinkParseException>? onMalformed = null)
    {
        if (buffer is null)
        {
            throw new ArgumentNullException(nameof(buffer));
        }

        if (onSocket is null)
        {
            throw new ArgumentNullException(nameof(onSocket));
        }

        if (length < 0 || length > buffer.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(length));
        }

        var offset = 0;
        while (offset < length)
        {
            var remaining = length - offset;
            if (remaining < HeaderLength)
            {
                throw new NetlinkParseException($"{remaining} bytes left at offset {offset}, too few for a {HeaderLength}-byte header.");
            }

            var messageLength = BitConverter.ToUInt32(buffer, offset);
            if (messageLength < HeaderLength || messageLength > remaining)
            {
                throw new NetlinkParseException($"the header at offset {offset} gives a length of {messageLength} bytes, but {remaining} remain.");
            }

            var type = BitConverter.ToUInt16(buffer, offset + 4);
            var payload = offset + HeaderLength;
            var payloadLength = (int)messageLength - HeaderLength;
            if (BitConverter.ToUInt32(buffer, offset + 8) == sequence && BitConverter.ToUInt32(buffer, offset + 12) == portId)
            {
                switch (type)
                {
                    case NLMSG_DONE:
                        return true;
                    case NLMSG_ERROR:
                        if (payloadLength < 4)
                        {
                            throw new NetlinkParseException("an NLMSG_ERROR message is too short to hold its error code.");
                        }

                        var error = BitConverter.ToInt32(buffer, payload);
                        if (error != 0)
                        {
                            throw new NetlinkException("sock_diag dump", -error);
                        }

                        return true;
                    case SOCK_DIAG_BY_FAMILY:
                        InetDiagMessage message;
                        try
                        {
                            message = ParseMessage(buffer, payload, payloadLength);
                        }
                        catch (NetlinkParseException e) when (onMalformed is not null)
                        {
                            onMalformed(e);
                            break;
                        }

                        onSocket(message);
                        break;
                }
            }

            // The last message of a datagram need not be padded to the alignment.
            offset += Math.Min(NetlinkReader.Align((int)messageLength), remaining);
        }

        return false;
    }

    /// <summary>One struct inet_diag_msg and its attributes, at <paramref name="offset"/> for <paramref name="length"/> bytes.</summary>
    public static InetDiagMessage ParseMessage(byte[] data, int offset, int length)
    {
        if (data is null)
        {
            throw new ArgumentNullException(nameof(data));
        }

        if (offset < 0 || length < 0 || offset > data.Length - length)
        {
            throw new ArgumentOutOfRangeException(nameof(length), $"The range {offset}+{length} does not lie within the {data.Length} bytes given.");
        }

        if (length < MessageLength)
        {
            throw new NetlinkParseException($"the payload is {length} bytes, too short for struct inet_diag_msg ({MessageLength} bytes).");
        }

        var family = data[offset];
        var addressLength = family switch
        {
            AF_INET => 4,
            AF_INET6 => 16,
            _ => throw new NetlinkParseException($"idiag_family is {family}, neither AF_INET nor AF_INET6."),
        };

        var id = offset + SockIdOffset;
        var queues = offset + QueuesOffset;
        var message = new InetDiagMessage
        {
            Family = family,
            State = data[offset + 1],
            Timer = data[offset + 2],
            SourcePort = (data[id] << 8) | data[id + 1],
            DestinationPort = (data[id + 2] << 8) | data[id + 3],
            Source = ReadAddress(data, id + 4, addressLength),
            Destination = ReadAddress(data, id + 20, addressLength),
            Interface = BitConverter.ToInt32(data, id + 36),
            ReceiveQueue = BitConverter.ToUInt32(data, queues),
            SendQueue = BitConverter.ToUInt32(data, queues + 4),
            Uid = BitConverter.ToUInt32(data, queues + 8),
            Inode = BitConverter.ToUInt32(data, queues + 12),
        };

        var end = offset + length;
        var attribute = offset + MessageLength;
        while (attribute < end)
        {
            var remaining = end - attribute;
            if (remaining < 4)
            {
                throw new NetlinkParseException($"{remaining} bytes left at attribute offset {attribute - offset}, too few for an attribute header.");
            }

            var attributeLength = BitConverter.ToUInt16(data, attribute);
            if (attributeLength < 4 || attributeLength > remaining)
            {
                throw new NetlinkParseException($"the attribute at offset {attribute - offset} gives a length of {attributeLength} bytes, but {remaining} remain.");
            }

            if ((BitConverter.ToUInt16(data, attribute + 2) & NLA_TYPE_MASK) == INET_DIAG_SKV6ONLY)
            {
                if (attributeLength < 5)
                {
                    throw new NetlinkParseException("INET_DIAG_SKV6ONLY holds no byte.");
                }

                message.V6Only = data[attribute + 4] != 0;
            }

            attribute += Math.Min(NetlinkReader.Align(attributeLength), remaining);
        }

        return message;
    }

    /// <summary>Addresses in network order.</summary>
    private static IPAddress ReadAddress(byte[] data, int offset, int length)
    {
        if (length == 4)
        {
            // IPAddress(long) takes the first byte of the address in the lowest bits; no array to allocate.
            return new IPAddress((long)(uint)(data[offset] | (data[offset + 1] << 8) | (data[offset + 2] << 16) | (data[offset + 3] << 24)));
        }

        var bytes = new byte[16];
        Buffer.BlockCopy(data, offset, bytes, 0, 16);
        return new IPAddress(bytes);
    }

    private static void WriteUInt32(byte[] data, int offset, uint value)
    {
        data[offset] = (byte)value;
        data[offset + 1] = (byte)(value >> 8);
        data[offset + 2] = (byte)(value >> 16);
        data[offset + 3] = (byte)(value >> 24);
    }
}

using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace PSLoopback.Platform.Linux.Netlink;

/// <summary>
/// Splits netlink datagrams into messages and messages into attributes. Every length is checked against the
/// bytes at hand, so a truncated or corrupt buffer ends in a NetlinkParseException, never an index error or
/// a loop that does not end (each step moves forward by at least one header).
/// </summary>
public static class NetlinkReader
{
    [MethodImpl(HotPath.Optimized)]
    public static IReadOnlyList<NetlinkMessage> ReadMessages(byte[] buffer, int length)
    {
        if (buffer is null)
        {
            throw new ArgumentNullException(nameof(buffer));
        }

        if (length < 0 || length > buffer.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(length));
        }

        var messages = new List<NetlinkMessage>();
        var offset = 0;
        while (offset < length)
        {
            var remaining = length - offset;
            if (remaining < NetlinkConstants.HeaderLength)
            {
                throw new NetlinkParseException($"{remaining} bytes left at offset {offset}, too few for a {NetlinkConstants.HeaderLength}-byte header.");
            }

            var messageLength = BitConverter.ToUInt32(buffer, offset);
            if (messageLength < NetlinkConstants.HeaderLength || messageLength > remaining)
            {
                throw new NetlinkParseException($"the header at offset {offset} gives a length of {messageLength} bytes, but {remaining} remain.");
            }

            var payload = new byte[messageLength - NetlinkConstants.HeaderLength];
            Buffer.BlockCopy(buffer, offset + NetlinkConstants.HeaderLength, payload, 0, payload.Length);
            messages.Add(new NetlinkMessage(
                type: BitConverter.ToUInt16(buffer, offset + 4),
                flags: BitConverter.ToUInt16(buffer, offset + 6),
                sequence: BitConverter.ToUInt32(buffer, offset + 8),
                portId: BitConverter.ToUInt32(buffer, offset + 12),
                payload: payload));

            offset += Align((int)messageLength);
        }

        return messages;
    }

    /// <summary>The attributes (type, value) that follow a fixed header of <paramref name="start"/> bytes.</summary>
    public static IReadOnlyList<KeyValuePair<ushort, ArraySegment<byte>>> ReadAttributes(byte[] data, int start, int end)
    {
        var cursor = new AttributeCursor(data, start, end);
        var attributes = new List<KeyValuePair<ushort, ArraySegment<byte>>>();
        while (cursor.MoveNext())
        {
            attributes.Add(new KeyValuePair<ushort, ArraySegment<byte>>(cursor.Type, cursor.Value));
        }

        return attributes;
    }

    internal static int Align(int length) => (length + 3) & ~3;
}

using System;
using System.Text;

namespace PSLoopback.Platform.Linux.Netlink;

/// <summary>Reads attribute values of a fixed size or shape, so that every parser judges bytes alike.</summary>
internal static class AttributeValues
{
    public static byte ReadByte(ArraySegment<byte> value, string name)
    {
        RequireLength(value, 1, name);
        return value.Array![value.Offset];
    }

    public static byte[] ReadAddress(ArraySegment<byte> value, int expectedLength, string name)
    {
        if (expectedLength >= 0 && value.Count != expectedLength)
        {
            throw new NetlinkParseException($"{name} is {value.Count} bytes; this address family needs {expectedLength}.");
        }

        return ToArray(value);
    }

    public static ushort ReadUInt16(ArraySegment<byte> value, string name)
    {
        RequireLength(value, 2, name);
        return BitConverter.ToUInt16(value.Array!, value.Offset);
    }

    public static uint ReadUInt32(ArraySegment<byte> value, string name)
    {
        RequireLength(value, 4, name);
        return BitConverter.ToUInt32(value.Array!, value.Offset);
    }

    /// <summary>Kernel strings end in a NUL; a string that fills its attribute without one is still taken whole.</summary>
    public static string ReadString(ArraySegment<byte> value)
    {
        var length = Array.IndexOf(value.Array!, (byte)0, value.Offset, value.Count);
        var count = length < 0 ? value.Count : length - value.Offset;
        return Encoding.UTF8.GetString(value.Array!, value.Offset, count);
    }

    public static void RequireFixedHeader(byte[] payload, int length, string name)
    {
        if (payload is null)
        {
            throw new ArgumentNullException(nameof(payload));
        }

        if (payload.Length < length)
        {
            throw new NetlinkParseException($"the payload is {payload.Length} bytes, too short for struct {name} ({length} bytes).");
        }
    }

    public static void RequireLength(ArraySegment<byte> value, int length, string name)
    {
        if (value.Count < length)
        {
            throw new NetlinkParseException($"{name} is {value.Count} bytes; at least {length} are needed.");
        }
    }

    public static byte[] ToArray(ArraySegment<byte> segment)
    {
        var copy = new byte[segment.Count];
        Buffer.BlockCopy(segment.Array!, segment.Offset, copy, 0, segment.Count);
        return copy;
    }

    /// <summary>A prefix longer than the family's address would otherwise only fail later, far from the bytes.</summary>
    public static void RequirePrefixLength(byte length, int addressLength, string name)
    {
        if (addressLength >= 0 && length > addressLength * 8)
        {
            throw new NetlinkParseException($"{name} is {length}, longer than this address family's {addressLength * 8} bits.");
        }
    }
}

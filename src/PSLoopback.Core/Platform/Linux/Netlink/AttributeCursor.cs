using System;
using System.Runtime.CompilerServices;

namespace PSLoopback.Platform.Linux.Netlink;

/// <summary>
/// Walks the attributes of a range in place, one at a time, with the checks of
/// <see cref="NetlinkReader.ReadAttributes"/> but no list: a link message carries some forty attributes, of which
/// a parser keeps a dozen.
/// </summary>
internal struct AttributeCursor
{
    private readonly byte[] data;
    private readonly int end;
    private int offset;

    public AttributeCursor(byte[] data, int start, int end)
    {
        if (data is null)
        {
            throw new ArgumentNullException(nameof(data));
        }

        if (start < 0 || end > data.Length || start > end)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"The range {start}..{end} does not lie within the {data.Length} bytes given.");
        }

        this.data = data;
        this.end = end;
        offset = start;
        Type = 0;
        Value = default;
    }

    /// <summary>The current attribute's type, without the nested and byte-order flags.</summary>
    public ushort Type { get; private set; }

    public ArraySegment<byte> Value { get; private set; }

    /// <summary>Steps to the next attribute; false at the end of the range. A length that does not fit throws.</summary>
    [MethodImpl(HotPath.Optimized)]
    public bool MoveNext()
    {
        if (offset >= end)
        {
            return false;
        }

        var remaining = end - offset;
        if (remaining < 4)
        {
            throw new NetlinkParseException($"{remaining} bytes left at attribute offset {offset}, too few for an attribute header.");
        }

        var attributeLength = BitConverter.ToUInt16(data, offset);
        if (attributeLength < 4 || attributeLength > remaining)
        {
            throw new NetlinkParseException($"the attribute at offset {offset} gives a length of {attributeLength} bytes, but {remaining} remain.");
        }

        Type = (ushort)(BitConverter.ToUInt16(data, offset + 2) & NetlinkConstants.NLA_TYPE_MASK);
        Value = new ArraySegment<byte>(data, offset + 4, attributeLength - 4);
        offset += NetlinkReader.Align(attributeLength);
        return true;
    }
}

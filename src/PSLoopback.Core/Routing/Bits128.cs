using System.Runtime.CompilerServices;

namespace PSLoopback.Routing;

/// <summary>Bit arithmetic on 128-bit values held as two numbers, most significant first (an IPv4 address sits in the
/// top 32 bits of the first), shared by the prefix tables and source selection.</summary>
internal static class Bits128
{
    public static ulong MaskHigh(int length) => length >= 64 ? ulong.MaxValue : ~(ulong.MaxValue >> length);

    public static ulong MaskLow(int length) => length >= 128 ? ulong.MaxValue : length <= 64 ? 0 : ~(ulong.MaxValue >> (length - 64));

    public static int CommonLength(ulong aHigh, ulong aLow, ulong bHigh, ulong bLow)
    {
        var difference = aHigh ^ bHigh;
        if (difference != 0)
        {
            return LeadingZeros(difference);
        }

        difference = aLow ^ bLow;
        return difference == 0 ? 128 : 64 + LeadingZeros(difference);
    }

    // netstandard2.0 has no BitOperations: five halving steps, not a loop per bit.
    public static int LeadingZeros(ulong value)
    {
        var count = 0;
        for (var shift = 32; shift > 0; shift >>= 1)
        {
            if (value >> (64 - shift) == 0)
            {
                count += shift;
                value <<= shift;
            }
        }

        return count;
    }

    /// <summary>The number of set bits, branch-free (netstandard2.0 has no popcount intrinsic; this is the
    /// usual SWAR sum, a dozen arithmetic steps). Inlined on request: its 64-bit constants make it look too big to
    /// the JIT, and a call would cost as much as the count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int PopCount(ulong value)
    {
        value -= (value >> 1) & 0x5555555555555555UL;
        value = (value & 0x3333333333333333UL) + ((value >> 2) & 0x3333333333333333UL);
        value = (value + (value >> 4)) & 0x0F0F0F0F0F0F0F0FUL;
        return (int)((value * 0x0101010101010101UL) >> 56);
    }
}

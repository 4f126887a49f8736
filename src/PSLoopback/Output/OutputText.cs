using System;
using System.Globalization;
using System.Net;
using PSLoopback.Addressing;

namespace PSLoopback.Output;

/// <summary>How output objects write values: addresses and prefixes as their usual text, enums as names.</summary>
internal static class OutputText
{
    /// <summary>RFC 4861's infinity: what Linux (ip -j) and the neighbour-discovery wire format use for "forever".</summary>
    public const long Forever = uint.MaxValue;

    public static string? Of(IPAddress? address) => address?.ToString();

    public static string? Of(IPPrefix? prefix) => prefix?.ToString();

    public static string? Of<T>(T? value)
        where T : struct, Enum => value?.ToString();

    public static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static long? Seconds(TimeSpan? lifetime) =>
        lifetime is TimeSpan span ? span == TimeSpan.MaxValue ? Forever : (long)span.TotalSeconds : null;
}

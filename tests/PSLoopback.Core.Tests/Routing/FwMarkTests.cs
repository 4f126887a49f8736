using System;
using System.Globalization;
using PSLoopback.Routing;

namespace PSLoopback.Core.Tests.Routing;

public class FwMarkTests
{
    [Theory]
    [InlineData("0", 0u)]
    [InlineData("1", 1u)]
    [InlineData("4294967295", 4294967295u)]
    [InlineData(" 42 ", 42u)]
    [InlineData("0x1", 1u)]
    [InlineData("0xFFFFFFFF", 0xFFFFFFFFu)]
    [InlineData("0xffffffff", 0xFFFFFFFFu)]
    [InlineData("0XfF", 0xFFu)]
    [InlineData("0x0", 0u)]
    [InlineData("0x00000010", 0x10u)]
    [InlineData("010", 10u)]
    public void ReadsDecimalAndHexText(string text, uint expected)
    {
        Assert.True(FwMark.TryParse(text, out var mark));
        Assert.Equal(expected, mark);
        Assert.Equal(expected, FwMark.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("0x")]
    [InlineData("0x100000000")]
    [InlineData("4294967296")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData("1/0xff")]
    [InlineData("0x1/0xff")]
    [InlineData("1,000")]
    [InlineData("1.5")]
    [InlineData("mark")]
    [InlineData("0xG")]
    public void RefusesOtherText(string text)
    {
        Assert.False(FwMark.TryParse(text, out _));
        var error = Assert.Throws<FormatException>(() => FwMark.Parse(text));
        Assert.Contains($"'{text}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("0xFFFFFFFF", error.Message, StringComparison.Ordinal);
        Assert.Contains("4294967295", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TakesANegativeInt32AsItsBitsBecausePowerShellReadsHexLiteralsSo()
    {
        // PowerShell: 0xFFFFFFFF is [int]-1, 0x80000000 is [int]::MinValue.
        Assert.Equal(0xFFFFFFFFu, FwMark.Parse(-1));
        Assert.Equal(0x80000000u, FwMark.Parse(int.MinValue));
        Assert.Equal(0x7FFFFFFFu, FwMark.Parse(int.MaxValue));
        Assert.Equal(5u, FwMark.Parse(5));
    }

    [Fact]
    public void TakesOtherIntegralNumbersInRange()
    {
        Assert.Equal(4294967295u, FwMark.Parse(4294967295L));
        Assert.Equal(4294967295u, FwMark.Parse(uint.MaxValue));
        Assert.Equal(4294967295u, FwMark.Parse(4294967295UL));
        Assert.Equal(255u, FwMark.Parse((byte)255));
        Assert.Equal(7u, FwMark.Parse((short)7));
        Assert.Equal(7u, FwMark.Parse((ushort)7));
        Assert.Equal(100u, FwMark.Parse(100m));
        Assert.Equal(4294967295u, FwMark.Parse(4294967295d));
        Assert.Equal(3u, FwMark.Parse(3f));
    }

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void RefusesOtherNumbers(object value)
    {
        Assert.False(FwMark.TryParse(value, out _));
        var error = Assert.Throws<FormatException>(() => FwMark.Parse(value));
        Assert.Contains(Convert.ToString(value, CultureInfo.CurrentCulture)!, error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<object> OutOfRange() => new()
    {
        4294967296L, -1L, (short)-1, (sbyte)-1, ulong.MaxValue, 1.5d, -1d, double.NaN, 4294967296d, 0.5m, -3m,
        true, 'a', DayOfWeek.Monday, new object(), new[] { 1, 2 },
    };

    [Fact]
    public void RefusesNothing()
    {
        Assert.False(FwMark.TryParse(null, out _));
        Assert.Contains("'null'", Assert.Throws<FormatException>(() => FwMark.Parse(null)).Message, StringComparison.Ordinal);
    }
}

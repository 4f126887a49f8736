using System;
using System.Globalization;

namespace PSLoopback.Routing;

/// <summary>
/// Reads a firewall mark (ip route get's "mark", a 32-bit number) in the forms people type: decimal 0 to
/// 4294967295, hex with 0x or 0X, or a number of any integral type. ip route get takes no mask, so neither
/// does this.
/// </summary>
public static class FwMark
{
    public const string AcceptedForms = "a number from 0 to 4294967295, in decimal (4294967295) or hex (0xFFFFFFFF)";

    /// <summary>
    /// True when <paramref name="value"/> is a mark. A negative Int32 is taken as its 32 bits: PowerShell reads
    /// the literals 0x80000000 to 0xFFFFFFFF as the Int32 values int.MinValue to -1, so -1 is what arrives when a
    /// user types 0xFFFFFFFF, and 0xFFFFFFFF is what they meant. Negative numbers of other types are refused.
    /// </summary>
    public static bool TryParse(object? value, out uint mark)
    {
        mark = 0;
        switch (value)
        {
            case null:
                return false;
            case uint number:
                mark = number;
                return true;
            case int number:
                mark = unchecked((uint)number);
                return true;
            case string text:
                return TryParseText(text, out mark);
            case char:
            case bool:
            case Enum:
                return false;
            case double or float:
                return TryFromDouble(Convert.ToDouble(value, CultureInfo.InvariantCulture), out mark);
            case IConvertible convertible:
                return TryFromDecimal(convertible, out mark);
            default:
                return false;
        }
    }

    /// <summary>The mark <paramref name="value"/> stands for; a FormatException naming it and the accepted forms otherwise.</summary>
    public static uint Parse(object? value) =>
        TryParse(value, out var mark)
            ? mark
            : throw new FormatException($"'{value ?? "null"}' is not a firewall mark: give {AcceptedForms}.");

    private static bool TryParseText(string text, out uint mark)
    {
        mark = 0;
        var trimmed = text.Trim();
        if (trimmed.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            var digits = trimmed.Substring(2);
            return digits.Length > 0 && uint.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out mark);
        }

        // NumberStyles.None: no sign, no spaces inside, no thousands separators; plain digits only.
        return trimmed.Length > 0 && uint.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out mark);
    }

    private static bool TryFromDouble(double number, out uint mark)
    {
        mark = 0;
        if (double.IsNaN(number) || number < 0 || number > uint.MaxValue || Math.Floor(number) != number)
        {
            return false;
        }

        mark = (uint)number;
        return true;
    }

    private static bool TryFromDecimal(IConvertible convertible, out uint mark)
    {
        mark = 0;
        decimal number;
        try
        {
            number = convertible.ToDecimal(CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is InvalidCastException or OverflowException or FormatException)
        {
            return false;
        }

        if (number < 0 || number > uint.MaxValue || decimal.Truncate(number) != number)
        {
            return false;
        }

        mark = (uint)number;
        return true;
    }
}

using System;
using System.Globalization;

namespace PSLoopback.Routing;

/// <summary>The routing table numbers Linux names (/etc/iproute2/rt_tables), and their names.</summary>
public static class RouteTables
{
    public const uint Unspecified = 0;
    public const uint Default = 253;
    public const uint Main = 254;
    public const uint Local = 255;

    public static string Name(uint table) => table switch
    {
        Default => "default",
        Main => "main",
        Local => "local",
        _ => table.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Reads "main", "local", "default" or a number.</summary>
    public static bool TryParse(string? text, out uint table)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "main":
                table = Main;
                return true;
            case "local":
                table = Local;
                return true;
            case "default":
                table = Default;
                return true;
            default:
                return uint.TryParse(text?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out table);
        }
    }

    public static uint Parse(string text) =>
        TryParse(text, out var table)
            ? table
            : throw new FormatException($"'{text}' is not a routing table: give main, local, default or a number.");
}

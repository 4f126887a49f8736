using System;
using System.Text;

namespace PSLoopback.Output;

/// <summary>
/// Word wrapping for the views. PowerShell's formatter breaks a line that is too wide at any character,
/// which splits addresses (fd00::2/6 + 4); the views wrap their lines here first, between words, at a width
/// that fits an 80-column terminal, so no value is ever split.
/// </summary>
public static class Wrap
{
    /// <summary>What fits an 80-column terminal: the formatter needs one column of its own.</summary>
    public const int Width = 79;

    /// <summary>The text in lines of at most <see cref="Width"/> characters; lines after the first are indented.</summary>
    public static string Lines(string? text, int indent) => Lines(text, indent, Width);

    /// <summary>
    /// The text in lines of at most <paramref name="width"/> characters, broken at spaces. Each line of the
    /// text keeps its own leading spaces, and the lines it is broken into are indented at least as far.
    /// </summary>
    public static string Lines(string? text, int indent, int width)
    {
        var result = new StringBuilder();
        foreach (var paragraph in (text ?? string.Empty).Split('\n'))
        {
            if (result.Length > 0)
            {
                result.Append('\n');
            }

            AppendWrapped(result, paragraph.TrimEnd(), indent, width);
        }

        return result.ToString();
    }

    /// <summary>
    /// An endpoint as a word for <see cref="Lines(string?, int, int)"/>: as it is when it fits the width; wider, with a
    /// space before its zone (the device after the address, %eth0:53), the one place Lines may then break it, so
    /// the zone and port go on the next line. A long IPv6 address with a device name is wider than a table column
    /// left beside the others in 80 columns, and the formatter would split it anywhere.
    /// </summary>
    public static string Endpoint(string? endpoint, int width)
    {
        var text = endpoint ?? string.Empty;

        // The zone is the '%' after the address: inside the brackets a '%' is the IPv6 scope, part of the address.
        var zone = text.IndexOf('%', text.LastIndexOf(']') + 1);
        return text.Length <= width || zone <= 0 ? text : text.Substring(0, zone) + " " + text.Substring(zone);
    }

    private static void AppendWrapped(StringBuilder result, string paragraph, int indent, int width)
    {
        // An indentation that leaves no room for a word would wrap forever; half the width is the most it takes.
        var lead = Math.Min(paragraph.Length - paragraph.TrimStart(' ').Length, width / 2);
        paragraph = new string(' ', lead) + paragraph.TrimStart(' ');
        var continuation = new string(' ', Math.Min(Math.Max(indent, lead), width / 2));
        var line = paragraph;
        while (line.Length > width)
        {
            // The last space that leaves the line within the width, past the indentation; a word longer than
            // the whole line is left whole rather than split.
            var floor = line.Length - line.TrimStart(' ').Length;
            var space = line.LastIndexOf(' ', width, width - floor + 1);
            if (space <= floor)
            {
                space = line.IndexOf(' ', width);
                if (space < 0)
                {
                    break;
                }
            }

            result.Append(line, 0, space).Append('\n');
            line = continuation + line.Substring(space).TrimStart(' ');
        }

        result.Append(line);
    }
}

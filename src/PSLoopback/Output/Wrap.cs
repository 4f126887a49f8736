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

using System.Collections.Generic;
using System.Text;

namespace PSLoopback.Output;

/// <summary>
/// Word wrapping for the text views. PowerShell's formatter breaks a line that is too wide at any character,
/// which splits addresses (fd00::2/6 + 4); the views wrap their lines here first, between words, at a width
/// that fits an 80-column terminal, so no value is ever split.
/// </summary>
public static class Wrap
{
    /// <summary>What fits an 80-column terminal: the formatter needs one column of its own.</summary>
    public const int Width = 79;

    /// <summary>The text in lines of at most <see cref="Width"/> characters; lines after the first are indented.</summary>
    public static string Lines(string? text, int indent)
    {
        var result = new StringBuilder();
        foreach (var paragraph in (text ?? string.Empty).Split('\n'))
        {
            if (result.Length > 0)
            {
                result.Append('\n');
            }

            AppendWrapped(result, paragraph, indent);
        }

        return result.ToString();
    }

    /// <summary>A paragraph's own leading spaces stay, and its continuation lines are indented at least as far.</summary>
    private static void AppendWrapped(StringBuilder result, string paragraph, int indent)
    {
        var lead = paragraph.Length - paragraph.TrimStart(' ').Length;
        indent = System.Math.Max(indent, lead);
        result.Append(' ', lead);
        var lineLength = lead;
        var first = true;
        foreach (var word in Words(paragraph))
        {
            if (!first && lineLength + 1 + word.Length > Width)
            {
                result.Append('\n').Append(' ', indent);
                lineLength = indent;
            }
            else if (!first)
            {
                result.Append(' ');
                lineLength++;
            }

            result.Append(word);
            lineLength += word.Length;
            first = false;
        }
    }

    private static IEnumerable<string> Words(string text)
    {
        foreach (var word in text.Split(' '))
        {
            if (word.Length > 0)
            {
                yield return word;
            }
        }
    }
}

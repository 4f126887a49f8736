using System;

namespace PSLoopback.Addressing;

/// <summary>What can be a host name at all (RFC 1035 section 2.3.4, RFC 1123 section 2.1), checked before anyone is asked.</summary>
public static class HostName
{
    public const int MaxLength = 253;

    public const int MaxLabelLength = 63;

    /// <summary>
    /// Why <paramref name="name"/> cannot be a host name, naming it; null when it can. One trailing dot (the
    /// root) is allowed. Underscores are allowed, as resolvers accept them (_service names, some hosts).
    /// </summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return "An empty name is not a host name.";
        }

        var text = name!;
        var bare = Canonical(text);
        if (bare.Length == 0)
        {
            return $"'{text}' is only the root: it names no host.";
        }

        if (bare.Length > MaxLength)
        {
            return $"'{Shorten(text)}' is {bare.Length} characters long; a host name has at most {MaxLength}.";
        }

        var labels = bare.Split('.');
        for (var i = 0; i < labels.Length; i++)
        {
            var label = labels[i];
            if (label.Length == 0)
            {
                return $"'{Shorten(text)}' has an empty label (two dots in a row, or a leading dot).";
            }

            if (label.Length > MaxLabelLength)
            {
                return $"'{Shorten(text)}' has a label of {label.Length} characters ('{Shorten(label)}'); a label has at most {MaxLabelLength}.";
            }

            foreach (var c in label)
            {
                if (c > 0x7f)
                {
                    return $"'{Shorten(text)}' has the non-ASCII character '{c}': write an internationalized name in its ASCII (xn--) form.";
                }

                if (!(char.IsLetterOrDigit(c) || c == '-' || c == '_'))
                {
                    return $"'{Shorten(text)}' has the character '{Printable(c)}', which no host name has (letters, digits, '-' and '_' only).";
                }
            }

            if (label[0] == '-' || label[label.Length - 1] == '-')
            {
                return $"'{Shorten(text)}' has the label '{label}', which starts or ends with '-'.";
            }
        }

        // RFC 1123 2.1: the top label is never all digits, so a dotted number (1.2.3.4.5, 10.1, 010.0.0.1)
        // is never a name; sent to DNS it would only come back as "not found", or be read as an address.
        if (IsDigits(labels[labels.Length - 1]))
        {
            return $"'{Shorten(text)}' is not an IP address (IPv4 is four decimal numbers 0-255 without leading zeros, such as 127.0.0.1) and, ending in a number, cannot be a host name.";
        }

        return null;
    }

    /// <summary>The name without its root dot: "localhost." and "localhost" are the same name.</summary>
    public static string Canonical(string name)
    {
        var trimmed = name.Trim();
        return trimmed.EndsWith(".", StringComparison.Ordinal) ? trimmed.Substring(0, trimmed.Length - 1) : trimmed;
    }

    private static bool IsDigits(string label)
    {
        foreach (var c in label)
        {
            if (c < '0' || c > '9')
            {
                return false;
            }
        }

        return true;
    }

    private static string Printable(char c) => c < 0x20 || c == 0x7f ? $"\\x{(int)c:x2}" : c.ToString();

    /// <summary>A long input named in a message is cut, so the message stays readable.</summary>
    private static string Shorten(string text) => text.Length <= 80 ? text : text.Substring(0, 60) + "...(" + text.Length + " characters)";
}

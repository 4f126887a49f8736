using System;

namespace PSLoopback.Addressing;

/// <summary>Names that mean this host by definition (RFC 6761 section 6.3): localhost and anything under it.</summary>
public static class LoopbackNames
{
    public static bool IsLoopbackName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return false;
        }

        var trimmed = name!.Trim().TrimEnd('.');
        return string.Equals(trimmed, "localhost", StringComparison.OrdinalIgnoreCase)
            || trimmed.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);
    }
}

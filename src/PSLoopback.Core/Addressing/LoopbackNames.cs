using System;

namespace PSLoopback.Addressing;

/// <summary>
/// Names that mean this host by definition (RFC 6761 section 6.3): localhost and every name under .localhost,
/// in any case, with or without the root dot. They are answered on this host and never sent to DNS.
/// </summary>
public static class LoopbackNames
{
    public static bool IsLoopbackName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return false;
        }

        var bare = HostName.Canonical(name!);
        return string.Equals(bare, "localhost", StringComparison.OrdinalIgnoreCase)
            || (bare.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase) && bare.Length > ".localhost".Length && bare[bare.Length - ".localhost".Length - 1] != '.');
    }

    /// <summary>localhost itself, as opposed to a name under it (app.localhost).</summary>
    public static bool IsLocalhost(string name) => string.Equals(HostName.Canonical(name), "localhost", StringComparison.OrdinalIgnoreCase);
}

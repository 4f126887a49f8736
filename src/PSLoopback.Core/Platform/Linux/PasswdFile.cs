using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace PSLoopback.Platform.Linux;

/// <summary>User names by uid from /etc/passwd (name:password:uid:...); the first line for a uid wins, as getpwuid's does.</summary>
public static class PasswdFile
{
    public static IReadOnlyDictionary<uint, string> Parse(TextReader reader)
    {
        var names = new Dictionary<uint, string>();
        const int MaxLines = 1_000_000;
        string? line;
        for (var count = 0; count < MaxLines && (line = reader.ReadLine()) is not null; count++)
        {
            var fields = line.Split(':');
            if (fields.Length < 3 || fields[0].Length == 0 || fields[0][0] == '#' || fields[0][0] == '+' || fields[0][0] == '-')
            {
                continue;
            }

            if (uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var uid) && !names.ContainsKey(uid))
            {
                names.Add(uid, fields[0]);
            }
        }

        return names;
    }

    /// <summary>The names of the file at <paramref name="path"/>; none when it cannot be read (the names then stay unknown).</summary>
    public static IReadOnlyDictionary<uint, string> Read(string path = "/etc/passwd")
    {
        try
        {
            using var reader = new StreamReader(path);
            return Parse(reader);
        }
        catch (IOException)
        {
            return new Dictionary<uint, string>();
        }
        catch (System.UnauthorizedAccessException)
        {
            return new Dictionary<uint, string>();
        }
    }
}

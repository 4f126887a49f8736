using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using PSLoopback.Platform.Windows.Native;

namespace PSLoopback.Core.Tests.Platform.Windows;

/// <summary>
/// The C# declarations of the IP Helper structures against the Windows SDK headers that mingw-w64 ships: the
/// sizeof and offsetof of every declared field, as <see cref="MingwHeaders"/> reads them from the compiler.
/// </summary>
public class NativeLayoutTests
{
    [MingwFact]
    public void EveryDeclaredStructureHasTheSizeAndFieldOffsetsOfTheWindowsHeaders()
    {
        var checks = Checks().ToList();
        Assert.Contains(checks, c => c.Name == "sizeof(MIB_IPFORWARD_ROW2)");

        var measured = MingwHeaders.Evaluate(checks.Select(c => (c.C, (string?)null)).ToList());
        var wrong = checks
            .Select((c, i) => (c.Name, c.Expected, Actual: measured.TryGetValue(i, out var value) ? value : -1))
            .Where(c => c.Expected != c.Actual)
            .Select(c => $"{c.Name}: C# {c.Expected}, the headers {c.Actual}")
            .ToList();
        Assert.True(wrong.Count == 0, "Layouts differ:\n" + string.Join("\n", wrong));
    }

    /// <summary>Each declared structure's size and every field's offset, with the C expression that measures it.</summary>
    private static IEnumerable<(string Name, string C, long Expected)> Checks()
    {
        var structures = typeof(IpHelper).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(IpHelper).Namespace && t.IsValueType && !t.IsEnum)
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .ToList();
        Assert.True(structures.Count >= 12, "found only " + string.Join(", ", structures.Select(t => t.Name)));

        foreach (var type in structures)
        {
            yield return ($"sizeof({type.Name})", $"sizeof({type.Name})", Marshal.SizeOf(type));
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            {
                var member = CMember(type, field.Name);
                yield return ($"offsetof({type.Name}, {member})", $"offsetof({type.Name}, {member})", Marshal.OffsetOf(type, field.Name).ToInt64());
            }
        }

        // The codec's own numbers for SOCKADDR_IN, the union member C# does not declare.
        yield return ("sizeof(SOCKADDR_IN)", "sizeof(SOCKADDR_IN)", PSLoopback.Platform.Windows.Sockaddr.Ipv4Length);
        yield return ("offsetof(SOCKADDR_INET, Ipv4.sin_addr)", "offsetof(SOCKADDR_INET, Ipv4.sin_addr)", PSLoopback.Platform.Windows.Sockaddr.Ipv4AddressOffset);
    }

    /// <summary>SOCKADDR_INET is declared as its SOCKADDR_IN6 member, whose fields C names through Ipv6.</summary>
    private static string CMember(Type type, string field) =>
        type == typeof(SOCKADDR_INET) && field.StartsWith("sin6_", StringComparison.Ordinal) ? "Ipv6." + field : field;
}

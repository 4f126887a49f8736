using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using PSLoopback.Platform.Windows.Native;

namespace PSLoopback.Core.Tests.Platform.Windows;

/// <summary>
/// The C# declarations of the IP Helper structures against the Windows SDK headers that mingw-w64 ships:
/// a C file asks sizeof and offsetof of every declared field, the compiler turns each answer into a constant
/// of its assembly listing (-S), and nothing has to run on Windows or under Wine to read them.
/// </summary>
public class NativeLayoutTests
{
    private const string Prologue = """
        #define _WIN32_WINNT 0x0A00
        #define NTDDI_VERSION 0x0A000000
        #include <winsock2.h>
        #include <ws2ipdef.h>
        #include <iphlpapi.h>
        #include <netioapi.h>
        #include <stddef.h>

        """;

    [MingwFact]
    public void EveryDeclaredStructureHasTheSizeAndFieldOffsetsOfTheWindowsHeaders()
    {
        var checks = Checks().ToList();
        Assert.Contains(checks, c => c.Name == "sizeof(MIB_IPFORWARD_ROW2)");

        var source = new StringBuilder(Prologue);
        for (var i = 0; i < checks.Count; i++)
        {
            source.Append("const unsigned long long layout_").Append(i).Append(" = ").Append(checks[i].C).Append(";\n");
        }

        var measured = Compile(source.ToString());
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

    private static Dictionary<int, long> Compile(string source)
    {
        var directory = Directory.CreateTempSubdirectory("psloopback-layout-");
        try
        {
            var input = Path.Combine(directory.FullName, "layout.c");
            var output = Path.Combine(directory.FullName, "layout.s");
            File.WriteAllText(input, source);
            var start = new ProcessStartInfo(MingwFactAttribute.Compiler!, new[] { "-S", "-o", output, input })
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            using var compiler = Process.Start(start)!;
            var errors = compiler.StandardError.ReadToEndAsync();
            compiler.StandardOutput.ReadToEnd();
            if (!compiler.WaitForExit(60_000))
            {
                compiler.Kill();
                Assert.Fail("the compiler took more than 60 s");
            }

            Assert.True(compiler.ExitCode == 0, "the compiler failed:\n" + errors.Result);
            // A constant is ".quad N", or ".space 8" (eight zero bytes) when it is 0.
            return Regex.Matches(File.ReadAllText(output), @"^layout_(\d+):\s*\n\s*\.(?:quad\s+(\d+)|space\s+8|zero\s+8)\s*$", RegexOptions.Multiline)
                .ToDictionary(m => int.Parse(m.Groups[1].Value), m => m.Groups[2].Success ? long.Parse(m.Groups[2].Value) : 0);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}

using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace PSLoopback.Core.Tests.Platform.Windows;

/// <summary>
/// Asks mingw-w64's Windows SDK headers for the value of C expressions, without running anything on Windows
/// or under Wine: a C file gives each expression to a constant, and the compiler writes each constant's value
/// into its assembly listing (-S), where this reads it. Needs <see cref="MingwFactAttribute.Compiler"/>.
/// </summary>
internal static class MingwHeaders
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

    /// <summary>
    /// The value of each expression, by its position in the list, as a signed 64-bit integer. An expression
    /// with an <c>IfDefined</c> macro name is only evaluated where the headers define that name; otherwise its
    /// position is missing from the answer.
    /// </summary>
    public static Dictionary<int, long> Evaluate(IReadOnlyList<(string C, string? IfDefined)> expressions)
    {
        var source = new StringBuilder(Prologue);
        for (var i = 0; i < expressions.Count; i++)
        {
            var (c, ifDefined) = expressions[i];
            if (ifDefined is not null)
            {
                source.Append("#ifdef ").Append(ifDefined).Append('\n');
            }

            source.Append("const long long value_").Append(i).Append(" = (long long)(").Append(c).Append(");\n");
            if (ifDefined is not null)
            {
                source.Append("#endif\n");
            }
        }

        return Compile(source.ToString());
    }

    private static Dictionary<int, long> Compile(string source)
    {
        var directory = Directory.CreateTempSubdirectory("psloopback-headers-");
        try
        {
            var input = Path.Combine(directory.FullName, "values.c");
            var output = Path.Combine(directory.FullName, "values.s");
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
            // A constant is ".quad N" (signed), or ".space 8" / ".zero 8" (eight zero bytes) when it is 0.
            return Regex.Matches(File.ReadAllText(output), @"^value_(\d+):\s*\n\s*\.(?:quad\s+(-?\d+)|space\s+8|zero\s+8)\s*$", RegexOptions.Multiline)
                .ToDictionary(m => int.Parse(m.Groups[1].Value), m => m.Groups[2].Success ? long.Parse(m.Groups[2].Value) : 0);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}

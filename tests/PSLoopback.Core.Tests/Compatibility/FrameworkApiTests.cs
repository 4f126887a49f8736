using System;
using System.IO;
using System.Linq;
using System.Reflection;

namespace PSLoopback.Core.Tests.Compatibility;

/// <summary>
/// Windows PowerShell 5.1 runs on .NET Framework, which loads the module's netstandard2.0 assemblies
/// through its netstandard.dll facade (in the framework from 4.7.1; 4.7.2 is the version the module asks
/// for). Compiling against netstandard2.0 does not prove they run there: every type and member they use
/// must be defined, under the same signature, where the facade forwards it. This checks that against the
/// .NET Framework 4.7.2 reference assemblies. System.Management.Automation is out of scope:
/// PowerShellStandard.Library, which the cmdlets compile against, is the Windows PowerShell 5.1 surface by
/// design. Reference assemblies say what exists, not what works: an API that is there but throws
/// PlatformNotSupportedException on Windows is beyond this test, and so are types named only as text inside
/// attribute arguments (typeof in an attribute), which the runtime looks up by name when asked.
/// </summary>
public class FrameworkApiTests
{
    private const string Framework = ".NET Framework 4.7.2";

    private static readonly string[] OutOfScope = ["System.Management.Automation"];

    // What build.ps1 stages into out/PSLoopback, built from the same projects and copied beside the tests.
    private static readonly string[] Shipped =
        [Path.Combine(AppContext.BaseDirectory, "PSLoopback.Core.dll"), Path.Combine(AppContext.BaseDirectory, "PSLoopback.dll")];

    [Fact]
    public void TheShippedAssembliesUseOnlyTypesAndMembersNetFramework472Has()
    {
        using var framework = Net472();
        var report = FrameworkApiCheck.Run(framework, Shipped, OutOfScope);

        Assert.True(report.Problems.Count == 0,
            $"{Framework} cannot satisfy {report.Problems.Count} of the shipped assemblies' references:{Environment.NewLine}{string.Join(Environment.NewLine, report.Problems)}");
        // Only netstandard: a package assembly (System.Memory, System.Buffers, ...) would be a problem above,
        // being neither the framework's nor shipped by build.ps1.
        Assert.Equal(["netstandard"], report.FrameworkAssemblies);
        Assert.True(report.CheckedTypes.Count >= 100 && report.CheckedMembers.Count >= 300,
            $"only {report.CheckedTypes.Count} types and {report.CheckedMembers.Count} members checked: the shipped assemblies make far more references");
        Assert.True(report.OutOfScopeReferences > 0, "the cmdlets' references to System.Management.Automation were not recognised");
    }

    [Fact]
    public void FindsEachKindOfReferenceNet472LacksAndPassesTheNearOnesItHas()
    {
        using var framework = Net472();
        var report = FrameworkApiCheck.Run(framework, [typeof(ApisNet472Lacks).Assembly.Location], []);

        string[] lacking =
        [
            "instance System.Boolean System.String::Contains(System.Char)",
            "instance System.Boolean System.Collections.Generic.Dictionary`2<System.String, System.Int32>::TryAdd(!0, !1)",
            "instance System.Void System.Collections.Generic.Dictionary`2<System.String, System.Int32>::.ctor(System.Collections.Generic.IEnumerable`1<System.Collections.Generic.KeyValuePair`2<!0, !1>>)",
            "instance System.Boolean System.Type::get_IsByRefLike()",
            "field System.DateTime System.DateTime::UnixEpoch",
            "type System.Index is not in",
            "assembly System.Runtime 10.0.0.0 is newer than .NET Framework 4.7.2's 4.",
        ];
        string[] presentMembers =
        [
            "instance System.Boolean System.String::Contains(System.String)",
            "instance System.Void System.Collections.Generic.HashSet`1<System.Int32>::.ctor(System.Int32)",
            "instance System.Boolean System.Type::get_IsArray()",
            "field System.String System.String::Empty",
        ];
        const string presentNestedType = "System.Collections.Generic.Dictionary`2/Enumerator";
        Assert.All(lacking, text => Assert.Contains(report.Problems, p => p.Contains(text, StringComparison.Ordinal)));
        Assert.All(presentMembers, text => Assert.Contains(text, report.CheckedMembers));
        Assert.Contains(presentNestedType, report.CheckedTypes);
        Assert.All(presentMembers.Append(presentNestedType), text => Assert.DoesNotContain(report.Problems, p => p.Contains(text, StringComparison.Ordinal)));
    }

    private static FrameworkReferenceAssemblies Net472()
    {
        var directory = typeof(FrameworkApiTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "Net472ReferenceAssemblies").Value!;
        Assert.True(File.Exists(Path.Combine(directory, "Facades", "netstandard.dll")), $"no .NET Framework 4.7.2 reference assemblies at {directory}");
        return new FrameworkReferenceAssemblies(Framework, directory);
    }
}

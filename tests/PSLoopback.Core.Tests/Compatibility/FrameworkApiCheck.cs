using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace PSLoopback.Core.Tests.Compatibility;

/// <summary>
/// Reads every assembly, type and member reference that a set of assemblies makes outside itself and
/// resolves each against a framework's reference assemblies, as the runtime binds them when the code runs:
/// a type by namespace and name through type forwards to the assembly that defines it, a member by name
/// and whole signature on that type.
/// </summary>
internal static class FrameworkApiCheck
{
    private enum Scope
    {
        Framework,
        Own,
        OutOfScope,
        Unknown,
    }

    /// <param name="framework">The framework the assemblies must run on.</param>
    /// <param name="paths">The assemblies, shipped together: references among them are not the framework's.</param>
    /// <param name="outOfScope">Assembly names whose references are not checked.</param>
    public static FrameworkApiReport Run(FrameworkReferenceAssemblies framework, IReadOnlyCollection<string> paths, IReadOnlyCollection<string> outOfScope)
    {
        var problems = new SortedSet<string>(StringComparer.Ordinal);
        var frameworkAssemblies = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
        var types = new SortedSet<string>(StringComparer.Ordinal);
        var members = new SortedSet<string>(StringComparer.Ordinal);
        var skipped = 0;
        var pes = paths.Select(p => new PEReader(File.OpenRead(p))).ToList();
        try
        {
            var readers = pes.Select(pe => pe.GetMetadataReader()).ToList();
            var names = readers.Select(r => r.GetString(r.GetAssemblyDefinition().Name)).ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (var (reader, path) in readers.Zip(paths))
            {
                var file = Path.GetFileName(path);
                var scopes = new Dictionary<AssemblyReferenceHandle, Scope>();
                foreach (var handle in reader.AssemblyReferences)
                {
                    var reference = reader.GetAssemblyReference(handle);
                    var name = reader.GetString(reference.Name);
                    var found = framework.Assembly(name);
                    var scope = names.Contains(name) ? Scope.Own : outOfScope.Contains(name) ? Scope.OutOfScope : found is null ? Scope.Unknown : Scope.Framework;
                    scopes[handle] = scope;
                    if (scope == Scope.Framework)
                    {
                        frameworkAssemblies.Add(name);
                        if (reference.Version > found!.Version)
                        {
                            problems.Add($"{file}: assembly {name} {reference.Version} is newer than {framework.Name}'s {found.Version}");
                        }
                    }
                    else if (scope == Scope.Unknown)
                    {
                        // A package's assembly (System.Memory, System.Buffers, ...) is not the framework's: it would
                        // have to be shipped beside the module, and be one of the checked assemblies.
                        problems.Add($"{file}: assembly {name} {reference.Version} is not part of {framework.Name}, nor one of the checked assemblies");
                    }
                }

                Scope ScopeOf(TypeReferenceHandle handle)
                {
                    var scope = reader.GetTypeReference(handle).ResolutionScope;
                    while (scope.Kind == HandleKind.TypeReference)
                    {
                        scope = reader.GetTypeReference((TypeReferenceHandle)scope).ResolutionScope;
                    }

                    // The module itself or another module of it: the assembly's own types.
                    return scope.Kind == HandleKind.AssemblyReference ? scopes[(AssemblyReferenceHandle)scope] : Scope.Own;
                }

                foreach (var handle in reader.TypeReferences)
                {
                    var scope = ScopeOf(handle);
                    if (scope == Scope.OutOfScope)
                    {
                        skipped++;
                    }
                    else if (scope == Scope.Framework)
                    {
                        var typeName = SignatureText.TypeName(reader, handle);
                        types.Add(typeName);
                        var resolved = framework.Resolve(reader, handle);
                        if (resolved.Failure is not null)
                        {
                            problems.Add($"{file}: type {typeName} is not in {framework.Name} ({resolved.Failure})");
                        }
                    }
                }

                foreach (var handle in reader.MemberReferences)
                {
                    var member = reader.GetMemberReference(handle);
                    if (FrameworkParent(reader, member.Parent) is not { } parent)
                    {
                        continue;
                    }

                    var scope = ScopeOf(parent);
                    if (scope == Scope.OutOfScope)
                    {
                        skipped++;
                        continue;
                    }

                    if (scope != Scope.Framework)
                    {
                        continue;
                    }

                    var name = reader.GetString(member.Name);
                    var declaringType = member.Parent.Kind == HandleKind.TypeSpecification
                        ? reader.GetTypeSpecification((TypeSpecificationHandle)member.Parent).DecodeSignature(SignatureText.Instance, null)
                        : SignatureText.TypeName(reader, parent);
                    string key, shown;
                    if (member.GetKind() == MemberReferenceKind.Method)
                    {
                        var signature = member.DecodeMethodSignature(SignatureText.Instance, null);
                        (key, shown) = (SignatureText.Method(name, signature), SignatureText.Method(name, signature, declaringType));
                    }
                    else
                    {
                        var fieldType = member.DecodeFieldSignature(SignatureText.Instance, null);
                        (key, shown) = (SignatureText.Field(name, fieldType), SignatureText.Field(name, fieldType, declaringType));
                    }

                    // C# names the type that declares a member in the reference assembly it compiles against,
                    // so that is where the framework must declare it too.
                    members.Add(shown);
                    var type = framework.Resolve(reader, parent);
                    if (type.Failure is not null)
                    {
                        problems.Add($"{file}: {shown} is not in {framework.Name} (its type: {type.Failure})");
                    }
                    else if (!type.Assembly!.Members(type.Handle).Contains(key))
                    {
                        problems.Add($"{file}: {shown} is not in {framework.Name} ({SignatureText.TypeName(type.Assembly.Reader, type.Handle)} in {type.Assembly.Name} has no such member)");
                    }
                }
            }
        }
        finally
        {
            pes.ForEach(pe => pe.Dispose());
        }

        return new FrameworkApiReport(problems.ToList(), types, members, frameworkAssemblies, skipped);
    }

    /// <summary>
    /// The type reference a member reference hangs on: the type itself, or the generic type of an
    /// instantiation (List&lt;int&gt;.Add is List`1's Add). Null for the assembly's own types and methods, and
    /// for methods of array types (a multi-dimensional array's Get, Set and constructor), which the runtime
    /// makes for each array type rather than taking them from an assembly.
    /// </summary>
    private static TypeReferenceHandle? FrameworkParent(MetadataReader reader, EntityHandle parent)
    {
        if (parent.Kind == HandleKind.TypeReference)
        {
            return (TypeReferenceHandle)parent;
        }

        if (parent.Kind != HandleKind.TypeSpecification)
        {
            return null;
        }

        var blob = reader.GetBlobReader(reader.GetTypeSpecification((TypeSpecificationHandle)parent).Signature);
        if (blob.ReadSignatureTypeCode() != SignatureTypeCode.GenericTypeInstance)
        {
            return null;
        }

        blob.ReadSignatureTypeCode();
        var generic = blob.ReadTypeHandle();
        return generic.Kind == HandleKind.TypeReference ? (TypeReferenceHandle)generic : null;
    }
}

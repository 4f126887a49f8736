using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace PSLoopback.Core.Tests.Compatibility;

/// <summary>
/// One reference assembly of a framework: the types it defines, the types it forwards elsewhere (as
/// Facades/netstandard.dll forwards System.String to mscorlib), and each type's members as signature text.
/// </summary>
internal sealed class ReferenceAssembly : IDisposable
{
    private readonly PEReader pe;
    private readonly Dictionary<(string Namespace, string Name), TypeDefinitionHandle> defined = new();
    private readonly Dictionary<(string Namespace, string Name), string> forwarded = new();
    private readonly Dictionary<TypeDefinitionHandle, HashSet<string>> members = new();

    public ReferenceAssembly(string path)
    {
        pe = new PEReader(File.OpenRead(path));
        Reader = pe.GetMetadataReader();
        var definition = Reader.GetAssemblyDefinition();
        Name = Reader.GetString(definition.Name);
        Version = definition.Version;
        foreach (var handle in Reader.TypeDefinitions)
        {
            var type = Reader.GetTypeDefinition(handle);
            if (type.GetDeclaringType().IsNil)
            {
                defined[(Reader.GetString(type.Namespace), Reader.GetString(type.Name))] = handle;
            }
        }

        // Nested types travel with their enclosing type, so only top-level forwarders name an assembly.
        foreach (var handle in Reader.ExportedTypes)
        {
            var exported = Reader.GetExportedType(handle);
            if (exported.Implementation.Kind == HandleKind.AssemblyReference)
            {
                var target = Reader.GetAssemblyReference((AssemblyReferenceHandle)exported.Implementation);
                forwarded[(Reader.GetString(exported.Namespace), Reader.GetString(exported.Name))] = Reader.GetString(target.Name);
            }
        }
    }

    public MetadataReader Reader { get; }

    public string Name { get; }

    public Version Version { get; }

    public TypeDefinitionHandle? Defined(string ns, string name) => defined.TryGetValue((ns, name), out var handle) ? handle : null;

    public string? ForwardedTo(string ns, string name) => forwarded.TryGetValue((ns, name), out var assembly) ? assembly : null;

    public TypeDefinitionHandle? Nested(TypeDefinitionHandle enclosing, string name) =>
        Reader.GetTypeDefinition(enclosing).GetNestedTypes()
            .Cast<TypeDefinitionHandle?>()
            .FirstOrDefault(h => Reader.GetString(Reader.GetTypeDefinition(h!.Value).Name) == name);

    /// <summary>The type's own methods and fields, each as <see cref="SignatureText"/> writes it.</summary>
    public IReadOnlySet<string> Members(TypeDefinitionHandle handle)
    {
        if (!members.TryGetValue(handle, out var set))
        {
            var type = Reader.GetTypeDefinition(handle);
            set = new HashSet<string>(StringComparer.Ordinal);
            foreach (var method in type.GetMethods().Select(Reader.GetMethodDefinition))
            {
                set.Add(SignatureText.Method(Reader.GetString(method.Name), method.DecodeSignature(SignatureText.Instance, null)));
            }

            foreach (var field in type.GetFields().Select(Reader.GetFieldDefinition))
            {
                set.Add(SignatureText.Field(Reader.GetString(field.Name), field.DecodeSignature(SignatureText.Instance, null)));
            }

            members[handle] = set;
        }

        return set;
    }

    public void Dispose() => pe.Dispose();
}

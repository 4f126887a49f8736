using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;

namespace PSLoopback.Core.Tests.Compatibility;

/// <summary>
/// A framework as its reference assemblies describe it (a folder and its Facades/), answering where a type
/// is really defined, following type forwards.
/// </summary>
internal sealed class FrameworkReferenceAssemblies : IDisposable
{
    // netstandard.dll forwards to mscorlib in one step; a chain this long would be a loop.
    private const int MaxForwards = 8;

    private readonly Dictionary<string, string> files = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, ReferenceAssembly> opened = new(StringComparer.OrdinalIgnoreCase);

    public FrameworkReferenceAssemblies(string name, string directory)
    {
        Name = name;
        foreach (var folder in new[] { directory, Path.Combine(directory, "Facades") })
        {
            foreach (var file in Directory.GetFiles(folder, "*.dll"))
            {
                files[Path.GetFileNameWithoutExtension(file)] = file;
            }
        }
    }

    public string Name { get; }

    public ReferenceAssembly? Assembly(string name)
    {
        if (opened.TryGetValue(name, out var assembly))
        {
            return assembly;
        }

        if (!files.TryGetValue(name, out var file))
        {
            return null;
        }

        assembly = new ReferenceAssembly(file);
        opened[name] = assembly;
        return assembly;
    }

    /// <summary>Where the framework defines a type that <paramref name="reader"/>'s assembly refers to.</summary>
    public TypeResolution Resolve(MetadataReader reader, TypeReferenceHandle handle)
    {
        var type = reader.GetTypeReference(handle);
        var name = reader.GetString(type.Name);
        switch (type.ResolutionScope.Kind)
        {
            case HandleKind.TypeReference:
                var enclosing = Resolve(reader, (TypeReferenceHandle)type.ResolutionScope);
                if (enclosing.Assembly is null)
                {
                    return enclosing;
                }

                return enclosing.Assembly.Nested(enclosing.Handle, name) is { } nested
                    ? TypeResolution.Found(enclosing.Assembly, nested)
                    : TypeResolution.Missing($"{SignatureText.TypeName(enclosing.Assembly.Reader, enclosing.Handle)} in {enclosing.Assembly.Name} has no nested type {name}");
            case HandleKind.AssemblyReference:
                var assembly = reader.GetString(reader.GetAssemblyReference((AssemblyReferenceHandle)type.ResolutionScope).Name);
                return Resolve(assembly, reader.GetString(type.Namespace), name);
            default:
                return TypeResolution.Missing($"resolution scope {type.ResolutionScope.Kind} is not a framework assembly");
        }
    }

    public void Dispose()
    {
        foreach (var assembly in opened.Values)
        {
            assembly.Dispose();
        }
    }

    private TypeResolution Resolve(string assemblyName, string ns, string name)
    {
        var fullName = ns.Length == 0 ? name : ns + "." + name;
        var path = assemblyName;
        for (var forwards = 0; forwards <= MaxForwards; forwards++)
        {
            var assembly = Assembly(assemblyName);
            if (assembly is null)
            {
                return TypeResolution.Missing($"{path}: {assemblyName} is not part of {Name}");
            }

            if (assembly.Defined(ns, name) is { } handle)
            {
                return TypeResolution.Found(assembly, handle);
            }

            if (assembly.ForwardedTo(ns, name) is not { } target)
            {
                return TypeResolution.Missing($"{path}: {assemblyName} neither defines nor forwards {fullName}");
            }

            assemblyName = target;
            path += " -> " + target;
        }

        return TypeResolution.Missing($"{path}: forwarded more than {MaxForwards} times");
    }
}

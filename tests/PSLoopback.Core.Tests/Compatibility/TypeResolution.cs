using System.Reflection.Metadata;

namespace PSLoopback.Core.Tests.Compatibility;

/// <summary>Where a framework defines a referenced type, or, when it does not, why (<see cref="Failure"/>).</summary>
internal readonly record struct TypeResolution(ReferenceAssembly? Assembly, TypeDefinitionHandle Handle, string? Failure)
{
    public static TypeResolution Found(ReferenceAssembly assembly, TypeDefinitionHandle handle) => new(assembly, handle, null);

    public static TypeResolution Missing(string failure) => new(null, default, failure);
}

using System.Collections.Immutable;
using System.Reflection.Metadata;

namespace PSLoopback.Core.Tests.Compatibility;

/// <summary>
/// Writes a type in a signature as text that is the same in the assembly that refers to it and in the one
/// that defines it: namespace and name (nested types after '/'), never the assembly, since type forwarding
/// moves a type between assemblies without changing what it is. Two signatures are the same member when
/// their texts are equal: every parameter type, the return type, generic arity and custom modifiers count,
/// as they do when the runtime binds a member reference.
/// </summary>
internal sealed class SignatureText : ISignatureTypeProvider<string, object?>
{
    public static readonly SignatureText Instance = new();

    private SignatureText()
    {
    }

    public static string TypeName(MetadataReader reader, TypeReferenceHandle handle)
    {
        var type = reader.GetTypeReference(handle);
        var name = reader.GetString(type.Name);
        if (type.ResolutionScope.Kind == HandleKind.TypeReference)
        {
            return TypeName(reader, (TypeReferenceHandle)type.ResolutionScope) + "/" + name;
        }

        return Qualified(reader.GetString(type.Namespace), name);
    }

    public static string TypeName(MetadataReader reader, TypeDefinitionHandle handle)
    {
        var type = reader.GetTypeDefinition(handle);
        var name = reader.GetString(type.Name);
        var enclosing = type.GetDeclaringType();
        return enclosing.IsNil ? Qualified(reader.GetString(type.Namespace), name) : TypeName(reader, enclosing) + "/" + name;
    }

    /// <summary>
    /// "instance System.Boolean Contains(System.Char)": what the runtime compares; with a declaring type,
    /// "instance System.Boolean System.String::Contains(System.Char)", to show a person.
    /// </summary>
    public static string Method(string name, MethodSignature<string> signature, string? declaringType = null)
    {
        var instance = signature.Header.IsInstance ? "instance " : "static ";
        var convention = signature.Header.CallingConvention == SignatureCallingConvention.Default ? "" : signature.Header.CallingConvention + " ";
        var arity = signature.GenericParameterCount == 0 ? "" : "``" + signature.GenericParameterCount;
        return $"{instance}{convention}{signature.ReturnType} {Member(declaringType, name)}{arity}({string.Join(", ", signature.ParameterTypes)})";
    }

    public static string Field(string name, string type, string? declaringType = null) => $"field {type} {Member(declaringType, name)}";

    public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode switch
    {
        PrimitiveTypeCode.IntPtr => "System.IntPtr",
        PrimitiveTypeCode.UIntPtr => "System.UIntPtr",
        PrimitiveTypeCode.TypedReference => "System.TypedReference",
        _ => "System." + typeCode,
    };

    public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => TypeName(reader, handle);

    public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => TypeName(reader, handle);

    public string GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
        reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

    public string GetSZArrayType(string elementType) => elementType + "[]";

    public string GetArrayType(string elementType, ArrayShape shape)
    {
        var sizes = shape.Sizes.IsEmpty ? "" : " sizes " + string.Join(",", shape.Sizes);
        var lowerBounds = shape.LowerBounds.IsEmpty ? "" : " lower bounds " + string.Join(",", shape.LowerBounds);
        return $"{elementType}[{new string(',', shape.Rank - 1)}{sizes}{lowerBounds}]";
    }

    public string GetByReferenceType(string elementType) => elementType + "&";

    public string GetPointerType(string elementType) => elementType + "*";

    public string GetPinnedType(string elementType) => elementType + " pinned";

    public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments) =>
        $"{genericType}<{string.Join(", ", typeArguments)}>";

    public string GetGenericTypeParameter(object? genericContext, int index) => "!" + index;

    public string GetGenericMethodParameter(object? genericContext, int index) => "!!" + index;

    public string GetFunctionPointerType(MethodSignature<string> signature) => "method " + Method("*", signature);

    public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) =>
        $"{unmodifiedType} {(isRequired ? "modreq" : "modopt")}({modifier})";

    private static string Member(string? declaringType, string name) => declaringType is null ? name : declaringType + "::" + name;

    private static string Qualified(string ns, string name) => ns.Length == 0 ? name : ns + "." + name;
}

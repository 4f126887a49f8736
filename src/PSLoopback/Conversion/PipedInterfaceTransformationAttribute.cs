using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using PSLoopback.Output;

namespace PSLoopback.Conversion;

/// <summary>
/// Turns Get-NetInterfaceInfo's objects, live or deserialized, into <see cref="PipedInterface"/>, so both
/// bind to -InputObject; anything else is left as it is, to bind to the destination parameter instead.
/// </summary>
public sealed class PipedInterfaceTransformationAttribute : ArgumentTransformationAttribute
{
    // A piped array arrives wrapped in a PSObject, so the array is looked for in what it wraps.
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData) =>
        Convert(inputData) ?? ((inputData is PSObject wrapped ? wrapped.BaseObject : inputData) is IEnumerable many and not string
            && many.Cast<object>().Select(Convert).ToArray() is var all && all.All(i => i is not null)
            ? all.Cast<PipedInterface>().ToArray()
            : inputData);

    private static PipedInterface? Convert(object? item)
    {
        switch (item is PSObject wrapped ? wrapped.BaseObject : item)
        {
            case NetInterface nic:
                return new PipedInterface(nic.Name, nic.InterfaceIndex, nic.Addresses.Select(a => a.IPAddress).ToArray());
            case PSCustomObject when item is PSObject bag && bag.TypeNames.Any(n => n.EndsWith("PSLoopback.Output.NetInterface", StringComparison.Ordinal)):
                var addresses = bag.Properties["Addresses"]?.Value;
                var items = addresses is string one ? new object[] { one } : (LanguagePrimitives.GetEnumerable(addresses) ?? Array.Empty<object>()).Cast<object>();
                return new PipedInterface(
                    bag.Properties["Name"]?.Value?.ToString() ?? string.Empty,
                    LanguagePrimitives.ConvertTo<int>(bag.Properties["InterfaceIndex"]?.Value ?? 0),
                    items.Select(a => AddressOf(PSObject.AsPSObject(a))).ToArray());
            default:
                return null;
        }
    }

    /// <summary>An address record's IPAddress, or the address of its text ("192.0.2.10/24").</summary>
    private static string AddressOf(PSObject address)
    {
        var text = address.Properties["IPAddress"]?.Value?.ToString() ?? address.BaseObject.ToString() ?? string.Empty;
        var slash = text.IndexOf('/');
        return slash > 0 ? text.Substring(0, slash) : text;
    }
}

using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Output;

namespace PSLoopback.Conversion;

/// <summary>
/// Lets address objects stand for destinations: an IPAddress, one of Get-NetInterfaceInfo's addresses, or
/// their text with a prefix length ("192.0.2.10/24") becomes the address alone; an interface, live or
/// deserialized (a live one binds to -InputObject), stands for all its addresses (not for its name, which would be looked up in DNS).
/// </summary>
public sealed class DestinationTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        if (inputData is PSObject { BaseObject: PSCustomObject } bag)
        {
            return FromPropertyBag(bag) ?? inputData;
        }

        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        return value switch
        {
            // Strings without a prefix length, the common case, pass untouched: rebuilding a large array would cost more than the lookups.
            string text => text.IndexOf('/') < 0 ? inputData : WithoutPrefixLength(text),
            string[] texts => texts.All(t => t is null || t.IndexOf('/') < 0) ? inputData : texts.Select(WithoutPrefixLength).ToArray(),
            IPAddress address => address.ToString(),
            NetIPAddress address => address.IPAddress,
            IEnumerable many => many.Cast<object>().Select(item => Transform(engineIntrinsics, item)).ToArray(),
            _ => inputData,
        };
    }

    /// <summary>Get-NetInterfaceInfo's objects after remoting, a job or Import-Clixml: property bags with the same names.</summary>
    private static object? FromPropertyBag(PSObject bag)
    {
        if (IsInterface(bag) && bag.Properties["Addresses"] is { } addresses)
        {
            var texts = (LanguagePrimitives.GetEnumerable(addresses.Value) ?? Array.Empty<object>()).Cast<object>()
                .Select(a => AddressOf(PSObject.AsPSObject(a))).ToArray();

            // A live interface with no address is skipped with a warning (-InputObject); a copy binds here,
            // where the only way to say so is to refuse this one item, naming it.
            return texts.Length > 0
                ? texts
                : throw new ArgumentTransformationMetadataException(
                    $"Interface {bag.Properties["Name"]?.Value} (ifIndex {bag.Properties["InterfaceIndex"]?.Value}) has no IP address: skipped.");
        }

        return bag.Properties["IPAddress"]?.Value is { } address && bag.Properties["PrefixLength"] is not null
            ? address.ToString()
            : null;
    }

    /// <summary>"192.0.2.10/24" names the address 192.0.2.10; anything else is left for the cmdlet to judge.</summary>
    private static string WithoutPrefixLength(string text)
    {
        var slash = text.IndexOf('/');
        return slash > 0 && IPPrefix.TryParse(text, out _) && Destination.TryParseAddress(text.Substring(0, slash), out _)
            ? text.Substring(0, slash).Trim()
            : text;
    }

    private static bool IsInterface(PSObject item) =>
        item.TypeNames.Any(n => n.EndsWith("PSLoopback.Output.NetInterface", StringComparison.Ordinal));

    private static string AddressOf(PSObject address) =>
        address.Properties["IPAddress"]?.Value?.ToString() ?? WithoutPrefixLength(address.BaseObject.ToString() ?? string.Empty);
}

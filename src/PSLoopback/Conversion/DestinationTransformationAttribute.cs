using System;
using System.Collections;
using System.Linq;
using System.Management.Automation;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Output;

namespace PSLoopback.Conversion;

/// <summary>
/// Lets address objects stand for destinations: an IPAddress, one of Get-NetInterfaceInfo's addresses, live
/// or deserialized, or their text with a prefix length ("192.0.2.10/24") becomes the address alone.
/// Interfaces bind to -InputObject instead (<see cref="PipedInterfaceTransformationAttribute"/>).
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

    /// <summary>An address record of Get-NetInterfaceInfo after remoting, a job or Import-Clixml: a property bag with the same names.</summary>
    private static object? FromPropertyBag(PSObject bag) =>
        bag.Properties["IPAddress"]?.Value is { } address && bag.Properties["PrefixLength"] is not null
            ? address.ToString()
            : null;

    /// <summary>"192.0.2.10/24" names the address 192.0.2.10; anything else is left for the cmdlet to judge.</summary>
    private static string WithoutPrefixLength(string text)
    {
        var slash = text.IndexOf('/');
        return slash > 0 && IPPrefix.TryParse(text, out _) && Destination.TryParseAddress(text.Substring(0, slash), out _)
            ? text.Substring(0, slash).Trim()
            : text;
    }
}

using System.Collections;
using System.Linq;
using System.Management.Automation;
using System.Net;
using PSLoopback.Interfaces;

namespace PSLoopback.Conversion;

/// <summary>
/// Lets address objects stand for destinations: an IPAddress, or one of Get-NetInterfaceInfo's addresses
/// (whose own text is "192.0.2.10/24"), becomes its address text before PowerShell turns it into a string;
/// an interface stands for all its addresses (not for its name, which would be looked up in DNS).
/// </summary>
public sealed class DestinationTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        return value switch
        {
            // Strings, the common case, pass untouched: rebuilding a large array would cost more than the lookups.
            string or string[] => inputData,
            IPAddress address => address.ToString(),
            NetInterfaceAddress address => address.IPAddress.ToString(),
            NetInterfaceInfo nic => nic.Addresses.Select(a => a.IPAddress.ToString()).ToArray(),
            IEnumerable many => many.Cast<object>().Select(item => Transform(engineIntrinsics, item)).ToArray(),
            _ => inputData,
        };
    }
}

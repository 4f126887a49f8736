using System;
using System.Management.Automation;
using PSLoopback.Routing;

namespace PSLoopback.Conversion;

/// <summary>
/// Turns what a user gives -Mark into the 32-bit mark before PowerShell binds it: "0xFFFFFFFF" and 0xFFFFFFFF
/// (which PowerShell reads as the Int32 -1) both become 4294967295, where PowerShell's own conversion to UInt32
/// refuses them. The rules are <see cref="FwMark"/>'s.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class MarkTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        try
        {
            return FwMark.Parse(inputData is PSObject wrapped ? wrapped.BaseObject : inputData);
        }
        catch (FormatException e)
        {
            throw new ArgumentTransformationMetadataException(e.Message, e);
        }
    }
}

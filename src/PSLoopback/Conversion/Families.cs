using System.Linq;
using PSLoopback.Addressing;

namespace PSLoopback.Conversion;

/// <summary>What -AddressFamily IPv4,IPv6 means: both families, which is the same as not filtering.</summary>
internal static class Families
{
    public static IPAddressFamily? OneOrNone(IPAddressFamily[]? families)
    {
        var distinct = families?.Distinct().ToArray();
        return distinct is { Length: 1 } ? distinct[0] : null;
    }
}

using System.Collections.Generic;
using System.Linq;
using PSLoopback.Addressing;

namespace PSLoopback.Interfaces;

/// <summary>The filters of Get-NetInterfaceInfo other than names, as one pure function over a snapshot.</summary>
public sealed class InterfaceFilter
{
    /// <summary>Keep interfaces with an address of this family, and only those addresses (as `ip -4 addr` does).</summary>
    public IPAddressFamily? AddressFamily { get; set; }

    public bool? Loopback { get; set; }

    public IReadOnlyCollection<InterfaceStatus>? Status { get; set; }

    public IEnumerable<NetInterfaceInfo> Apply(IEnumerable<NetInterfaceInfo> interfaces)
    {
        foreach (var candidate in interfaces)
        {
            if (Loopback is bool loopback && candidate.IsLoopback != loopback)
            {
                continue;
            }

            if (Status is { Count: > 0 } && !Status.Contains(candidate.Status))
            {
                continue;
            }

            if (AddressFamily is IPAddressFamily family)
            {
                if (!candidate.Addresses.Any(a => a.AddressFamily == family))
                {
                    continue;
                }

                yield return candidate.WithAddressesOf(family);
                continue;
            }

            yield return candidate;
        }
    }
}

using System.Collections.Generic;
using System.Linq;
using PSLoopback.Addressing;

namespace PSLoopback.Interfaces;

/// <summary>The filters of Get-NetInterfaceInfo other than names, as one pure function over a snapshot.</summary>
public sealed class InterfaceFilter
{
    /// <summary>
    /// Keep interfaces with an address of these families, and only those addresses, as `ip -4 addr` does;
    /// both families keep every interface that has an address.
    /// </summary>
    public IReadOnlyCollection<IPAddressFamily>? AddressFamilies { get; set; }

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

            if (AddressFamilies is { Count: > 0 } families)
            {
                if (!candidate.Addresses.Any(a => families.Contains(a.AddressFamily)))
                {
                    continue;
                }

                yield return candidate.WithAddressesOf(families);
                continue;
            }

            yield return candidate;
        }
    }
}

using System.Collections.Generic;
using System.Management.Automation;

namespace PSLoopback.Conversion;

/// <summary>What an interface piped into Resolve-NetRoute or Test-Loopback stands for: each of its addresses.</summary>
internal static class InterfaceAddresses
{
    /// <summary>The addresses of the interfaces; one with none is skipped with a warning that names it.</summary>
    public static string[] Of(Cmdlet cmdlet, IEnumerable<PipedInterface> interfaces)
    {
        var addresses = new List<string>();
        foreach (var nic in interfaces)
        {
            if (nic.Addresses.Count == 0)
            {
                cmdlet.WriteWarning($"Interface {nic.Name} (ifIndex {nic.InterfaceIndex}) has no IP address: skipped.");
            }

            addresses.AddRange(nic.Addresses);
        }

        return addresses.ToArray();
    }
}

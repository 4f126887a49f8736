using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using PSLoopback.Output;

namespace PSLoopback.Conversion;

/// <summary>What an interface piped into Resolve-NetRoute or Test-Loopback stands for: each of its addresses.</summary>
internal static class InterfaceAddresses
{
    /// <summary>The addresses of the interfaces; one with none is skipped with a warning that names it.</summary>
    public static string[] Of(Cmdlet cmdlet, IEnumerable<NetInterface> interfaces)
    {
        var addresses = new List<string>();
        foreach (var nic in interfaces)
        {
            if (nic.Addresses.Count == 0)
            {
                cmdlet.WriteWarning($"Interface {nic.Name} (ifIndex {nic.InterfaceIndex}) has no IP address: skipped.");
            }

            addresses.AddRange(nic.Addresses.Select(a => a.IPAddress));
        }

        return addresses.ToArray();
    }
}

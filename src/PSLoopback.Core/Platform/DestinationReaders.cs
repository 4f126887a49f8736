using System.Collections.Generic;
using System.Threading;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;

namespace PSLoopback.Platform;

/// <summary>The destination reader for this machine: its hosts file and its system resolver.</summary>
public static class DestinationReaders
{
    /// <param name="interfaces">Whose names and indexes an address's zone may give.</param>
    /// <param name="cancel">Stops a hosts file read (the cmdlet's Ctrl+C).</param>
    /// <param name="interfacesAreThisMachine">False for another machine's interfaces (a saved snapshot, routes given).</param>
    /// <param name="interfacesOS">The OS the interfaces come from, whose names the zones match: this one unless given.</param>
    public static DestinationReader ForCurrentOS(IReadOnlyList<NetInterfaceInfo> interfaces, CancellationToken cancel = default, bool interfacesAreThisMachine = true, HostOS? interfacesOS = null)
    {
        var os = RunningOS.Current;
        var path = HostsFileReader.PathFor(os);
        return new DestinationReader(Destination.ZonesOf(interfaces, interfacesOS ?? os), () => LoopbackFactSource.ReadHosts(path, cancel), os,
            name => Destination.Resolve(name, Destination.NameTimeout), interfacesAreThisMachine);
    }
}

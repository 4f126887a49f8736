using System.Collections.Generic;

namespace PSLoopback.Interfaces;

/// <summary>Reads the machine's interfaces, with their addresses and counters, at one moment.</summary>
public interface IInterfaceSource
{
    IReadOnlyList<NetInterfaceInfo> GetInterfaces();
}

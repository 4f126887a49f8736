using System;
using System.Collections.Generic;

namespace PSLoopback.Routing;

/// <summary>What a saved Linux snapshot holds beyond interfaces, routes and rules: nexthop objects, neighbour entries, sysctls.</summary>
public sealed class SavedLinuxState
{
    public SavedLinuxState(IReadOnlyList<NetNextHopObject> nextHopObjects, IReadOnlyList<NetNeighbor> neighbors, IReadOnlyList<KeyValuePair<string, long>> settings)
    {
        NextHopObjects = nextHopObjects ?? throw new ArgumentNullException(nameof(nextHopObjects));
        Neighbors = neighbors ?? throw new ArgumentNullException(nameof(neighbors));
        Settings = settings ?? throw new ArgumentNullException(nameof(settings));
    }

    public IReadOnlyList<NetNextHopObject> NextHopObjects { get; }

    public IReadOnlyList<NetNeighbor> Neighbors { get; }

    public IReadOnlyList<KeyValuePair<string, long>> Settings { get; }
}

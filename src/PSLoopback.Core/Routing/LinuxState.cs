using System;
using System.Collections.Generic;
using System.Linq;

namespace PSLoopback.Routing;

/// <summary>
/// What a Linux snapshot holds beyond interfaces, routes and rules: nexthop objects, neighbour entries, sysctls and
/// the route exception cache; one way into a snapshot for a live read, a saved snapshot and a test.
/// </summary>
public sealed class LinuxState
{
    public LinuxState(
        IReadOnlyList<NetNextHopObject> nextHopObjects,
        IReadOnlyList<NetNeighbor> neighbors,
        IReadOnlyList<KeyValuePair<string, long>> settings,
        IReadOnlyList<NetRouteException>? exceptions = null)
    {
        NextHopObjects = nextHopObjects ?? throw new ArgumentNullException(nameof(nextHopObjects));
        Neighbors = neighbors ?? throw new ArgumentNullException(nameof(neighbors));
        Settings = settings ?? throw new ArgumentNullException(nameof(settings));
        Exceptions = exceptions ?? Array.Empty<NetRouteException>();
    }

    public IReadOnlyList<NetNextHopObject> NextHopObjects { get; }

    public IReadOnlyList<NetNeighbor> Neighbors { get; }

    public IReadOnlyList<KeyValuePair<string, long>> Settings { get; }

    public IReadOnlyList<NetRouteException> Exceptions { get; }

    /// <summary>
    /// Puts this state into <paramref name="snapshot"/> and gives its routes their nexthop objects' paths. With
    /// <paramref name="check"/> (a saved snapshot, which anyone may have written) it must be state a kernel
    /// holds: ids unique, groups of known members, neighbours and cache entries on the snapshot's interfaces. A
    /// live read is not checked: an interface that went away between two dumps must not fail the read.
    /// </summary>
    internal void AddTo(RouteSnapshot snapshot, bool check)
    {
        var ids = new HashSet<uint>();
        foreach (var nextHop in NextHopObjects)
        {
            if (!ids.Add(nextHop.Id) && check)
            {
                throw new ArgumentException($"The snapshot holds nexthop object {nextHop.Id} twice.");
            }
        }

        foreach (var nextHop in NextHopObjects)
        {
            var unknown = nextHop.Group.FirstOrDefault(m => !ids.Contains(m.Id) || NextHopObjects.First(n => n.Id == m.Id).IsGroup);
            if (unknown is not null && check)
            {
                throw new ArgumentException($"Nexthop object {nextHop} of the snapshot has member {unknown.Id}, which is not a single nexthop of the snapshot.");
            }

            if (check && !nextHop.IsGroup && nextHop.InterfaceIndex != 0 && snapshot.FindInterface(nextHop.InterfaceIndex) is null)
            {
                throw new ArgumentException($"Nexthop object {nextHop} of the snapshot leaves by interface {nextHop.InterfaceIndex}, which the snapshot does not have.");
            }

            snapshot.NextHopObjects.Add(nextHop);
        }

        foreach (var neighbor in Neighbors)
        {
            if (check && snapshot.FindInterface(neighbor.InterfaceIndex) is null)
            {
                throw new ArgumentException($"Neighbour entry {neighbor} of the snapshot is on interface {neighbor.InterfaceIndex}, which the snapshot does not have.");
            }

            snapshot.Neighbors.Add(neighbor);
        }

        foreach (var setting in Settings)
        {
            snapshot.Settings.Values[setting.Key] = setting.Value;
        }

        var missing = snapshot.Routes.FirstOrDefault(r => r.NextHopId is uint id && ids.Count > 0 && !ids.Contains(id));
        if (missing is not null && check)
        {
            throw new ArgumentException($"Route {missing} of the snapshot uses nexthop object {missing.NextHopId}, which the snapshot does not have.");
        }

        foreach (var exception in Exceptions)
        {
            if (check && snapshot.FindInterface(exception.InterfaceIndex) is null)
            {
                throw new ArgumentException($"Route exception {exception} of the snapshot is on interface {exception.InterfaceIndex}, which the snapshot does not have.");
            }
        }

        snapshot.Exceptions = Exceptions;
        NextHopExpansion.Apply(snapshot.Routes, snapshot.NextHopObjects);
    }
}

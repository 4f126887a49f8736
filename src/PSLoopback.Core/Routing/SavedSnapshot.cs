using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;

namespace PSLoopback.Routing;

/// <summary>
/// Rebuilds the resolver's <see cref="RouteSnapshot"/> from a saved one (Get-NetRouteSnapshot, read back
/// from CLIXML, JSON or remoting), so a machine's answers can be given anywhere. A saved snapshot that no
/// kernel could have produced is refused, naming the item and the field, rather than answered for: Linux's
/// checks for a Linux snapshot (<see cref="RouteTableRules"/>), Windows' for a Windows one
/// (<see cref="WindowsRouteTableRules"/>).
/// </summary>
public static class SavedSnapshot
{
    public static RouteSnapshot Build(
        IReadOnlyList<SavedInterface> interfaces,
        IReadOnlyList<NetRouteInfo> routes,
        IReadOnlyList<NetRouteRule> rules,
        IEnumerable<int> preferTemporaryAddresses,
        HostOS operatingSystem = HostOS.Linux,
        LinuxState? linux = null)
    {
        var built = new List<NetInterfaceInfo>();
        for (var i = 0; i < interfaces.Count; i++)
        {
            built.Add(BuildInterface(interfaces[i], i, built));
        }

        for (var i = 0; i < built.Count; i++)
        {
            if (built[i].MasterIndex is int master && !built.Any(b => b.InterfaceIndex == master && master != built[i].InterfaceIndex))
            {
                throw new ArgumentException($"Interface {i + 1} of the snapshot ({built[i].Name}) cannot be read: its MasterIndex {master} is not another interface of the snapshot.");
            }
        }

        var snapshot = new RouteSnapshot(built, routes, rules, operatingSystem);
        if (operatingSystem == HostOS.Windows)
        {
            CheckWindows(snapshot, preferTemporaryAddresses);
            if (linux is not null && (linux.NextHopObjects.Count > 0 || linux.Neighbors.Count > 0 || linux.Settings.Count > 0 || linux.Exceptions.Count > 0))
            {
                throw new ArgumentException("The snapshot was taken on Windows, yet it has nexthop objects, neighbour entries, sysctls or route exceptions, which only Linux snapshots hold.");
            }
        }
        else
        {
            if (linux is not null)
            {
                linux.AddTo(snapshot, check: true);
            }

            for (var i = 0; i < routes.Count; i++)
            {
                var why = RouteTableRules.Check(routes[i], snapshot);
                if (why is not null)
                {
                    throw new ArgumentException($"Route {i + 1} of the snapshot ({routes[i]}) is not one a kernel holds: {why}.");
                }
            }
        }

        foreach (var index in preferTemporaryAddresses)
        {
            if (snapshot.FindInterface(index) is null)
            {
                throw new ArgumentException($"The snapshot's PreferTemporaryAddresses names interface {index}, which it does not have.");
            }

            snapshot.PreferTemporaryAddresses.Add(index);
        }

        return snapshot;
    }

    /// <summary>Windows has one table and no rules, and prefers temporary addresses on every interface: a snapshot saying otherwise was not read on Windows.</summary>
    private static void CheckWindows(RouteSnapshot snapshot, IEnumerable<int> preferTemporaryAddresses)
    {
        if (snapshot.Rules.Count > 0)
        {
            throw new ArgumentException($"The snapshot was taken on Windows, which has no policy rules, yet it holds {snapshot.Rules.Count} (the first: {snapshot.Rules[0]}).");
        }

        if (preferTemporaryAddresses.Any())
        {
            throw new ArgumentException("The snapshot was taken on Windows, yet it has PreferTemporaryAddresses, which is Linux's use_tempaddr setting; Windows prefers temporary addresses wherever it has them.");
        }

        for (var i = 0; i < snapshot.Routes.Count; i++)
        {
            var route = snapshot.Routes[i];
            var why = WindowsRouteTableRules.Check(route, snapshot);
            if (why is not null)
            {
                throw new ArgumentException($"Route {i + 1} of the snapshot ({route.DestinationPrefix} on interface {route.InterfaceIndex}) is not one Windows holds: {why}.");
            }
        }
    }

    private static NetInterfaceInfo BuildInterface(SavedInterface saved, int position, List<NetInterfaceInfo> earlier)
    {
        string Bad(string why) => $"Interface {position + 1} of the snapshot ({saved.Name}) cannot be read: {why}.";
        if (saved.InterfaceIndex <= 0)
        {
            throw new ArgumentException(Bad($"its InterfaceIndex {saved.InterfaceIndex} is not 1 or more"));
        }

        if (string.IsNullOrWhiteSpace(saved.Name))
        {
            throw new ArgumentException(Bad("it has no Name"));
        }

        var twin = earlier.FirstOrDefault(e => e.InterfaceIndex == saved.InterfaceIndex || e.Name == saved.Name);
        if (twin is not null)
        {
            throw new ArgumentException(Bad($"interface {twin.InterfaceIndex} {twin.Name} has the same index or name"));
        }

        var addresses = new List<NetInterfaceAddress>();
        foreach (var address in saved.Addresses)
        {
            var bits = address.IPAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32;
            if (address.PrefixLength < 0 || address.PrefixLength > bits)
            {
                throw new ArgumentException(Bad($"its address {address.IPAddress} has PrefixLength {address.PrefixLength}, not 0 to {bits}"));
            }

            addresses.Add(new NetInterfaceAddress(saved.InterfaceIndex, saved.Name, address.IPAddress, address.PrefixLength)
            {
                Scope = address.Scope,
                Peer = address.Peer,
                Flags = address.Flags,
                SkipAsSource = address.SkipAsSource,
            });
        }

        var families = new HashSet<IPAddressFamily>();
        foreach (var settings in saved.IPInterfaces)
        {
            if (settings is null || settings.InterfaceIndex != saved.InterfaceIndex)
            {
                throw new ArgumentException(Bad($"its IPInterfaces hold settings of interface {settings?.InterfaceIndex.ToString(CultureInfo.InvariantCulture) ?? "(none)"}, not of {saved.InterfaceIndex}"));
            }

            if (!families.Add(settings.AddressFamily))
            {
                throw new ArgumentException(Bad($"its IPInterfaces hold {settings.AddressFamily} settings twice"));
            }
        }

        return new NetInterfaceInfo(saved.InterfaceIndex, saved.Name)
        {
            InterfaceType = saved.InterfaceType,
            AdminStatus = saved.AdminStatus,
            Group = saved.Group,
            Status = saved.Status,
            MasterIndex = saved.MasterIndex,
            VrfTable = saved.VrfTable,
            Addresses = addresses,
            IPInterfaces = saved.IPInterfaces,
        };
    }
}

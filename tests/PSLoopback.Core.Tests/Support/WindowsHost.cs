using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;
using PSLoopback.Routing;

namespace PSLoopback.Core.Tests.Support;

/// <summary>
/// Builds a snapshot as Windows reports it: interfaces with their per-family IP settings (Get-NetIPInterface)
/// and a single routing table whose rows read like Get-NetRoute's (DestinationPrefix, NextHop, interface,
/// RouteMetric), so a test reads like the host it stands for.
/// </summary>
internal sealed class WindowsHost
{
    public const string Loopback = "Loopback Pseudo-Interface 1";

    private readonly List<NetInterfaceInfo> interfaces = new();
    private readonly List<NetRouteInfo> routes = new();

    /// <summary>Windows' loopback interface (index 1, metric 75) and, unless told not to, the routes Windows keeps on it.</summary>
    public static WindowsHost WithLoopback(bool listRoutes = true)
    {
        var host = new WindowsHost().Interface(1, Loopback, 75, "127.0.0.1/8", "::1/128");
        host.interfaces[0].InterfaceType = InterfaceType.Loopback;
        return listRoutes ? host.AddressRoutes(Loopback) : host;
    }

    /// <param name="metric">The interface metric in both families; null for an interface whose IP settings were not read (Wine).</param>
    /// <param name="addresses">"192.0.2.10/24", optionally followed by temporary, deprecated, tentative, duplicate, skipassource.</param>
    public WindowsHost Interface(int index, string name, uint? metric, params string[] addresses)
    {
        var nic = new NetInterfaceInfo(index, name)
        {
            InterfaceType = InterfaceType.Ethernet,
            AdminStatus = AdminStatus.Up,
            Status = InterfaceStatus.Up,
        };
        nic.Addresses = addresses.Select(text =>
        {
            var parts = text.Split(' ');
            var prefix = IPPrefix.Parse(parts[0]);
            var address = new NetInterfaceAddress(index, name, IPAddress.Parse(parts[0].Split('/')[0]), prefix.Length);
            foreach (var flag in parts.Skip(1))
            {
                switch (flag)
                {
                    case "temporary":
                        address.Flags |= AddressFlags.Secondary;
                        break;
                    case "deprecated":
                        address.Flags |= AddressFlags.Deprecated;
                        break;
                    case "tentative":
                        address.Flags |= AddressFlags.Tentative;
                        break;
                    case "duplicate":
                        address.Flags |= AddressFlags.DadFailed;
                        break;
                    case "skipassource":
                        address.SkipAsSource = true;
                        break;
                    default:
                        throw new ArgumentException("unknown address flag " + flag);
                }
            }

            return address;
        }).ToArray();
        if (metric is uint m)
        {
            nic.IPInterfaces = new[] { IPAddressFamily.IPv4, IPAddressFamily.IPv6 }
                .Select(f => new NetIPInterfaceInfo(index, f) { InterfaceMetric = m, Connected = true })
                .ToArray();
        }

        interfaces.Add(nic);
        return this;
    }

    /// <summary>Changes an interface's IP settings in both families (weak host send, connected).</summary>
    public WindowsHost Settings(string name, Action<NetIPInterfaceInfo> change)
    {
        foreach (var settings in Find(name).IPInterfaces)
        {
            change(settings);
        }

        return this;
    }

    public WindowsHost Status(string name, InterfaceStatus status)
    {
        Find(name).Status = status;
        return this;
    }

    /// <param name="via">The gateway, or null for an on-link route (NextHop 0.0.0.0 or ::).</param>
    public WindowsHost Route(string prefix, string? via, string name, uint metric = 256)
    {
        var destination = IPPrefix.Parse(prefix);
        var device = Find(name);
        routes.Add(new NetRouteInfo
        {
            DestinationPrefix = destination,
            NextHop = via is null ? (destination.AddressFamily == IPAddressFamily.IPv4 ? IPAddress.Any : IPAddress.IPv6Any) : IPAddress.Parse(via),
            InterfaceIndex = device.InterfaceIndex,
            InterfaceAlias = device.Name,
            RouteMetric = metric,
            Table = RouteTables.Unspecified,
        });
        return this;
    }

    /// <summary>
    /// The routes Windows adds for an interface's addresses, as route print shows them: each subnet on-link,
    /// each address's host route, each IPv4 subnet's broadcast, and 224.0.0.0/4, 255.255.255.255/32 and
    /// ff00::/8 on the interface; all with route metric 256.
    /// </summary>
    public WindowsHost AddressRoutes(string name)
    {
        var device = Find(name);
        foreach (var address in device.Addresses)
        {
            var subnet = new IPPrefix(address.IPAddress, address.PrefixLength);
            var host = address.AddressFamily == IPAddressFamily.IPv4 ? 32 : 128;
            OnLinkOnce(subnet.ToString(), device);
            OnLinkOnce(address.IPAddress + "/" + host.ToString(CultureInfo.InvariantCulture), device);
            if (address.AddressFamily == IPAddressFamily.IPv4 && address.PrefixLength < 31)
            {
                var broadcast = AddressClass.ToUInt32(subnet.Network) | (uint.MaxValue >> address.PrefixLength);
                OnLinkOnce(new IPAddress(BitConverter.GetBytes(broadcast).Reverse().ToArray()) + "/32", device);
            }
        }

        if (device.Addresses.Any(a => a.AddressFamily == IPAddressFamily.IPv4))
        {
            OnLinkOnce("224.0.0.0/4", device);
            OnLinkOnce("255.255.255.255/32", device);
        }

        if (device.Addresses.Any(a => a.AddressFamily == IPAddressFamily.IPv6))
        {
            OnLinkOnce("ff00::/8", device);
        }

        return this;
    }

    private void OnLinkOnce(string prefix, NetInterfaceInfo device)
    {
        if (!routes.Any(r => r.DestinationPrefix == IPPrefix.Parse(prefix) && r.InterfaceIndex == device.InterfaceIndex))
        {
            Route(prefix, null, device.Name);
        }
    }

    public IReadOnlyList<NetRouteInfo> Routes => routes;

    public RouteSnapshot Build() => new(interfaces.ToArray(), routes.ToArray(), Array.Empty<NetRouteRule>(), HostOS.Windows);

    public WindowsRouteResolver Resolver() => new(Build());

    public RouteDecision Resolve(string destination, string? from = null, int? oif = null, bool explain = true) =>
        Resolver().Resolve(new RouteQuery(IPAddress.Parse(destination))
        {
            Source = from is null ? null : IPAddress.Parse(from),
            OutputInterfaceIndex = oif,
        }, explain);

    private NetInterfaceInfo Find(string name) =>
        interfaces.FirstOrDefault(i => i.Name == name) ?? throw new ArgumentException($"no interface {name} yet");
}

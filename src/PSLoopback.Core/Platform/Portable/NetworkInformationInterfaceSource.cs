using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;
using NetworkInformationType = System.Net.NetworkInformation.NetworkInterfaceType;

namespace PSLoopback.Platform.Portable;

/// <summary>
/// Interfaces from System.Net.NetworkInformation, for macOS and any other OS without a source of its own. Each fact is asked for on its own,
/// and one that the OS refuses (PlatformNotSupportedException, NetworkInformationException) stays null.
/// Not verified against the OS's own tools: the project's checks run on Linux.
/// </summary>
public sealed class NetworkInformationInterfaceSource : IInterfaceSource
{
    public IReadOnlyList<NetInterfaceInfo> GetInterfaces()
    {
        var interfaces = new List<NetInterfaceInfo>();
        var position = 0;
        foreach (var adapter in NetworkInterface.GetAllNetworkInterfaces())
        {
            position++;
            var properties = Try(adapter.GetIPProperties);
            var index = Try(() => properties?.GetIPv4Properties()?.Index)
                ?? Try(() => properties?.GetIPv6Properties()?.Index)
                ?? position;
            var info = new NetInterfaceInfo(index, adapter.Name)
            {
                Description = NullIfEmpty(Try(() => adapter.Description)),
                InterfaceType = Classify(Try(() => (NetworkInformationType?)adapter.NetworkInterfaceType)),
                Status = ToStatus(Try(() => (OperationalStatus?)adapter.OperationalStatus)),
                MacAddress = FormatPhysical(Try(adapter.GetPhysicalAddress)),
                Mtu = Try(() => properties?.GetIPv4Properties()?.Mtu) ?? Try(() => properties?.GetIPv6Properties()?.Mtu),
                Speed = Try(() => (long?)adapter.Speed) is long speed && speed > 0 ? speed : null,
            };
            info.AdminStatus = info.Status == InterfaceStatus.Down ? AdminStatus.Down : AdminStatus.Up;
            info.Flags = DerivedFlags.Of(info, Try(() => (bool?)adapter.SupportsMulticast) ?? false);
            info.Addresses = ReadAddresses(properties, index, adapter.Name);
            ReadStatistics(adapter, info);
            interfaces.Add(info);
        }

        return interfaces.OrderBy(i => i.InterfaceIndex).ToList();
    }

    private static IReadOnlyList<NetInterfaceAddress> ReadAddresses(IPInterfaceProperties? properties, int index, string name)
    {
        var unicast = Try(() => properties?.UnicastAddresses?.ToArray());
        if (unicast is null)
        {
            return Array.Empty<NetInterfaceAddress>();
        }

        var addresses = new List<NetInterfaceAddress>();
        foreach (var entry in unicast)
        {
            var prefix = PrefixLength(entry);
            if (prefix is null)
            {
                continue;
            }

            // .NET puts the interface's index into link-local addresses as a zone (fe80::1%4); the address
            // object already names its interface, and the Linux source, like ip, shows no zone.
            var ip = entry.Address.AddressFamily == AddressFamily.InterNetworkV6 && entry.Address.ScopeId != 0
                ? new IPAddress(entry.Address.GetAddressBytes())
                : entry.Address;
            var address = new NetInterfaceAddress(index, name, ip, prefix.Value)
            {
                ValidLifetime = Lifetime(Try(() => (long?)entry.AddressValidLifetime)),
                PreferredLifetime = Lifetime(Try(() => (long?)entry.AddressPreferredLifetime)),
            };
            var state = Try(() => (DuplicateAddressDetectionState?)entry.DuplicateAddressDetectionState);
            address.Flags = state switch
            {
                DuplicateAddressDetectionState.Tentative => AddressFlags.Tentative,
                DuplicateAddressDetectionState.Duplicate => AddressFlags.DadFailed,
                DuplicateAddressDetectionState.Deprecated => AddressFlags.Deprecated,
                _ => AddressFlags.None,
            };
            if (entry.Address.AddressFamily == AddressFamily.InterNetworkV6 && entry.Address.IsIPv6LinkLocal)
            {
                address.Scope = AddressScope.Link;
            }

            addresses.Add(address);
        }

        return addresses;
    }

    /// <summary>PrefixLength where the platform gives it; some (older .NET Framework builds) only give the IPv4 mask.</summary>
    private static int? PrefixLength(UnicastIPAddressInformation entry)
    {
        if (Try(() => (int?)entry.PrefixLength) is int length && length > 0)
        {
            return length;
        }

        var mask = Try(() => entry.IPv4Mask);
        if (entry.Address.AddressFamily != AddressFamily.InterNetwork || mask is null)
        {
            return null;
        }

        return mask.GetAddressBytes().Sum(b => CountBits(b));
    }

    private static int CountBits(byte value)
    {
        var count = 0;
        for (var v = value; v != 0; v >>= 1)
        {
            count += v & 1;
        }

        return count;
    }

    private static void ReadStatistics(NetworkInterface adapter, NetInterfaceInfo info)
    {
        var stats = Try(adapter.GetIPStatistics);
        if (stats is null)
        {
            return;
        }

        info.ReceivedBytes = Counter(() => stats.BytesReceived);
        info.SentBytes = Counter(() => stats.BytesSent);
        info.ReceivedPackets = Sum(Counter(() => stats.UnicastPacketsReceived), Counter(() => stats.NonUnicastPacketsReceived));
        info.SentPackets = Sum(Counter(() => stats.UnicastPacketsSent), Counter(() => stats.NonUnicastPacketsSent));
        info.ReceiveErrors = Counter(() => stats.IncomingPacketsWithErrors);
        info.SendErrors = Counter(() => stats.OutgoingPacketsWithErrors);
        info.ReceiveDrops = Counter(() => stats.IncomingPacketsDiscarded);
        info.SendDrops = Counter(() => stats.OutgoingPacketsDiscarded);
    }

    private static ulong? Counter(Func<long> read) => Try(() => (long?)read()) is long value && value >= 0 ? (ulong)value : null;

    private static ulong? Sum(ulong? a, ulong? b) => a is null || b is null ? null : a + b;

    private static TimeSpan? Lifetime(long? seconds) => seconds switch
    {
        null => null,
        >= uint.MaxValue => TimeSpan.MaxValue,
        long s when s >= 0 => TimeSpan.FromSeconds(s),
        _ => null,
    };

    private static InterfaceType Classify(NetworkInformationType? type) => type switch
    {
        null => InterfaceType.Unknown,
        NetworkInformationType.Loopback => InterfaceType.Loopback,
        NetworkInformationType.Ethernet or NetworkInformationType.Ethernet3Megabit or NetworkInformationType.FastEthernetFx
            or NetworkInformationType.FastEthernetT or NetworkInformationType.GigabitEthernet => InterfaceType.Ethernet,
        NetworkInformationType.Wireless80211 => InterfaceType.Wireless,
        NetworkInformationType.Tunnel => InterfaceType.Tunnel,
        NetworkInformationType.Ppp => InterfaceType.Ppp,
        NetworkInformationType.Unknown => InterfaceType.Unknown,
        _ => InterfaceType.Other,
    };

    private static InterfaceStatus ToStatus(OperationalStatus? status) => status switch
    {
        OperationalStatus.Up => InterfaceStatus.Up,
        OperationalStatus.Down => InterfaceStatus.Down,
        OperationalStatus.Testing => InterfaceStatus.Testing,
        OperationalStatus.Dormant => InterfaceStatus.Dormant,
        OperationalStatus.NotPresent => InterfaceStatus.NotPresent,
        OperationalStatus.LowerLayerDown => InterfaceStatus.LowerLayerDown,
        _ => InterfaceStatus.Unknown,
    };


    private static string? FormatPhysical(PhysicalAddress? address)
    {
        var bytes = address?.GetAddressBytes();
        return bytes is null || bytes.Length == 0
            ? null
            : string.Join(":", bytes.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static T? Try<T>(Func<T?> read)
        where T : class
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is PlatformNotSupportedException or NetworkInformationException or NotImplementedException or InvalidOperationException)
        {
            return null;
        }
    }

    private static T? Try<T>(Func<T?> read)
        where T : struct
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is PlatformNotSupportedException or NetworkInformationException or NotImplementedException or InvalidOperationException)
        {
            return null;
        }
    }
}

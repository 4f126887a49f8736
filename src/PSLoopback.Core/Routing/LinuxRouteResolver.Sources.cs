using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;

namespace PSLoopback.Routing;

// Source addresses without a selection per decision: what a choice depends on apart from the gateway (IPv4) or the
// destination's bits (IPv6) is remembered per interface, so the cost does not grow with how many gateways or
// destinations there are.
public sealed partial class LinuxRouteResolver
{
    private readonly ConcurrentDictionary<long, Ipv4SourceCandidates> ipv4SourceCandidates = new();
    private readonly ConcurrentDictionary<(int Interface, int Scope, int Label, bool Orchid, bool Multicast), Ipv6SourceCandidates> ipv6SourceCandidates = new();

    /// <summary>inet_select_addr: the device's primary address in scope on the gateway's subnet, else its first in scope, else the domain's.</summary>
    private IPAddress? SelectIPv4Source(int interfaceIndex, IPAddress? gateway, AddressScope scope)
    {
        var key = ((long)interfaceIndex << 8) | (byte)scope;
        if (!ipv4SourceCandidates.TryGetValue(key, out var candidates))
        {
            var device = Device(interfaceIndex);
            candidates = new Ipv4SourceCandidates(SourceAddressSelector.IPv4Candidates(device, scope).ToArray(), snapshot, device, scope);
            ipv4SourceCandidates.TryAdd(key, candidates);
        }

        return candidates.Exact ? candidates.Select(gateway) : SourceAddressSelector.SelectIPv4(snapshot, interfaceIndex, gateway, scope);
    }

    /// <summary>ipv6_dev_get_saddr for the destination out of <paramref name="interfaceIndex"/>.</summary>
    private IPAddress? SelectIPv6Source(DecisionWork work, int interfaceIndex)
    {
        var (high, low) = work.DestinationNumbers;
        return SelectIPv6Source(work.Query.Destination, high, low, interfaceIndex);
    }

    /// <summary>ipv6_dev_get_saddr for the destination (also as its two numbers) out of <paramref name="interfaceIndex"/>.</summary>
    private IPAddress? SelectIPv6Source(IPAddress destination, ulong high, ulong low, int interfaceIndex)
    {
        if (!SourceAddressSelector.TryClassifyIPv6(destination, high, low, out var kind))
        {
            return SourceAddressSelector.SelectIPv6(snapshot, destination, interfaceIndex);
        }

        var key = (interfaceIndex, kind.Scope, kind.Label, kind.Orchid, kind.Multicast);

        // Most decisions in a row leave by the same interface for the same kind of destination: the last answer
        // found is asked first, before the dictionary (whose five-part key is slow to hash). It is replaced whole,
        // so a thread reads a key and its candidates together.
        var last = lastIpv6SourceCandidates;
        Ipv6SourceCandidates candidates;
        if (last is not null && last.Key == key)
        {
            candidates = last.Candidates;
        }
        else
        {
            if (!ipv6SourceCandidates.TryGetValue(key, out var found))
            {
                found = SourceAddressSelector.IPv6CandidatesFor(snapshot, interfaceIndex, kind);
                ipv6SourceCandidates.TryAdd(key, found);
            }

            candidates = found;
            lastIpv6SourceCandidates = new LastIpv6Candidates(key, found);
        }

        return SourceAddressSelector.SelectIPv6(candidates, high, low);
    }

    private LastIpv6Candidates? lastIpv6SourceCandidates;

    private sealed class LastIpv6Candidates
    {
        public LastIpv6Candidates((int Interface, int Scope, int Label, bool Orchid, bool Multicast) key, Ipv6SourceCandidates candidates)
        {
            Key = key;
            Candidates = candidates;
        }

        public (int Interface, int Scope, int Label, bool Orchid, bool Multicast) Key { get; }

        public Ipv6SourceCandidates Candidates { get; }
    }

    /// <summary>An interface's IPv4 source candidates for one scope, with their subnets as numbers.</summary>
    private sealed class Ipv4SourceCandidates
    {
        private readonly NetInterfaceAddress[] addresses;
        private readonly uint[] networks;
        private readonly uint[] masks;
        private readonly IPAddress? fallback;

        public Ipv4SourceCandidates(NetInterfaceAddress[] addresses, RouteSnapshot snapshot, NetInterfaceInfo? device, AddressScope scope)
        {
            this.addresses = addresses;
            networks = new uint[addresses.Length];
            masks = new uint[addresses.Length];
            Exact = true;
            for (var i = 0; i < addresses.Length; i++)
            {
                var subnet = addresses[i].Peer ?? addresses[i].IPAddress;
                var length = addresses[i].PrefixLength;

                // Anything IPPrefix would refuse or compare otherwise is left to the selector itself.
                if (subnet.AddressFamily != AddressFamily.InterNetwork || length is < 0 or > 32)
                {
                    Exact = false;
                    continue;
                }

                masks[i] = length == 0 ? 0 : uint.MaxValue << (32 - length);
                networks[i] = AddressClass.ToUInt32(subnet) & masks[i];
            }

            fallback = addresses.Length == 0 ? SourceAddressSelector.IPv4Fallback(snapshot, device, scope) : null;
        }

        /// <summary>False when the numbers cannot stand for the selector's own comparison.</summary>
        public bool Exact { get; }

        public IPAddress? Select(IPAddress? gateway)
        {
            if (addresses.Length == 0)
            {
                return fallback;
            }

            if (gateway is not null && gateway.AddressFamily == AddressFamily.InterNetwork)
            {
                var number = AddressClass.ToUInt32(gateway);
                for (var i = 0; i < addresses.Length; i++)
                {
                    if ((number & masks[i]) == networks[i])
                    {
                        return addresses[i].IPAddress;
                    }
                }
            }

            return addresses[0].IPAddress;
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;

namespace PSLoopback.Routing;

/// <summary>
/// Answers "where would this host send a packet to X, and why" from a snapshot read on Windows, as the TCP/IP
/// stack of Windows Vista and later decides it and GetBestRoute2 reports it: one table and no rules; the
/// longest matching prefix; of its routes the lowest route metric plus interface metric; routes only on
/// connected interfaces; the strong host model for a given source; then the source address chosen from the
/// chosen interface's addresses. Pure: the snapshot is read, never the OS. Built once per snapshot, with one
/// <see cref="PrefixTable{T}"/> per family, so a lookup does not scan.
/// </summary>
/// <remarks>
/// What each rule rests on: the metric sum, Get-NetRoute's documentation ("the RouteMetric property is added
/// to the InterfaceMetric property") and the unattend Metric setting's ("the overall metric used to determine
/// the preference is the sum of the route metric and the interface metric"); the strong host model and weak
/// host send, "The Cable Guy: Strong and Weak Host Models" (TechNet Magazine, September 2007: strong host by
/// default since Vista, per interface WeakHostSend); an interface asked for and its error, GetBestRoute2's
/// documentation; the source rules, <see cref="WindowsSourceAddressSelector"/>; loopback, RFC 1122 3.2.1.3
/// (127/8 never leaves the host) and the well-known routes Windows keeps on its Loopback Pseudo-Interface.
/// </remarks>
public sealed partial class WindowsRouteResolver : IRouteResolver
{
    private readonly RouteSnapshot snapshot;
    private readonly PrefixTable<RouteGroup> ipv4;
    private readonly PrefixTable<RouteGroup> ipv6;
    private readonly Dictionary<(int Index, IPAddressFamily Family), Link> links = new();

    // The host's addresses by their numbers, one map per family: the numbers leave out an IPv6 zone, so fe80::1%3 and
    // fe80::1 are one address of the host, and a lookup hashes no IPAddress (which for IPv6 on .NET Framework writes its text).
    private readonly Dictionary<(ulong High, ulong Low), NetInterfaceAddress> ownIPv4 = new();
    private readonly Dictionary<(ulong High, ulong Low), NetInterfaceAddress> ownIPv6 = new();

    private readonly NetInterfaceInfo? loopback;

    public WindowsRouteResolver(RouteSnapshot snapshot)
    {
        this.snapshot = snapshot ?? throw new ArgumentNullException(nameof(snapshot));
        loopback = snapshot.Interfaces.FirstOrDefault(i => i.IsLoopback);
        foreach (var device in snapshot.Interfaces)
        {
            foreach (var family in new[] { IPAddressFamily.IPv4, IPAddressFamily.IPv6 })
            {
                links[(device.InterfaceIndex, family)] = new Link(device, family);
            }

            foreach (var address in device.Addresses)
            {
                var link = links[(device.InterfaceIndex, address.AddressFamily)];
                var candidate = new WindowsSourceAddressSelector.Candidate(address);
                link.Addresses.Add(address);
                link.Candidates.Add(candidate);
                everyCandidate[address.AddressFamily].Add(candidate);

                // A duplicate address is not the host's: Windows neither uses nor answers for it.
                var own = Own(address.AddressFamily);
                if (!address.IsDadFailed && !own.ContainsKey((candidate.High, candidate.Low)))
                {
                    own[(candidate.High, candidate.Low)] = address;
                }
            }
        }

        ipv4 = Build(IPAddressFamily.IPv4);
        ipv6 = Build(IPAddressFamily.IPv6);
    }

    public RouteSnapshot Snapshot => snapshot;

    /// <param name="explain">Also record every step in <see cref="RouteDecision.Trace"/> (slower).</param>
    public RouteDecision Resolve(RouteQuery query, bool explain = false)
    {
        if (query is null)
        {
            throw new ArgumentNullException(nameof(query));
        }

        var work = DecisionWork.Rent(query, explain);
        try
        {
            if (work.Explaining)
            {
                work.Note(RouteTraceStage.Input, query.Destination.ToString(), DescribeQuery(query));
            }

            Decide(work);
            return work.Finish(snapshot);
        }
        finally
        {
            work.Return();
        }
    }

    private void Decide(DecisionWork work)
    {
        var query = work.Query;
        var destination = Plain(query.Destination);
        var family = Family.Of(destination);

        // The interface owning a given source, which strong host send binds the lookup to; null when none was given or none is known.
        NetInterfaceInfo? sourceOwner = null;
        if (query.Source is IPAddress given && !CheckSource(work, given, family, out sourceOwner))
        {
            return;
        }

        NetInterfaceInfo? oif = null;
        if (query.OutputInterfaceIndex is int oifIndex)
        {
            oif = snapshot.FindInterface(oifIndex);
            if (oif is null)
            {
                work.Refuse(RouteError.NoSuchDevice, $"there is no interface with index {oifIndex} (GetBestRoute2 answers ERROR_FILE_NOT_FOUND).");
                return;
            }
        }

        if (AddressClass.IsLoopback(destination))
        {
            AnswerLoopback(work, destination, family, oif);
            return;
        }

        // The host's own address is delivered inside the host from whichever of its addresses the packet
        // comes; asked for another interface, GetBestRoute2 looks only at that interface's routes.
        if (Own(family).TryGetValue(work.DestinationNumbers, out var own) && (oif is null || oif.InterfaceIndex == own.InterfaceIndex))
        {
            AnswerOwnAddress(work, destination, family, own);
            return;
        }

        AnswerRouted(work, destination, family, oif, sourceOwner);
    }

    /// <summary>A given source must be a unicast address of this host, of the destination's family; its owner is what strong host send binds the lookup to.</summary>
    private bool CheckSource(DecisionWork work, IPAddress source, IPAddressFamily family, out NetInterfaceInfo? owner)
    {
        owner = null;
        if (Family.Of(source) != family)
        {
            work.Refuse(RouteError.InvalidArgument, $"{source} is {Family.Of(source)} and {work.Query.Destination} is {family}: a packet has one family.");
            return false;
        }

        if (AddressClass.IsMulticast(source) || AddressClass.IsLimitedBroadcast(source) || AddressClass.IsUnspecified(source))
        {
            work.Refuse(RouteError.InvalidArgument, $"{source} cannot be the source of a packet.");
            return false;
        }

        owner = OwnerOf(Plain(source));
        if (owner is not null)
        {
            if (work.Explaining)
            {
                work.Note(RouteTraceStage.Source, source.ToString(), $"given; an address of {owner.Name}, so Windows sends it only by {owner.Name} or by an interface that allows weak host send (strong host model)");
            }

            return true;
        }

        if (!snapshot.AddressesKnown)
        {
            if (work.Explaining)
            {
                work.Note(RouteTraceStage.Source, source.ToString(), "given; a table of routes alone does not say which interface owns it, so the strong host model cannot bind the lookup to one");
            }

            return true;
        }

        work.Refuse(RouteError.InvalidArgument, $"{source} is not an address of this host: Windows refuses to bind a socket to it (WSAEADDRNOTAVAIL), so no packet is sent from it.");
        return false;
    }

    /// <summary>The interface that owns a local address; any 127/8 address and ::1 are the loopback interface's.</summary>
    private NetInterfaceInfo? OwnerOf(IPAddress address)
    {
        if (Own(Family.Of(address)).TryGetValue(AddressNumbers.Of(address), out var own))
        {
            return snapshot.FindInterface(own.InterfaceIndex);
        }

        return AddressClass.IsLoopback(address) ? loopback : null;
    }

    private static void Finish(DecisionWork work, NetRouteInfo? route, RouteType type, NetInterfaceInfo? device, IPAddress nextHop, IPAddress? source, uint? interfaceMetric, Func<string> why, int? interfaceIndex = null)
    {
        var decision = work.Decision;
        decision.Route = route;
        decision.RouteType = type;
        decision.Error = RouteError.None;
        decision.InterfaceIndex = device?.InterfaceIndex ?? interfaceIndex;
        decision.InterfaceAlias = device?.Name ?? route?.InterfaceAlias;
        decision.NextHop = nextHop;
        decision.SourceAddress = source;
        decision.InterfaceMetric = interfaceMetric;
        decision.SetReason(why);
    }

    private PrefixTable<RouteGroup> Table(IPAddressFamily family) => family == IPAddressFamily.IPv4 ? ipv4 : ipv6;

    private Dictionary<(ulong High, ulong Low), NetInterfaceAddress> Own(IPAddressFamily family) => family == IPAddressFamily.IPv4 ? ownIPv4 : ownIPv6;

    private static IPAddress Unspecified(IPAddressFamily family) => family == IPAddressFamily.IPv6 ? IPAddress.IPv6Any : IPAddress.Any;

    /// <summary>The address without an IPv6 scope id, so that fe80::1%3 and fe80::1 are one address of the host.</summary>
    private static IPAddress Plain(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0 ? new IPAddress(address.GetAddressBytes()) : address;

    /// <summary>One interface in one family, as the route lookup reads it: whether its routes count, its metric, its host model, its addresses.</summary>
    private sealed class Link
    {
        public Link(NetInterfaceInfo device, IPAddressFamily family)
        {
            Interface = device;
            var settings = device.IPInterface(family);
            HostModelRead = settings is not null;
            Metric = settings?.InterfaceMetric;
            WeakHostSend = settings?.WeakHostSend == true;

            // Connected, where Windows' IP settings were read, says whether the family can use the link; else
            // the operational status does. Unknown is the OS not saying (a table of routes alone, a saved
            // snapshot), so it is taken as usable.
            if (device.AdminStatus == AdminStatus.Down)
            {
                Down = $"{device.Name} is disabled";
            }
            else if (settings is not null)
            {
                Down = settings.Connected ? null : $"{device.Name} is not connected in {family}";
            }
            else if (device.Status is not (InterfaceStatus.Up or InterfaceStatus.Unknown))
            {
                Down = $"{device.Name} is {device.Status}";
            }
        }

        public NetInterfaceInfo Interface { get; }

        /// <summary>Why Windows does not use routes on this interface; null when it does.</summary>
        public string? Down { get; }

        public uint? Metric { get; }

        public bool WeakHostSend { get; }

        /// <summary>Whether the interface's IP settings (GetIpInterfaceTable) were read; else the defaults are assumed.</summary>
        public bool HostModelRead { get; }

        public List<NetInterfaceAddress> Addresses { get; } = new();

        /// <summary>The same addresses as source selection reads them.</summary>
        public List<WindowsSourceAddressSelector.Candidate> Candidates { get; } = new();
    }
}

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using PSLoopback.Addressing;
using PSLoopback.Completion;
using PSLoopback.Conversion;
using PSLoopback.Interfaces;
using PSLoopback.Output;
using PSLoopback.Platform;
using PSLoopback.Routing;

namespace PSLoopback.Commands;

/// <summary>
/// Resolve-NetRoute: which route, interface, next hop and source address a packet to each destination would
/// use, and why; against this machine's tables or against routes the user passes.
/// </summary>
[Cmdlet(VerbsDiagnostic.Resolve, "NetRoute", DefaultParameterSetName = DestinationSet)]
[OutputType(typeof(NetRouteDecision))]
public sealed class ResolveNetRouteCommand : PSCmdlet, IDisposable
{
    private const string DestinationSet = "Destination";
    private const string InterfaceSet = "Interface";
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

    private IRouteResolver? resolver;
    private DestinationReader? destinations;
    private IKernelRouteOracle? oracle;
    private IPAddress? source;
    private int? outputInterface;
    private int? inputInterface;
    private int? vrf;
    private uint uid;
    private byte tos;
    private byte protocol;
    private IPAddressFamily? family;
    private bool flowLabelGiven;
    private readonly Stopwatch progressClock = Stopwatch.StartNew();
    private readonly CancellationTokenSource stopping = new();

    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = DestinationSet)]
    [Alias("Destination", "ComputerName", "RemoteAddress", "IPAddress")]
    [DestinationTransformation]
    [ValidateNotNullOrEmpty]
    public string[]? RemoteIPAddress { get; set; }

    /// <summary>Interfaces from Get-NetInterfaceInfo: each of their addresses is a destination.</summary>
    // Not Mandatory: a mandatory parameter in any set makes PowerShell work out the missing ones for every piped
    // destination, about a sixth of the binding's cost; ProcessRecord says when no destination came.
    [Parameter(ValueFromPipeline = true, ParameterSetName = InterfaceSet)]
    [PipedInterfaceTransformation]
    [ValidateNotNull]
    public PipedInterface[]? InputObject { get; set; }

    [Parameter]
    [Alias("SourceAddress", "From")]
    [ValidateNotNullOrEmpty]
    public string? LocalIPAddress { get; set; }

    [Parameter]
    [Alias("ifIndex", "Oif")]
    [ValidateRange(1, int.MaxValue)]
    public int InterfaceIndex { get; set; }

    private int? InterfaceIndexOrNull => MyInvocation.BoundParameters.ContainsKey(nameof(InterfaceIndex)) ? InterfaceIndex : null;

    [Parameter]
    [Alias("ifAlias")]
    [ArgumentCompleter(typeof(InterfaceNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? InterfaceAlias { get; set; }

    /// <summary>
    /// The interface the packet arrives on (ip's "iif"): the answer is the forwarding decision for a packet from
    /// another host, with the sysctls that steer it (forwarding, rp_filter, accept_local, route_localnet).
    /// </summary>
    [Parameter]
    [Alias("iif")]
    [ArgumentCompleter(typeof(InterfaceNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? InputInterface { get; set; }
    /// <summary>The VRF to look up in (ip's "vrf NAME"): the name of a VRF device.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(InterfaceNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Vrf { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public IPAddressFamily[]? AddressFamily { get; set; }

    /// <summary>The firewall mark the packet carries (ip's "mark"), for fwmark rules.</summary>
    [Parameter]
    [MarkTransformation]
    public uint Mark { get; set; }

    /// <summary>The IP header's TOS byte (ip's "tos" or "dsfield"), for tos rules and routes.</summary>
    [Parameter]
    [Alias("DSField", "TrafficClass")]
    [ValidateRange(0, 255)]
    public int Tos { get; set; }

    /// <summary>The 6-bit DSCP: the same question as -Tos (DSCP shifted left by 2).</summary>
    [Parameter]
    [ValidateRange(0, 63)]
    public int Dscp { get; set; }

    /// <summary>The transport protocol (ip's "ipproto"): a number or a name such as tcp.</summary>
    [Parameter]
    [Alias("Protocol", "IPProto")]
    [ValidateNotNullOrEmpty]
    public string? IPProtocol { get; set; }

    [Parameter]
    [Alias("SPort")]
    [ValidateRange(0, 65535)]
    public int SourcePort { get; set; }

    [Parameter]
    [Alias("DPort")]
    [ValidateRange(0, 65535)]
    public int DestinationPort { get; set; }

    /// <summary>IPv6: the packet's 20-bit flow label (ip's "flowlabel"), for flowlabel rules.</summary>
    [Parameter]
    [ValidateRange(0, 0xFFFFF)]
    public int FlowLabel { get; set; }

    /// <summary>The sending user's id (ip's "uid"), for uidrange rules; by default the user running the command.</summary>
    [Parameter]
    public uint Uid { get; set; }

    [Parameter]
    public SwitchParameter Explain { get; set; }

    [Parameter]
    [ValidateNotNull]
    public object[]? RouteTable { get; set; }

    /// <summary>A machine's whole routing state from Get-NetRouteSnapshot, live or deserialized.</summary>
    [Parameter]
    [ValidateNotNull]
    public PSObject? Snapshot { get; set; }

    [Parameter]
    public SwitchParameter Verify { get; set; }

    protected override void BeginProcessing()
    {
        if (Verify && (RouteTable is not null || Snapshot is not null))
        {
            Fail("VerifyWithRouteTable", ErrorCategory.InvalidArgument, null,
                "-Verify asks this machine's own network stack, so it cannot check answers for a -RouteTable or -Snapshot from elsewhere.");
        }

        if (RouteTable is not null && Snapshot is not null)
        {
            Fail("RouteTableWithSnapshot", ErrorCategory.InvalidArgument, null,
                "Give -RouteTable (routes alone) or -Snapshot (a whole machine), not both.");
        }

        var snapshot = Snapshot is not null ? FromSnapshot(Snapshot) : RouteTable is null ? ReadSnapshot() : FromRouteTable(RouteTable);
        resolver = RouteResolvers.For(snapshot);
        destinations = DestinationReaders.ForCurrentOS(snapshot.Interfaces, stopping.Token, interfacesAreThisMachine: Snapshot is null && RouteTable is null, snapshot.OperatingSystem);
        source = ParseSource();
        outputInterface = FindOutputInterface(snapshot);
        inputInterface = FindInputInterface(snapshot);
        vrf = FindVrf(snapshot);

        // A forwarded packet has no sending user: the kernel routes it as uid 0.
        uid = MyInvocation.BoundParameters.ContainsKey(nameof(Uid)) ? Uid : InputInterface is null ? CurrentUser.Id() : 0;
        tos = ParseTos();
        protocol = ParseProtocol();
        family = Families.OneOrNone(AddressFamily);
        flowLabelGiven = MyInvocation.BoundParameters.ContainsKey(nameof(FlowLabel));
        if (Verify)
        {
            try
            {
                oracle = RouteSources.KernelOracleForCurrentOS(snapshot.Interfaces);
            }
            catch (PlatformNotSupportedException e)
            {
                CannotVerify(e);
            }
        }
    }

    protected override void ProcessRecord()
    {
        var targets = InputObject is null ? RemoteIPAddress : InterfaceAddresses.Of(this, InputObject);
        if (targets is null)
        {
            Fail("DestinationMissing", ErrorCategory.InvalidArgument, null,
                "Give a destination: Resolve-NetRoute 192.0.2.1, a host name, or addresses and interfaces through the pipeline.");
            return;
        }

        for (var i = 0; i < targets.Length; i++)
        {
            var target = targets[i];
            if (InputInterface is not null && inputInterface is null)
            {
                WriteError(new ErrorRecord(
                    new ItemNotFoundException($"No network interface named '{InputInterface}' was found, so no packet to {target} can arrive on it (-InputInterface)."),
                    "InputInterfaceNotFound", ErrorCategory.ObjectNotFound, target));
                continue;
            }

            AnswerEach(target);

            if (targets.Length > 1 && progressClock.Elapsed > ProgressInterval)
            {
                progressClock.Restart();
                WriteProgress(new ProgressRecord(1, "Resolve-NetRoute", $"{i + 1} of {targets.Length} destinations")
                {
                    PercentComplete = (int)(100L * (i + 1) / targets.Length),
                });
            }
        }
    }

    /// <summary>Answers for one of the addresses a destination stands for, or says why its question cannot be asked.</summary>
    private void AnswerFor(string target, IPAddress destination)
    {
        var query = RouteQuery.ForPacketTo(destination);
        var address = query.Destination;
        if (source is not null && source.AddressFamily != address.AddressFamily)
        {
            WriteError(new ErrorRecord(
                new PSArgumentException($"{target} ({address}) is {Family.Of(address)}, but -LocalIPAddress {source} is {Family.Of(source)}: a packet has one family."),
                "AddressFamilyMismatch", ErrorCategory.InvalidArgument, target));
            return;
        }

        // Only IPv6 headers carry a flow label; the kernel refuses one for an IPv4 lookup.
        if (flowLabelGiven && address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
        {
            WriteError(new ErrorRecord(
                new PSArgumentException($"{target} ({address}) is {Family.Of(address)}, but -FlowLabel is a field of the IPv6 header only."),
                "FlowLabelNotIPv6", ErrorCategory.InvalidArgument, target));
            return;
        }

        WriteObject(new NetRouteDecision(Answer(target, query)));
    }

    /// <summary>PowerShell disposes the cmdlet when the pipeline ends, stopped or not: the kernel socket goes with it.</summary>
    public void Dispose()
    {
        oracle?.Dispose();
        stopping.Dispose();
    }

    /// <summary>Ctrl+C ends a hosts-file read that is under way, as it does in Test-Loopback.</summary>
    protected override void StopProcessing() => stopping.Cancel();

    protected override void EndProcessing()
    {
        WriteProgress(new ProgressRecord(1, "Resolve-NetRoute", "done") { RecordType = ProgressRecordType.Completed });
    }

    private RouteDecision Answer(string target, RouteQuery query)
    {
        query.Source = source;
        query.OutputInterfaceIndex = outputInterface ?? query.OutputInterfaceIndex;
        if (inputInterface is int input)
        {
            // A zone (fe80::1%3) says where a socket sends; a packet that arrives has no output interface yet.
            query.InputInterfaceIndex = input;
            query.OutputInterfaceIndex = null;
        }

        query.VrfInterfaceIndex = vrf;
        query.Mark = Mark;
        query.Uid = uid;
        query.Tos = tos;
        query.IPProtocol = protocol;
        query.SourcePort = (ushort)SourcePort;
        query.DestinationPort = (ushort)DestinationPort;
        query.FlowLabel = (uint)FlowLabel;
        var address = query.Destination;
        var decision = resolver!.Resolve(query, Explain);
        decision.Destination = target;
        if (oracle is not null)
        {
            KernelRouteAnswer kernel;
            try
            {
                kernel = oracle.Ask(query);
            }
            catch (PlatformNotSupportedException e)
            {
                CannotVerify(e);
                return decision;
            }
            catch (Exception e) when (e is not PipelineStoppedException)
            {
                WriteError(new ErrorRecord(e, "KernelQueryFailed", ErrorCategory.ReadError, target));
                return decision;
            }

            var verified = RouteVerification.Verify(query, decision, kernel, resolver.Snapshot.OperatingSystem);
            decision.KernelAgrees = verified.Verdict == KernelVerdict.Agrees;
            decision.KernelVerdict = verified.Verdict;
            decision.KernelAnswer = kernel.ToString();
            if (verified.Verdict == KernelVerdict.HashChoseOtherPath)
            {
                WriteWarning($"The kernel hashed {target} ({address}) onto another path of the same multipath route, {verified.KernelPath}: the headline is the first path, not a prediction of the hash.");
            }
            else if (verified.Verdict == KernelVerdict.LastChoiceTookOtherPath)
            {
                WriteWarning($"The kernel sent {target} ({address}) by another of the default routes it takes turns among, {verified.KernelPath}: which one it takes next depends on its last choice, which no dump shows.");
            }
            else if (verified.Verdict == KernelVerdict.CachedFromOtherRoute)
            {
                WriteWarning($"The kernel answered {target} ({address}) with the MTU or source of another route through the same nexthop object (see RoutesSharingNextHop): the kernel caches the route a lookup makes on the nexthop, made by whichever of them was looked up first since the last route change.");
            }
            else if (verified.Verdict == KernelVerdict.Differs)
            {
                WriteWarning($"{(resolver.Snapshot.OperatingSystem == HostOS.Windows ? "Windows (GetBestRoute2)" : "The kernel")} routes {target} ({address}) differently: {string.Join("; ", verified.Differences)}.");
            }
        }

        return decision;
    }

    /// <summary>The OS cannot be asked (no GetBestRoute2, as under Wine; no oracle on macOS): say so once, and answer unchecked.</summary>
    private void CannotVerify(PlatformNotSupportedException e)
    {
        WriteWarning(e.Message + " KernelAgrees stays empty.");
        oracle?.Dispose();
        oracle = null;
    }

    /// <summary>Answers for the address given, or for every address a name resolves to (read as Test-Loopback reads them).</summary>
    private void AnswerEach(string target)
    {
        var answer = destinations!.Read(target);
        if (answer.Problem != DestinationProblem.None)
        {
            WriteError(answer.Problem == DestinationProblem.Invalid
                ? new ErrorRecord(new PSArgumentException(answer.Message), "InvalidDestination", ErrorCategory.InvalidArgument, target)
                : new ErrorRecord(new ItemNotFoundException(answer.Message, answer.Cause), "NameNotResolved", ErrorCategory.ObjectNotFound, target));
            return;
        }

        // A flow label exists only in IPv6 headers: a name's IPv4 addresses are left out while it has IPv6 ones
        // (an IPv4 address given as such, or a name with no IPv6 address, is still reported as an error).
        var addresses = answer.Addresses;
        var onlyIPv6 = family is null && flowLabelGiven && answer.Parsed.Kind != DestinationKind.Address
            && Has(addresses, IPAddressFamily.IPv6) && Has(addresses, IPAddressFamily.IPv4);
        if (onlyIPv6)
        {
            WriteVerbose($"{target}: its IPv4 addresses are left out, since -FlowLabel is a field of the IPv6 header only.");
        }

        var wanted = onlyIPv6 ? IPAddressFamily.IPv6 : family;
        var answered = 0;
        for (var i = 0; i < addresses.Count; i++)
        {
            if (wanted is null || Family.Of(addresses[i]) == wanted)
            {
                AnswerFor(target, addresses[i]);
                answered++;
            }
        }

        if (answered == 0)
        {
            WriteError(answer.Parsed.Kind == DestinationKind.Address
                ? NotOfFamily(target)
                : new ErrorRecord(new ItemNotFoundException($"The host name '{target}' has no {family} address."), "NameNotResolved", ErrorCategory.ObjectNotFound, target));
        }
    }

    private static bool Has(IReadOnlyList<IPAddress> addresses, IPAddressFamily wanted)
    {
        for (var i = 0; i < addresses.Count; i++)
        {
            if (Family.Of(addresses[i]) == wanted)
            {
                return true;
            }
        }

        return false;
    }

    private ErrorRecord NotOfFamily(string target) =>
        new(new PSArgumentException($"{target} is not an {family} address, and -AddressFamily {family} was asked for."), "AddressFamilyMismatch", ErrorCategory.InvalidArgument, target);

    private RouteSnapshot ReadSnapshot()
    {
        RouteSnapshot? snapshot = null;
        try
        {
            var clock = Stopwatch.StartNew();
            var source = RouteSources.ForCurrentOS();
            snapshot = source.ReadSnapshot();
            SourceWarnings.Write(this, source);
            WriteVerbose($"Read {snapshot.Routes.Count} routes, {snapshot.Rules.Count} rules and {snapshot.Interfaces.Count} interfaces in {clock.Elapsed.TotalMilliseconds:0.0} ms.");
        }
        catch (PlatformNotSupportedException e)
        {
            Fail("RoutesUnsupported", ErrorCategory.NotImplemented, null, e.Message, e);
        }
        catch (Exception e) when (e is not PipelineStoppedException)
        {
            Fail("RoutesUnavailable", ErrorCategory.ReadError, null, "The routing tables could not be read: " + e.Message, e);
        }

        return snapshot!;
    }

    private RouteSnapshot FromRouteTable(object[] routes)
    {
        var converted = new List<NetRouteInfo>();
        var os = RunningOS.Current;
        try
        {
            os = RouteObjectConverter.OperatingSystemOf(routes, RunningOS.Current);
        }
        catch (ArgumentException e)
        {
            Fail("InvalidRouteTable", ErrorCategory.InvalidData, null, e.Message, e);
        }

        for (var i = 0; i < routes.Length; i++)
        {
            try
            {
                converted.Add(RouteObjectConverter.Convert(routes[i], i, os));
            }
            catch (ArgumentException e)
            {
                Fail("InvalidRouteTable", ErrorCategory.InvalidData, routes[i], e.Message, e);
            }
        }

        try
        {
            RouteObjectConverter.NameDevices(converted);
        }
        catch (ArgumentException e)
        {
            Fail("InvalidRouteTable", ErrorCategory.InvalidData, null, e.Message, e);
        }

        WriteVerbose($"Read {converted.Count} {os} routes from -RouteTable.");
        return RouteSnapshot.FromRoutes(converted, os);
    }

    private RouteSnapshot FromSnapshot(PSObject saved)
    {
        RouteSnapshot? snapshot = null;
        try
        {
            snapshot = SnapshotConverter.Convert(saved);
            WriteVerbose($"Read {snapshot.Routes.Count} routes, {snapshot.Rules.Count} rules and {snapshot.Interfaces.Count} interfaces from -Snapshot.");
        }
        catch (ArgumentException e)
        {
            Fail("InvalidSnapshot", ErrorCategory.InvalidData, saved, e.Message, e);
        }

        return snapshot!;
    }

    private IPAddress? ParseSource()
    {
        if (LocalIPAddress is null)
        {
            return null;
        }

        if (!Destination.TryParseAddress(LocalIPAddress, out var address))
        {
            Fail("InvalidLocalIPAddress", ErrorCategory.InvalidArgument, LocalIPAddress, $"-LocalIPAddress '{LocalIPAddress}' is not an IP address.");
        }

        // The source a socket sends from, as the destination is the one it sends to (::ffff:10.0.0.1 is IPv4).
        return Destination.AsSent(address);
    }

    private byte ParseTos()
    {
        var bound = MyInvocation.BoundParameters;
        if (bound.ContainsKey(nameof(Tos)) && bound.ContainsKey(nameof(Dscp)))
        {
            Fail("TosWithDscp", ErrorCategory.InvalidArgument, null,
                "Give -Tos (the whole TOS byte) or -Dscp (its upper six bits), not both: -Dscp 46 is -Tos 184 (0xb8).");
        }

        return (byte)(bound.ContainsKey(nameof(Dscp)) ? Dscp << 2 : Tos);
    }

    private byte ParseProtocol()
    {
        if (IPProtocol is null)
        {
            return 0;
        }

        if (!IPProtocolNumber.TryParse(IPProtocol, out var number))
        {
            Fail("InvalidIPProtocol", ErrorCategory.InvalidArgument, IPProtocol, $"-IPProtocol '{IPProtocol}' is not an IP protocol: give {IPProtocolNumber.AcceptedForms}.");
        }

        return number;
    }

    /// <summary>The index of -InputInterface, or null when it is not given or names no interface (a per-destination error then).</summary>
    private int? FindInputInterface(RouteSnapshot snapshot)
    {
        if (InputInterface is null)
        {
            return null;
        }

        if (InterfaceAlias is not null || InterfaceIndexOrNull is not null)
        {
            Fail("InputWithOutputInterface", ErrorCategory.InvalidArgument, null,
                "Give -InputInterface (where a forwarded packet arrives) or -InterfaceAlias/-InterfaceIndex (where a sent packet leaves), not both.");
        }

        if (snapshot.OperatingSystem != HostOS.Linux)
        {
            Fail("InputInterfaceUnsupported", ErrorCategory.InvalidArgument, null,
                $"-InputInterface asks for a forwarding decision, which only the Linux model answers; this snapshot is from {snapshot.OperatingSystem}.");
        }

        var named = snapshot.FindInterface(InputInterface)
            ?? snapshot.Interfaces.FirstOrDefault(i => string.Equals(i.Name, InputInterface, StringComparison.OrdinalIgnoreCase));
        return named?.InterfaceIndex;
    }

    private int? FindOutputInterface(RouteSnapshot snapshot)
    {
        if (InterfaceAlias is not null)
        {
            var named = snapshot.FindInterface(InterfaceAlias)
                ?? snapshot.Interfaces.FirstOrDefault(i => string.Equals(i.Name, InterfaceAlias, StringComparison.OrdinalIgnoreCase));
            if (named is null)
            {
                Fail("InterfaceNotFound", ErrorCategory.ObjectNotFound, InterfaceAlias, $"No network interface named '{InterfaceAlias}' was found.");
            }

            if (InterfaceIndexOrNull is int index && index != named!.InterfaceIndex)
            {
                Fail("InterfaceMismatch", ErrorCategory.InvalidArgument, InterfaceIndex, $"-InterfaceAlias {InterfaceAlias} has index {named.InterfaceIndex}, not {index}.");
            }

            return named!.InterfaceIndex;
        }

        if (InterfaceIndexOrNull is int wanted && RouteTable is null && snapshot.FindInterface(wanted) is null)
        {
            Fail("InterfaceNotFound", ErrorCategory.ObjectNotFound, wanted, $"No network interface with index {wanted} was found.");
        }

        return InterfaceIndexOrNull;
    }

    private int? FindVrf(RouteSnapshot snapshot)
    {
        if (Vrf is null)
        {
            return null;
        }

        // The kernel answers `ip route get ... iif DEV` by the input route, which takes the VRF of DEV and ignores vrf.
        if (InputInterface is not null)
        {
            Fail("VrfWithInputInterface", ErrorCategory.InvalidArgument, Vrf,
                "Give -Vrf (the VRF a sent packet is routed in) or -InputInterface (a forwarded packet is routed in the VRF of the interface it arrives on), not both.");
        }

        var named = snapshot.FindInterface(Vrf)
            ?? snapshot.Interfaces.FirstOrDefault(i => string.Equals(i.Name, Vrf, StringComparison.OrdinalIgnoreCase));
        if (named is null)
        {
            Fail("VrfNotFound", ErrorCategory.ObjectNotFound, Vrf, $"No network interface named '{Vrf}' was found, so it cannot be the VRF.");
        }

        if (!named!.IsVrf)
        {
            Fail("NotAVrf", ErrorCategory.InvalidArgument, Vrf, $"'{named.Name}' is not a VRF device: -Vrf takes the name of one (ip link add NAME type vrf table N).");
        }

        // The kernel is asked with one oif: an interface of the VRF implies the VRF, one outside it contradicts it.
        if (outputInterface is int oif && oif != named.InterfaceIndex && snapshot.FindInterface(oif)?.MasterIndex != named.InterfaceIndex)
        {
            Fail("InterfaceNotInVrf", ErrorCategory.InvalidArgument, Vrf, $"The output interface {snapshot.FindInterface(oif)?.Name ?? oif.ToString(System.Globalization.CultureInfo.InvariantCulture)} is not in VRF {named.Name}.");
        }

        return named.InterfaceIndex;
    }

    private void Fail(string id, ErrorCategory category, object? target, string message, Exception? cause = null) =>
        ThrowTerminatingError(new ErrorRecord(
            category switch
            {
                ErrorCategory.InvalidArgument => new PSArgumentException(message, cause),
                ErrorCategory.ObjectNotFound => new ItemNotFoundException(message, cause),
                _ => new InvalidOperationException(message, cause),
            },
            id, category, target));
}

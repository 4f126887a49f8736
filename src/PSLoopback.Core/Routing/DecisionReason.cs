using System;
using System.Globalization;
using System.Net;
using PSLoopback.Addressing;

namespace PSLoopback.Routing;

/// <summary>
/// What a decision's reason is written from when it is first read: the common answers as their parts (no text and
/// no closure while a hundred thousand answers are made and never shown), any other as a function.
/// </summary>
internal readonly struct DecisionReason
{
    private readonly Kind kind;
    private readonly NetRouteInfo? route;
    private readonly IPAddress? nextHop;
    private readonly string? device;
    private readonly string? why;
    private readonly Func<string>? factory;

    private DecisionReason(Kind kind, NetRouteInfo? route, IPAddress? nextHop, string? device, string? why, Func<string>? factory)
    {
        this.kind = kind;
        this.route = route;
        this.nextHop = nextHop;
        this.device = device;
        this.why = why;
        this.factory = factory;
    }

    private enum Kind : byte
    {
        None,
        Text,
        LongestMatch,
        ThisHost,
    }

    public static DecisionReason Of(Func<string> factory) => new(Kind.Text, null, null, null, null, factory ?? throw new ArgumentNullException(nameof(factory)));

    /// <summary>"longest match P in table T, via G" (or "on the link of D"), then the path choice's clause if any.</summary>
    public static DecisionReason LongestMatch(NetRouteInfo route, IPAddress nextHop, string? device, string why) =>
        new(Kind.LongestMatch, route, nextHop, device, why, null);

    /// <summary>"X is an address of this host (P is a local route in table T): the packet goes through D".</summary>
    public static DecisionReason ThisHost(NetRouteInfo route, string through) => new(Kind.ThisHost, route, null, through, null, null);

    public string Write(RouteDecision decision) => kind switch
    {
        Kind.Text => factory!(),
        Kind.LongestMatch => $"longest match {route!.DestinationPrefix} in table {route.TableName}"
            + (AddressClass.IsUnspecified(nextHop!) ? $", on the link of {device}" : $", via {nextHop}")
            + (why!.Length > 0 ? "; " + why : string.Empty),
        Kind.ThisHost => $"{decision.RemoteIPAddress} is an address of this host ({route!.DestinationPrefix} is a {route.RouteType.ToString().ToLowerInvariant()} route in table {route.TableName}): the packet goes through {device}",
        _ => string.Empty,
    };

    /// <summary>An interface's name, else its index, as the reason names it.</summary>
    public static string DeviceText(string? name, int index) => name ?? index.ToString(CultureInfo.InvariantCulture);
}

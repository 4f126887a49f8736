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
    private readonly IPAddress? nextHop;
    private readonly string? device;

    // The path choice's clause (a string) for LongestMatch, the function (a Func<string>) for Text: one field for both.
    private readonly object? text;

    private DecisionReason(Kind kind, IPAddress? nextHop, string? device, object? text)
    {
        this.kind = kind;
        this.nextHop = nextHop;
        this.device = device;
        this.text = text;
    }

    private enum Kind : byte
    {
        None,
        Text,
        LongestMatch,
        ThisHost,
    }

    /// <summary>Whether there is a reason to write.</summary>
    public bool IsSet => kind != Kind.None;

    public static DecisionReason Of(Func<string> factory) => new(Kind.Text, null, null, factory ?? throw new ArgumentNullException(nameof(factory)));

    /// <summary>
    /// "longest match P in table T, via G" (or "on the link of D"), then the path choice's clause if any. The route is
    /// the decision's own <see cref="RouteDecision.Route"/>; a null <paramref name="nextHop"/> is that route's gateway.
    /// </summary>
    public static DecisionReason LongestMatch(IPAddress? nextHop, string? device, string why) =>
        new(Kind.LongestMatch, nextHop, device, why);

    /// <summary>"X is an address of this host (P is a local route in table T): the packet goes through D", of the decision's route.</summary>
    public static DecisionReason ThisHost(string through) => new(Kind.ThisHost, null, through, null);

    public string Write(RouteDecision decision)
    {
        var route = decision.Route;
        switch (kind)
        {
            case Kind.Text:
                return ((Func<string>)text!)();
            case Kind.LongestMatch:
                var hop = nextHop ?? route!.NextHop;
                var why = (string)text!;
                return $"longest match {route!.DestinationPrefix} in table {route.TableName}"
                    + (AddressClass.IsUnspecified(hop) ? $", on the link of {device}" : $", via {hop}")
                    + (why.Length > 0 ? "; " + why : string.Empty);
            case Kind.ThisHost:
                return $"{decision.RemoteIPAddress} is an address of this host ({route!.DestinationPrefix} is a {route.RouteType.ToString().ToLowerInvariant()} route in table {route.TableName}): the packet goes through {device}";
            default:
                return string.Empty;
        }
    }

    /// <summary>An interface's name, else its index, as the reason names it.</summary>
    public static string DeviceText(string? name, int index) => name ?? index.ToString(CultureInfo.InvariantCulture);
}

namespace PSLoopback.Routing;

/// <summary>IPv6 router preference (RFC 4191), with the values Linux uses in RTA_PREF.</summary>
public enum RoutePreference : byte
{
    Medium = 0,
    High = 1,
    Low = 3,
}

namespace PSLoopback.Routing;

/// <summary>How a Windows route came to be: NL_ROUTE_ORIGIN, named as Get-NetRoute's Origin is.</summary>
public enum RouteOrigin
{
    Manual = 0,
    WellKnown = 1,
    Dhcp = 2,
    RouterAdvertisement = 3,
    SixToFour = 4,
}

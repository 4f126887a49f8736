namespace PSLoopback.Addressing;

/// <summary>The two IP families, named as Windows' networking cmdlets name them.</summary>
public enum IPAddressFamily
{
    IPv4,
    IPv6,
}

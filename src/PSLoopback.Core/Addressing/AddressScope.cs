namespace PSLoopback.Addressing;

/// <summary>How far an address is valid, with the values of Linux's RT_SCOPE_*.</summary>
public enum AddressScope : byte
{
    Global = 0,
    Site = 200,
    Link = 253,
    Host = 254,
    Nowhere = 255,
}

using PSLoopback.Interfaces;

namespace PSLoopback.Output;

/// <summary>One address configured on an interface, as text and numbers (Get-NetInterfaceInfo's Addresses).</summary>
public sealed class NetIPAddress
{
    internal NetIPAddress(NetInterfaceAddress address)
    {
        InterfaceIndex = address.InterfaceIndex;
        InterfaceAlias = address.InterfaceAlias;
        IPAddress = OutputText.Of(address.IPAddress)!;
        PrefixLength = address.PrefixLength;
        AddressFamily = address.AddressFamily.ToString();
        Scope = OutputText.Of(address.Scope);
        Broadcast = OutputText.Of(address.Broadcast);
        Peer = OutputText.Of(address.Peer);
        Label = address.Label;
        Flags = address.Flags.ToString();
        IsTemporary = address.IsTemporary;
        IsSecondary = address.IsSecondary;
        IsDeprecated = address.IsDeprecated;
        IsTentative = address.IsTentative;
        IsDadFailed = address.IsDadFailed;
        AddressState = address.IsDadFailed ? "Duplicate" : address.IsTentative ? "Tentative" : address.IsDeprecated ? "Deprecated" : "Preferred";
        PrefixOrigin = OutputText.Of(address.PrefixOrigin);
        SuffixOrigin = OutputText.Of(address.SuffixOrigin);
        SkipAsSource = address.SkipAsSource;
        ValidLifetimeSeconds = OutputText.Seconds(address.ValidLifetime);
        PreferredLifetimeSeconds = OutputText.Seconds(address.PreferredLifetime);
    }

    public int InterfaceIndex { get; }

    public int ifIndex => InterfaceIndex;

    public string InterfaceAlias { get; }

    public string IPAddress { get; }

    public int PrefixLength { get; }

    public string AddressFamily { get; }

    /// <summary>Null where the OS does not say (Windows and macOS report no scope).</summary>
    public string? Scope { get; }

    public string? Broadcast { get; }

    /// <summary>The far end of a point-to-point link, where one is configured.</summary>
    public string? Peer { get; }

    public string? Label { get; }

    public string Flags { get; }

    public bool IsTemporary { get; }

    public bool IsSecondary { get; }

    public bool IsDeprecated { get; }

    public bool IsTentative { get; }

    public bool IsDadFailed { get; }

    /// <summary>Get-NetIPAddress's word for the duplicate-address-detection state: Preferred, Deprecated, Tentative or Duplicate.</summary>
    public string AddressState { get; }

    /// <summary>Windows: where the prefix came from (Manual, WellKnown, Dhcp, RouterAdvertisement); null elsewhere.</summary>
    public string? PrefixOrigin { get; }

    /// <summary>Windows: where the rest came from (Manual, WellKnown, Dhcp, LinkLayerAddress, Random); null elsewhere.</summary>
    public string? SuffixOrigin { get; }

    /// <summary>Windows: an administrator excluded the address from source selection (Set-NetIPAddress -SkipAsSource).</summary>
    public bool SkipAsSource { get; }

    /// <summary>Seconds left; 4294967295 is forever (RFC 4861's infinity, as ip -j writes it); null where the OS does not say.</summary>
    public long? ValidLifetimeSeconds { get; }

    /// <summary>Seconds left; 4294967295 is forever; null where the OS does not say.</summary>
    public long? PreferredLifetimeSeconds { get; }

    public override string ToString() => IPAddress + "/" + PrefixLength;
}

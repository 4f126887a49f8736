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

    /// <summary>Seconds left; 4294967295 is forever (RFC 4861's infinity, as ip -j writes it); null where the OS does not say.</summary>
    public long? ValidLifetimeSeconds { get; }

    /// <summary>Seconds left; 4294967295 is forever; null where the OS does not say.</summary>
    public long? PreferredLifetimeSeconds { get; }

    public override string ToString() => IPAddress + "/" + PrefixLength;
}

using System;
using System.Net;
using PSLoopback.Addressing;

namespace PSLoopback.Interfaces;

/// <summary>One address configured on an interface.</summary>
public sealed class NetInterfaceAddress
{
    public NetInterfaceAddress(int interfaceIndex, string interfaceAlias, IPAddress ipAddress, int prefixLength)
    {
        InterfaceIndex = interfaceIndex;
        InterfaceAlias = interfaceAlias;
        IPAddress = ipAddress ?? throw new ArgumentNullException(nameof(ipAddress));
        PrefixLength = prefixLength;
    }

    public int InterfaceIndex { get; }

    public string InterfaceAlias { get; }

    public IPAddress IPAddress { get; }

    public int PrefixLength { get; }

    public IPAddressFamily AddressFamily => IPAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
        ? IPAddressFamily.IPv6
        : IPAddressFamily.IPv4;

    /// <summary>Null where the OS does not say (Windows and macOS report no scope).</summary>
    public AddressScope? Scope { get; internal set; }

    public IPAddress? Broadcast { get; internal set; }

    /// <summary>The far end of a point-to-point link, where one is configured.</summary>
    public IPAddress? Peer { get; internal set; }

    /// <summary>Linux's IPv4 address label (eth0:1 style); null elsewhere.</summary>
    public string? Label { get; internal set; }

    public AddressFlags Flags { get; internal set; }

    /// <summary>Windows: where the prefix came from (Get-NetIPAddress's PrefixOrigin); null elsewhere.</summary>
    public System.Net.NetworkInformation.PrefixOrigin? PrefixOrigin { get; internal set; }

    /// <summary>Windows: where the rest of the address came from (SuffixOrigin); null elsewhere.</summary>
    public System.Net.NetworkInformation.SuffixOrigin? SuffixOrigin { get; internal set; }

    /// <summary>Windows: an administrator excluded the address from source selection.</summary>
    public bool SkipAsSource { get; internal set; }

    /// <summary>A privacy address (RFC 8981) that the host rotates.</summary>
    public bool IsTemporary => AddressFamily == IPAddressFamily.IPv6 && (Flags & AddressFlags.Secondary) != 0;

    public bool IsSecondary => AddressFamily == IPAddressFamily.IPv4 && (Flags & AddressFlags.Secondary) != 0;

    public bool IsDeprecated => (Flags & AddressFlags.Deprecated) != 0;

    /// <summary>Still in duplicate address detection: not yet usable as a source.</summary>
    public bool IsTentative => (Flags & AddressFlags.Tentative) != 0;

    public bool IsDadFailed => (Flags & AddressFlags.DadFailed) != 0;

    /// <summary>TimeSpan.MaxValue means forever, as Windows shows "Infinite"; null where the OS does not say.</summary>
    public TimeSpan? ValidLifetime { get; internal set; }

    /// <summary>TimeSpan.MaxValue means forever; null where the OS does not say.</summary>
    public TimeSpan? PreferredLifetime { get; internal set; }

    public override string ToString() => IPAddress + "/" + PrefixLength;
}

using System;
using System.Collections.Generic;
using PSLoopback.Interfaces;

namespace PSLoopback.Routing;

/// <summary>One interface as a saved snapshot carries it: what the resolver reads of an interface, and no more.</summary>
public sealed class SavedInterface
{
    public SavedInterface(int interfaceIndex, string name)
    {
        InterfaceIndex = interfaceIndex;
        Name = name;
    }

    public int InterfaceIndex { get; }

    public string Name { get; }

    public InterfaceType InterfaceType { get; set; }

    /// <summary>A down interface cannot be asked for as the output interface.</summary>
    public AdminStatus AdminStatus { get; set; }

    /// <summary>The operational status; the Windows model skips a link that is not up where its IP settings were not read.</summary>
    public InterfaceStatus Status { get; set; }

    /// <summary>Linux: the interface group, which suppress_ifgroup rules compare; null where the snapshot did not carry it.</summary>
    public uint? Group { get; set; }
    /// <summary>Linux: the device this one is enslaved to; a VRF master puts it in that VRF.</summary>
    public int? MasterIndex { get; set; }

    /// <summary>Linux: the table of a VRF device; null for every other interface.</summary>
    public uint? VrfTable { get; set; }

    public IReadOnlyList<SavedAddress> Addresses { get; set; } = Array.Empty<SavedAddress>();

    /// <summary>Windows: the per-family settings the Windows model reads (interface metric, host model, connected).</summary>
    public IReadOnlyList<NetIPInterfaceInfo> IPInterfaces { get; set; } = Array.Empty<NetIPInterfaceInfo>();
}

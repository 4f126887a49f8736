using System;
using System.Collections.Generic;

namespace PSLoopback.Platform.Linux.Netlink;

/// <summary>An RTM_NEWNEXTHOP message: struct nhmsg and the NHA_* attributes PSLoopback uses.</summary>
public sealed class NextHopMessage
{
    /// <summary>AF_INET or AF_INET6 for a nexthop with a gateway or device; AF_UNSPEC for a group.</summary>
    public byte Family { get; internal set; }

    public byte Scope { get; internal set; }

    public byte Protocol { get; internal set; }

    /// <summary>RTNH_F_* flags (dead, onlink, linkdown).</summary>
    public uint Flags { get; internal set; }

    /// <summary>NHA_ID; a message without one is refused, since routes name nexthops by it.</summary>
    public uint Id { get; internal set; }

    /// <summary>NHA_GROUP: each member's id and weight (1 to 65536); empty for a single nexthop.</summary>
    public IReadOnlyList<(uint Id, int Weight)> Group { get; internal set; } = Array.Empty<(uint, int)>();

    /// <summary>NHA_GROUP_TYPE: NEXTHOP_GRP_TYPE_MPATH (0) or NEXTHOP_GRP_TYPE_RES (1).</summary>
    public ushort GroupType { get; internal set; }

    /// <summary>NHA_RES_GROUP_BUCKETS of a resilient group.</summary>
    public ushort? Buckets { get; internal set; }

    public bool Blackhole { get; internal set; }

    public bool Fdb { get; internal set; }

    public int? OutputInterface { get; internal set; }

    /// <summary>NHA_GATEWAY, 4 or 16 bytes by <see cref="Family"/>.</summary>
    public byte[]? Gateway { get; internal set; }

    /// <summary>NHA_ENCAP_TYPE, where the nexthop encapsulates (MPLS, seg6, ...); its NHA_ENCAP is not read.</summary>
    public ushort? EncapsulationType { get; internal set; }
}

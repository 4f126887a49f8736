using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;

namespace PSLoopback.Routing;

/// <summary>
/// A Linux nexthop object (`ip nexthop`), which routes name by id (RTA_NH_ID): one gateway and device, a
/// blackhole, or a group of other objects with weights. A route's paths come from it whether or not the
/// kernel repeats them in the route dump (net.ipv4.nexthop_compat_mode).
/// </summary>
public sealed class NetNextHopObject
{
    private IReadOnlyList<NetNextHopGroupMember> group = Array.Empty<NetNextHopGroupMember>();

    public NetNextHopObject(uint id)
    {
        Id = id;
    }

    public uint Id { get; }

    /// <summary>The family of its gateway; null for a group or a blackhole made without one (AF_UNSPEC).</summary>
    public IPAddressFamily? AddressFamily { get; set; }

    /// <summary>The gateway; null for a nexthop straight onto its device's link.</summary>
    public IPAddress? Gateway { get; set; }

    /// <summary>The device (NHA_OIF); 0 for a group, and for a blackhole.</summary>
    public int InterfaceIndex { get; set; }

    public string? InterfaceAlias { get; set; }

    /// <summary>NHA_BLACKHOLE: a route using it drops packets as a blackhole route does.</summary>
    public bool Blackhole { get; set; }

    /// <summary>NHA_FDB: for the bridge's forwarding database (VXLAN); a route may not use it.</summary>
    public bool Fdb { get; set; }

    /// <summary>RTNH_F_* flags: onlink, dead, linkdown.</summary>
    public RouteFlags Flags { get; set; }

    public AddressScope Scope { get; set; }

    public RouteProtocol Protocol { get; set; }

    /// <summary>Whether it carries a lightweight tunnel encapsulation (NHA_ENCAP), which is not modelled.</summary>
    public bool HasEncapsulation { get; set; }

    /// <summary>The members of a group; empty for a single nexthop.</summary>
    public IReadOnlyList<NetNextHopGroupMember> Group
    {
        get => group;
        set => group = value ?? Array.Empty<NetNextHopGroupMember>();
    }

    public bool IsGroup => Group.Count > 0;

    public NextHopGroupType GroupType { get; set; }

    /// <summary>The number of hash buckets of a resilient group.</summary>
    public int? Buckets { get; set; }

    /// <summary>As `ip nexthop` prints it.</summary>
    public override string ToString()
    {
        var text = "id " + Id.ToString(CultureInfo.InvariantCulture);
        if (IsGroup)
        {
            text += " group " + string.Join("/", Group.Select(m => m.ToString()));
            if (GroupType == NextHopGroupType.Resilient)
            {
                text += " type resilient" + (Buckets is int buckets ? " buckets " + buckets.ToString(CultureInfo.InvariantCulture) : string.Empty);
            }
        }
        else if (Blackhole)
        {
            text += " blackhole";
        }
        else
        {
            text += (Gateway is null ? string.Empty : " via " + Gateway)
                + (InterfaceIndex == 0 ? string.Empty : " dev " + (InterfaceAlias ?? InterfaceIndex.ToString(CultureInfo.InvariantCulture)))
                + (Scope == AddressScope.Global ? string.Empty : " scope " + Scope.ToString().ToLowerInvariant());
        }

        // In ip's order of RTNH_F_* names.
        foreach (var (flag, name) in new[] { (RouteFlags.Dead, "dead"), (RouteFlags.OnLink, "onlink"), (RouteFlags.LinkDown, "linkdown") })
        {
            if ((Flags & flag) != 0)
            {
                text += " " + name;
            }
        }

        return text + (Fdb ? " fdb" : string.Empty);
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;
using PSLoopback.Output;
using PSLoopback.Routing;

namespace PSLoopback.Conversion;

/// <summary>
/// Reads a snapshot back from what Get-NetRouteSnapshot wrote, live or copied (Import-Clixml, remoting,
/// ConvertFrom-Json), into the resolver's <see cref="RouteSnapshot"/>. Always from the text, so a live
/// snapshot and its copies are answered alike; the checks on what a kernel can hold are Core's.
/// </summary>
internal static class SnapshotConverter
{
    private const string Source = "the snapshot";

    public static RouteSnapshot Convert(object input)
    {
        var row = new InputRow(input, "The snapshot");
        if (!row.Has("Interfaces") || !row.Has("Routes") || !row.Has("FormatVersion"))
        {
            throw row.Bad("it is not one written by Get-NetRouteSnapshot (it needs FormatVersion, Interfaces and Routes); a list of routes goes to -RouteTable");
        }

        var version = row.Number("FormatVersion", int.MaxValue, 1) ?? throw row.Bad("its FormatVersion is empty");
        if (version > NetRouteSnapshot.CurrentFormatVersion)
        {
            throw row.Bad($"its FormatVersion {version} is newer than this PSLoopback reads ({NetRouteSnapshot.CurrentFormatVersion}); update the module");
        }

        var osName = row.Text("OperatingSystem");
        var os = string.Equals(osName, "Linux", StringComparison.OrdinalIgnoreCase) ? HostOS.Linux
            : string.Equals(osName, "Windows", StringComparison.OrdinalIgnoreCase) ? HostOS.Windows
            : throw row.Bad($"it was taken on {osName ?? "an unnamed OS"}, and only Linux's and Windows' routing decisions are implemented");
        var interfaces = Items(row, "Interfaces").Select((item, i) => Interface(new InputRow(item, $"Interface {i + 1} of {Source}"))).ToList();
        var routes = Items(row, "Routes").Select((item, i) => RouteObjectConverter.Convert(item, i, os, Source)).ToList();
        var rules = Items(row, "Rules").Select((item, i) => Rule(new InputRow(item, $"Rule {i + 1} of {Source}"))).ToList();
        var temporary = Items(row, "PreferTemporaryAddresses")
            .Select(item => int.TryParse(item.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var index) ? index : throw row.Bad($"its PreferTemporaryAddresses has '{item}', not an interface index"))
            .ToList();
        var nextHops = Items(row, "NextHopObjects").Select(item => NextHop(new InputRow(item, $"A nexthop object of {Source}"))).ToList();
        var neighbors = Items(row, "Neighbors").Select(item => Neighbor(new InputRow(item, $"A neighbour entry of {Source}"))).ToList();
        var settings = Items(row, "Settings").Select(item => Setting(row, item.ToString())).ToList();

        // Snapshots written before the exception cache was kept have none, as a host with an empty cache.
        var exceptions = Items(row, "Exceptions").Select((item, i) => Exception(new InputRow(item, $"Cache entry {i + 1} of {Source}"))).ToList();
        return SavedSnapshot.Build(interfaces, routes, rules, temporary, os, new LinuxState(nextHops, neighbors, settings, exceptions));
    }

    private static NetRouteException Exception(InputRow row)
    {
        var destination = row.Address("Destination") ?? throw row.Bad("it has no Destination");
        var expires = row.Number("ExpiresSeconds", int.MaxValue);
        var readAt = row.Text("ReadAt");
        return new NetRouteException
        {
            Destination = destination,
            Source = row.Address("Source"),
            NextHop = row.Address("NextHop") ?? throw row.Bad("it has no NextHop"),
            InterfaceIndex = (int)(row.Number("InterfaceIndex", int.MaxValue, 1) ?? throw row.Bad("it has no InterfaceIndex")),
            InterfaceAlias = row.Text("InterfaceAlias"),
            Table = (uint)(row.Number("Table", uint.MaxValue, 1) ?? RouteTables.Main),
            RouteMetric = (uint)(row.Number("RouteMetric", uint.MaxValue) ?? 0),
            Redirected = row.Boolean("Redirected") ?? false,
            Mtu = (int?)row.Number("Mtu", int.MaxValue, 1),
            MtuLocked = row.Boolean("MtuLocked") ?? false,
            Expires = expires is long seconds ? TimeSpan.FromSeconds(seconds) : null,
            ReadAt = readAt is null ? null
                : DateTime.TryParse(readAt, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var at) ? at
                : throw row.Bad($"its ReadAt '{readAt}' is not a time"),
        };
    }

    private static SavedInterface Interface(InputRow row)
    {
        var index = (int)(row.Number("InterfaceIndex", int.MaxValue, 1) ?? throw row.Bad("it has no InterfaceIndex"));
        var name = row.Text("Name") ?? row.Text("InterfaceAlias") ?? throw row.Bad("it has no Name");
        var addresses = Items(row, "Addresses").Select(item =>
        {
            var address = new InputRow(item, row.Label);
            var ip = address.Address("IPAddress") ?? throw row.Bad("an address has no IPAddress");
            return new SavedAddress(ip, (int)(address.Number("PrefixLength", 128) ?? throw row.Bad($"its address {ip} has no PrefixLength")))
            {
                Scope = address.Enum<AddressScope>("Scope"),
                Peer = address.Address("Peer"),
                Flags = address.Enum<AddressFlags>("Flags") ?? AddressFlags.None,
                SkipAsSource = address.Boolean("SkipAsSource") ?? false,
            };
        }).ToList();
        return new SavedInterface(index, name)
        {
            InterfaceType = row.Enum<InterfaceType>("InterfaceType") ?? InterfaceType.Unknown,
            AdminStatus = row.Enum<AdminStatus>("AdminStatus") ?? throw row.Bad("it has no AdminStatus"),
            Status = row.Enum<InterfaceStatus>("Status") ?? InterfaceStatus.Unknown,
            Group = (uint?)row.Number("Group", uint.MaxValue),
            MasterIndex = (int?)row.Number("MasterIndex", int.MaxValue, 1),
            VrfTable = (uint?)row.Number("VrfTable", uint.MaxValue),
            Addresses = addresses,
            IPInterfaces = Items(row, "IPInterfaces").Select(item => IPInterface(new InputRow(item, row.Label), (int)index)).ToList(),
        };
    }

    /// <summary>A Windows interface's settings in one family (Get-NetIPInterface), what the Windows model ranks and sends by.</summary>
    private static NetIPInterfaceInfo IPInterface(InputRow row, int index) =>
        new(index, row.Enum<IPAddressFamily>("AddressFamily") ?? throw row.Bad("an IP interface has no AddressFamily"))
        {
            InterfaceMetric = (uint)(row.Number("InterfaceMetric", uint.MaxValue) ?? throw row.Bad("an IP interface has no InterfaceMetric")),
            AutomaticMetric = row.Boolean("AutomaticMetric") ?? false,
            NlMtu = (uint?)row.Number("NlMtu", uint.MaxValue),
            Forwarding = row.Boolean("Forwarding") ?? false,
            WeakHostSend = row.Boolean("WeakHostSend") ?? false,
            WeakHostReceive = row.Boolean("WeakHostReceive") ?? false,
            Connected = row.Boolean("Connected") ?? throw row.Bad("an IP interface has no Connected"),
        };

    private static NetRouteRule Rule(InputRow row)
    {
        var rule = new NetRouteRule
        {
            AddressFamily = row.Enum<IPAddressFamily>("AddressFamily") ?? throw row.Bad("it has no AddressFamily"),
            Priority = (uint)(row.Number("Priority", uint.MaxValue) ?? throw row.Bad("it has no Priority")),
            Action = row.KernelByte<RuleAction>("Action") ?? RuleAction.Lookup,
            From = row.Prefix("From"),
            FromAddress = AddressAsGiven(row, "From"),
            To = row.Prefix("To"),
            ToAddress = AddressAsGiven(row, "To"),
            Not = row.Boolean("Not") ?? false,
            FwMark = (uint?)row.Number("FwMark", uint.MaxValue),
            FwMask = (uint?)row.Number("FwMask", uint.MaxValue),
            IncomingInterface = row.Text("IncomingInterface"),
            IncomingInterfaceDetached = row.Boolean("IncomingInterfaceDetached") ?? false,
            OutgoingInterface = row.Text("OutgoingInterface"),
            OutgoingInterfaceDetached = row.Boolean("OutgoingInterfaceDetached") ?? false,
            Tos = (byte)(row.Number("Tos", byte.MaxValue) ?? 0),
            Dscp = (byte?)row.Number("Dscp", 63),
            DscpMask = (byte?)row.Number("DscpMask", 63),
            FlowLabel = (uint?)row.Number("FlowLabel", 0xFFFFF),
            FlowLabelMask = (uint?)row.Number("FlowLabelMask", 0xFFFFF),
            GotoPriority = (uint?)row.Number("GotoPriority", uint.MaxValue),
            GotoUnresolved = row.Boolean("GotoUnresolved") ?? false,
            SuppressPrefixLength = (int?)row.Number("SuppressPrefixLength", 128),
            SuppressInterfaceGroup = (int?)row.Number("SuppressInterfaceGroup", int.MaxValue, int.MinValue),
            IPProtocol = (byte?)row.Number("IPProtocol", byte.MaxValue),
            SourcePortRange = Ports(row, "SourcePortRange"),
            DestinationPortRange = Ports(row, "DestinationPortRange"),
            SourcePortMask = (ushort?)row.Number("SourcePortMask", ushort.MaxValue),
            DestinationPortMask = (ushort?)row.Number("DestinationPortMask", ushort.MaxValue),
            UidRange = Uids(row),
            L3MasterDevice = row.Boolean("L3MasterDevice") ?? false,
            TunnelId = row.UnsignedNumber("TunnelId"),
            Realms = (uint?)row.Number("Realms", uint.MaxValue),
            Protocol = row.KernelByte<RouteProtocol>("Protocol") ?? RouteProtocol.Unspecified,
        };
        var table = row.Text("Table");
        if (table is not null)
        {
            rule.Table = RouteTables.TryParse(table, out var id) ? id : throw row.Bad($"its Table '{table}' is not main, local, default or a number");
        }

        return rule;
    }

    private static NetNextHopObject NextHop(InputRow row)
    {
        var group = row.Text("Group");
        return new NetNextHopObject((uint)(row.Number("Id", uint.MaxValue, 1) ?? throw row.Bad("it has no Id")))
        {
            AddressFamily = row.Enum<IPAddressFamily>("AddressFamily"),
            Gateway = row.Address("Gateway"),
            InterfaceIndex = (int)(row.Number("InterfaceIndex", int.MaxValue) ?? 0),
            InterfaceAlias = row.Text("InterfaceAlias"),
            Blackhole = row.Boolean("Blackhole") ?? false,
            Fdb = row.Boolean("Fdb") ?? false,
            Flags = row.Enum<RouteFlags>("Flags") ?? RouteFlags.None,
            Scope = row.Enum<AddressScope>("Scope") ?? AddressScope.Global,
            Protocol = row.KernelByte<RouteProtocol>("Protocol") ?? RouteProtocol.Unspecified,
            HasEncapsulation = row.Boolean("HasEncapsulation") ?? false,
            Group = group is null ? Array.Empty<NetNextHopGroupMember>() : group.Split('/').Select(member => GroupMember(row, member)).ToArray(),
            GroupType = row.Enum<NextHopGroupType>("GroupType") ?? NextHopGroupType.Multipath,
            Buckets = (int?)row.Number("Buckets", ushort.MaxValue),
        };
    }

    /// <summary>"7" or "7,3": a member's id and weight, as ip nexthop writes a group.</summary>
    private static NetNextHopGroupMember GroupMember(InputRow row, string text)
    {
        var parts = text.Split(',');
        var numbers = parts.Select(p => long.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1).ToArray();
        return parts.Length is 1 or 2 && numbers[0] is >= 1 and <= uint.MaxValue && (parts.Length == 1 || numbers[1] is >= 1 and <= 65536)
            ? new NetNextHopGroupMember((uint)numbers[0], parts.Length == 2 ? (int)numbers[1] : 1)
            : throw row.Bad($"its Group has '{text}', not id[,weight]");
    }

    private static NetNeighbor Neighbor(InputRow row) =>
        new(row.Address("IPAddress") ?? throw row.Bad("it has no IPAddress"),
            (int)(row.Number("InterfaceIndex", int.MaxValue, 1) ?? throw row.Bad("it has no InterfaceIndex")),
            row.Enum<NeighborState>("State") ?? throw row.Bad("it has no State"))
        {
            InterfaceAlias = row.Text("InterfaceAlias"),
            LinkLayerAddress = row.Text("LinkLayerAddress"),
            Flags = row.Enum<NeighborFlags>("Flags") ?? NeighborFlags.None,
        };

    /// <summary>"net.ipv4.fib_multipath_use_neigh=1", as Get-NetRouteSnapshot writes a sysctl.</summary>
    private static KeyValuePair<string, long> Setting(InputRow row, string? text)
    {
        var equals = text?.LastIndexOf('=') ?? -1;
        return equals > 0 && long.TryParse(text!.Substring(equals + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? new KeyValuePair<string, long>(text.Substring(0, equals), value)
            : throw row.Bad($"its Settings has '{text}', not name=number");
    }

    /// <summary>A rule's from or to as ip rule printed it, host bits and all (10.1.2.3/8), which its text keeps.</summary>
    private static System.Net.IPAddress? AddressAsGiven(InputRow row, string name)
    {
        var text = row.Text(name);
        var slash = text?.IndexOf('/') ?? -1;
        return text is not null && Destination.TryParseAddress(slash < 0 ? text : text.Substring(0, slash), out var address) ? address : null;
    }

    private static PortRange? Ports(InputRow row, string name)
    {
        var text = row.Text(name);
        if (text is null)
        {
            return null;
        }

        var (start, end) = Range(row, name, text, ushort.MaxValue);
        return new PortRange((ushort)start, (ushort)end);
    }

    private static UidRange? Uids(InputRow row)
    {
        var text = row.Text("UidRange");
        if (text is null)
        {
            return null;
        }

        var (start, end) = Range(row, "UidRange", text, uint.MaxValue);
        return new UidRange((uint)start, (uint)end);
    }

    /// <summary>"80" or "1000-2000", as the output records write a range.</summary>
    private static (long Start, long End) Range(InputRow row, string name, string text, long maximum)
    {
        var parts = text.Split('-');
        var numbers = parts.Select(p => long.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= maximum ? n : -1).ToArray();
        return parts.Length is 1 or 2 && numbers.All(n => n >= 0) && numbers[0] <= numbers[numbers.Length - 1]
            ? (numbers[0], numbers[numbers.Length - 1])
            : throw row.Bad($"its {name} '{text}' is not a range such as 1000-2000");
    }

    /// <summary>
    /// A list property's items. A list that arrives as one string was flattened by a serializer that went
    /// too shallow (ConvertTo-Json without -Depth, Export-Clixml -Depth 1), and is refused as such.
    /// </summary>
    private static IEnumerable<object> Items(InputRow row, string name)
    {
        var value = row.Value(name);
        if (value is null)
        {
            return Array.Empty<object>();
        }

        if (PSObject.AsPSObject(value).BaseObject is string text)
        {
            return text.Length == 0
                ? Array.Empty<object>()
                : throw row.Bad($"its {name} arrived as text ('{(text.Length > 40 ? text.Substring(0, 40) + "..." : text)}'), not a list: it was saved too shallow (ConvertTo-Json needs -Depth 6)");
        }

        return (LanguagePrimitives.GetEnumerable(value) ?? new[] { value }).Cast<object?>()
            .Select(item => item ?? throw row.Bad($"its {name} has an empty item"))
            .ToList();
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.NetworkInformation;
using System.Reflection;
using PSLoopback.Platform.Windows.Native;
using PSLoopback.Routing;
using Xunit.Abstractions;

namespace PSLoopback.Core.Tests.Platform.Windows;

/// <summary>
/// The numbers the Windows layer relies on against the Windows SDK headers that mingw-w64 ships, by name: every
/// integer constant and enumeration member declared in Platform/Windows/Native (each named as the SDK names
/// it), and the members of the model's enumerations that are cast straight from Windows' integers.
/// </summary>
public class NativeConstantTests
{
    /// <summary>The model's enumerations whose numbers are Windows' own, each member with the SDK's name for it.</summary>
    private static readonly Dictionary<Enum, string> ModelMembers = new()
    {
        // NL_ROUTE_PROTOCOL, whose MIB_IPPROTO_* names cover the NT_* values too; Igrp is Cisco's.
        [WindowsRouteProtocol.Other] = "MIB_IPPROTO_OTHER",
        [WindowsRouteProtocol.Local] = "MIB_IPPROTO_LOCAL",
        [WindowsRouteProtocol.NetMgmt] = "MIB_IPPROTO_NETMGMT",
        [WindowsRouteProtocol.Icmp] = "MIB_IPPROTO_ICMP",
        [WindowsRouteProtocol.Egp] = "MIB_IPPROTO_EGP",
        [WindowsRouteProtocol.Ggp] = "MIB_IPPROTO_GGP",
        [WindowsRouteProtocol.Hello] = "MIB_IPPROTO_HELLO",
        [WindowsRouteProtocol.Rip] = "MIB_IPPROTO_RIP",
        [WindowsRouteProtocol.IsIs] = "MIB_IPPROTO_IS_IS",
        [WindowsRouteProtocol.EsIs] = "MIB_IPPROTO_ES_IS",
        [WindowsRouteProtocol.Igrp] = "MIB_IPPROTO_CISCO",
        [WindowsRouteProtocol.Bbn] = "MIB_IPPROTO_BBN",
        [WindowsRouteProtocol.Ospf] = "MIB_IPPROTO_OSPF",
        [WindowsRouteProtocol.Bgp] = "MIB_IPPROTO_BGP",
        [WindowsRouteProtocol.Idpr] = "MIB_IPPROTO_IDPR",
        [WindowsRouteProtocol.Eigrp] = "MIB_IPPROTO_EIGRP",
        [WindowsRouteProtocol.Dvmrp] = "MIB_IPPROTO_DVMRP",
        [WindowsRouteProtocol.Rpl] = "MIB_IPPROTO_RPL",
        [WindowsRouteProtocol.Dhcp] = "MIB_IPPROTO_DHCP",
        [WindowsRouteProtocol.NTAutostatic] = "MIB_IPPROTO_NT_AUTOSTATIC",
        [WindowsRouteProtocol.NTStatic] = "MIB_IPPROTO_NT_STATIC",
        [WindowsRouteProtocol.NTStaticNonDod] = "MIB_IPPROTO_NT_STATIC_NON_DOD",

        // NL_ROUTE_ORIGIN.
        [RouteOrigin.Manual] = "NlroManual",
        [RouteOrigin.WellKnown] = "NlroWellKnown",
        [RouteOrigin.Dhcp] = "NlroDHCP",
        [RouteOrigin.RouterAdvertisement] = "NlroRouterAdvertisement",
        [RouteOrigin.SixToFour] = "Nlro6to4",

        // NL_PREFIX_ORIGIN and NL_SUFFIX_ORIGIN, as .NET's own enumerations, which the interface builder casts to.
        [PrefixOrigin.Other] = "IpPrefixOriginOther",
        [PrefixOrigin.Manual] = "IpPrefixOriginManual",
        [PrefixOrigin.WellKnown] = "IpPrefixOriginWellKnown",
        [PrefixOrigin.Dhcp] = "IpPrefixOriginDhcp",
        [PrefixOrigin.RouterAdvertisement] = "IpPrefixOriginRouterAdvertisement",
        [SuffixOrigin.Other] = "IpSuffixOriginOther",
        [SuffixOrigin.Manual] = "IpSuffixOriginManual",
        [SuffixOrigin.WellKnown] = "IpSuffixOriginWellKnown",
        [SuffixOrigin.OriginDhcp] = "IpSuffixOriginDhcp",
        [SuffixOrigin.LinkLayerAddress] = "IpSuffixOriginLinkLayerAddress",
        [SuffixOrigin.Random] = "IpSuffixOriginRandom",
    };

    /// <summary>
    /// Macros the Windows SDK's NL_ROUTE_PROTOCOL has and mingw-w64 10's headers lack: compared only where the
    /// headers define them, and otherwise named in the test's output as not checked.
    /// </summary>
    private static readonly HashSet<string> MissingFromMingw = new(StringComparer.Ordinal)
    {
        "MIB_IPPROTO_IDPR", "MIB_IPPROTO_EIGRP", "MIB_IPPROTO_DVMRP", "MIB_IPPROTO_RPL", "MIB_IPPROTO_DHCP",
    };

    private readonly ITestOutputHelper output;

    public NativeConstantTests(ITestOutputHelper output)
    {
        this.output = output;
    }

    [MingwFact]
    public void EveryNamedConstantHasTheValueOfTheWindowsHeaders()
    {
        var checks = Checks().ToList();
        Assert.Contains(checks, c => c.Name == "IpHelper.IF_TYPE_SOFTWARE_LOOPBACK");
        Assert.Contains(checks, c => c.Name == "NDIS_MEDIUM.NdisMediumLoopback");
        Assert.Contains(checks, c => c.Name == "Advapi32.HKEY_LOCAL_MACHINE");
        Assert.Subset(checks.Select(c => c.C).ToHashSet(), MissingFromMingw);

        var values = MingwHeaders.Evaluate(checks.Select(c => (c.C, MissingFromMingw.Contains(c.C) ? c.C : null)).ToList());
        var absent = checks.Where((c, i) => !values.ContainsKey(i)).ToList();
        Assert.True(absent.All(c => MissingFromMingw.Contains(c.C)), "No value read for " + string.Join(", ", absent.Select(c => c.C)));
        if (absent.Count > 0)
        {
            output.WriteLine("Not in these headers, so not checked: " + string.Join(", ", absent.Select(c => $"{c.C} ({c.Name})")));
        }

        var wrong = checks
            .Select((c, i) => (c.Name, c.C, c.Expected, Found: values.TryGetValue(i, out var value), Actual: value))
            .Where(c => c.Found && c.Expected != c.Actual)
            .Select(c => $"{c.Name}: C# {c.Expected}, the headers' {c.C} {c.Actual}")
            .ToList();
        Assert.True(wrong.Count == 0, "Constants differ from the Windows headers:\n" + string.Join("\n", wrong));
    }

    /// <summary>Each number with the C name it must equal.</summary>
    private static IEnumerable<(string Name, string C, long Expected)> Checks()
    {
        var native = typeof(IpHelper).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(IpHelper).Namespace)
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .ToList();

        // Static classes: their integer constants (and HKEY_LOCAL_MACHINE, a handle), not the DLL names.
        foreach (var type in native.Where(t => t.IsAbstract && t.IsSealed))
        {
            foreach (var field in type.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
            {
                var value = field.GetValue(null);
                if (value is IntPtr handle)
                {
                    yield return ($"{type.Name}.{field.Name}", field.Name, handle.ToInt64());
                }
                else if (value is not string)
                {
                    yield return ($"{type.Name}.{field.Name}", field.Name, Convert.ToInt64(value));
                }
            }
        }

        foreach (var type in native.Where(t => t.IsEnum))
        {
            foreach (var member in Enum.GetValues(type).Cast<Enum>())
            {
                yield return ($"{type.Name}.{member}", member.ToString(), Convert.ToInt64(member));
            }
        }

        foreach (var type in ModelMembers.Keys.Select(m => m.GetType()).Distinct())
        {
            foreach (var member in Enum.GetValues(type).Cast<Enum>())
            {
                Assert.True(ModelMembers.ContainsKey(member), $"{type.Name}.{member} has no Windows SDK name in {nameof(ModelMembers)}.");
                yield return ($"{type.Name}.{member}", ModelMembers[member], Convert.ToInt64(member));
            }
        }
    }
}

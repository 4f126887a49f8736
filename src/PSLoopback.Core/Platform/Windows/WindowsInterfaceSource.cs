using System;
using System.Collections.Generic;
using System.ComponentModel;
using PSLoopback.Interfaces;

namespace PSLoopback.Platform.Windows;

/// <summary>
/// Interfaces from the IP Helper API, as Get-NetAdapter, Get-NetIPAddress and Get-NetIPInterface see them:
/// GetAdaptersAddresses gives the interfaces themselves (names, index, LUID, type, oper status, MTU, MAC,
/// unicast addresses with prefix lengths, DNS suffix); GetIfTable2 their counters, speed, media type and
/// admin status; GetUnicastIpAddressTable each address's DAD state, origins, lifetimes and SkipAsSource;
/// GetIpInterfaceTable the per-family metric, MTU, forwarding and host model.
/// <para>
/// Without the adapter list there is nothing to show, and <see cref="GetInterfaces"/> throws
/// (<see cref="PlatformNotSupportedException"/> when the function is missing, else <see cref="Win32Exception"/>
/// or <see cref="IpHelperParseException"/>). Any of the other three may be missing or fail: its facts stay
/// empty and <see cref="Warnings"/> says so.
/// </para>
/// <para>
/// Under Wine 8 (measured on Debian 12) the names are Linux's (lo, eth0), and the index, type, oper status,
/// MTU, MAC, addresses with prefix lengths and counters are the host's; but every interface is
/// administratively up (a Linux link that is down too), every address lifetime is 60000 s, the origins are
/// Manual or Dhcp, the medium is 802.3 (the loopback's too), no speed is known, and GetIpInterfaceTable
/// answers ERROR_NOT_SUPPORTED. Windows documents real values for all of them.
/// </para>
/// </summary>
public sealed class WindowsInterfaceSource : IInterfaceSource, ISourceWarnings
{
    private IReadOnlyList<string> warnings = Array.Empty<string>();

    /// <inheritdoc/>
    public IReadOnlyList<string> Warnings => warnings;

    public IReadOnlyList<NetInterfaceInfo> GetInterfaces()
    {
        var missing = new List<string>();
        var (buffer, baseAddress) = IpHelperCalls.Adapters();
        var adapters = AdapterAddressesReader.Parse(buffer, baseAddress);
        var interfaceRows = Optional(missing, "no counters, link speed or media type; admin status only where the interface is up",
            () => MibRows.Interfaces(IpHelperCalls.InterfaceTable()));
        var unicastRows = Optional(missing, "no address lifetimes, DAD states, prefix or suffix origins, or SkipAsSource",
            () => MibRows.UnicastAddresses(IpHelperCalls.UnicastAddressTable()));
        var ipInterfaceRows = Optional(missing, "no interface metrics, per-family MTU, forwarding or host model, so routes rank by their own metric alone",
            () => MibRows.IPInterfaces(IpHelperCalls.IPInterfaceTable()));
        warnings = missing;
        return WindowsInterfaceBuilder.Build(adapters, interfaceRows, unicastRows, ipInterfaceRows);
    }

    /// <summary>Reads what a function gives, or records why it could not and what is lost.</summary>
    internal static T? Optional<T>(List<string> warnings, string lost, Func<T> read)
        where T : class
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is PlatformNotSupportedException or Win32Exception or IpHelperParseException)
        {
            warnings.Add($"{e.Message.TrimEnd('.')}: {lost}.");
            return null;
        }
    }
}

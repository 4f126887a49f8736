using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using PSLoopback.Addressing;
using PSLoopback.Interfaces;
using PSLoopback.Platform.Windows.Native;

namespace PSLoopback.Platform.Windows;

/// <summary>
/// Windows' switch for IPv6, the DisabledComponents value (REG_DWORD) under
/// HKLM\SYSTEM\CurrentControlSet\Services\Tcpip6\Parameters (Microsoft's "Guidance for configuring IPv6 in
/// Windows for advanced users", KB 929852). Its bits: 0x01 IPv6 off on every tunnel interface, 0x02 on 6to4,
/// 0x04 on ISATAP, 0x08 on Teredo, 0x10 on every non-tunnel interface (LAN, PPP), 0x20 IPv4 preferred over
/// IPv6 in the prefix policy table; 0xFF, the documented "disable IPv6", is all of them. None turns off the
/// loopback's IPv6: with 0xFF, ::1 still answers on the loopback pseudo-interface. So only an interface list
/// whose loopback has no IPv6 address says IPv6 is off there; the value then tells the likely reason.
/// </summary>
public static class WindowsIPv6Settings
{
    public const string KeyPath = @"SYSTEM\CurrentControlSet\Services\Tcpip6\Parameters";
    public const string ValueName = "DisabledComponents";

    /// <summary>The value, or null when it is not set (the default, all of IPv6 on) or cannot be read (not Windows, Wine without it).</summary>
    public static uint? ReadDisabledComponents()
    {
        try
        {
            uint size = sizeof(uint);
            return Advapi32.RegGetValueW(Advapi32.HKEY_LOCAL_MACHINE, KeyPath, ValueName, Advapi32.RRF_RT_REG_DWORD, IntPtr.Zero, out var value, ref size) == Advapi32.ERROR_SUCCESS
                ? value
                : null;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The value in words, as a diagnosis names it: "DisabledComponents = 0xFF under HKLM\... (...)".</summary>
    public static string Describe(uint value)
    {
        var parts = new List<string>();
        if ((value & 0x10) != 0)
        {
            parts.Add("IPv6 off on every non-tunnel interface");
        }

        if ((value & 0x01) != 0)
        {
            parts.Add("IPv6 off on every tunnel interface");
        }
        else
        {
            var tunnels = new[] { (0x02u, "6to4"), (0x04u, "ISATAP"), (0x08u, "Teredo") }
                .Where(t => (value & t.Item1) != 0)
                .Select(t => t.Item2)
                .ToArray();
            if (tunnels.Length > 0)
            {
                parts.Add("IPv6 off on the " + string.Join(", ", tunnels) + " tunnels");
            }
        }

        if ((value & 0x20) != 0)
        {
            parts.Add("IPv4 preferred over IPv6");
        }

        var text = string.Format(CultureInfo.InvariantCulture, @"{0} = 0x{1:X2} under HKLM\{2}", ValueName, value, KeyPath);
        return parts.Count == 0 ? text : text + " (" + string.Join("; ", parts) + ")";
    }

    /// <summary>
    /// Why ::1 does not exist on this host, or null when the loopback interface has an IPv6 address (or there is
    /// no loopback interface to judge by). Pure: <paramref name="disabledComponents"/> is the registry value.
    /// </summary>
    public static string? IPv6DisabledBy(IReadOnlyList<NetInterfaceInfo> interfaces, uint? disabledComponents)
    {
        var loopback = interfaces.FirstOrDefault(i => i.IsLoopback);
        if (loopback is null || loopback.Addresses.Any(a => a.AddressFamily == IPAddressFamily.IPv6))
        {
            return null;
        }

        var why = $"the loopback interface {loopback.Name} has no IPv6 address";
        return disabledComponents is uint value and not 0 ? why + "; " + Describe(value) : why;
    }
}

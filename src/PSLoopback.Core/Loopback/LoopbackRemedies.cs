using System.Net.Sockets;

namespace PSLoopback.Loopback;

/// <summary>
/// What a person can do about a broken loopback, in the commands of the system Test-Loopback runs on: Linux's
/// ip and sysctl, Windows' NetTCPIP cmdlets, netsh and registry, macOS's ifconfig. Never another system's.
/// </summary>
public static class LoopbackRemedies
{
    /// <summary>What a connect to 0.0.0.0 or :: does here.</summary>
    public static string UnspecifiedConnect(HostOS os, AddressFamily family)
    {
        var loopback = family == AddressFamily.InterNetwork ? "127.0.0.1" : "::1";
        return os == HostOS.Windows
            ? "Windows refuses a connect to it (WSAEADDRNOTAVAIL)."
            : $"{Name(os)} delivers a connect to it to this host as if to {loopback}, but nothing should rely on that.";
    }

    /// <summary>The loopback interface reports down: how to bring it back.</summary>
    public static string LoopbackDown(HostOS os, string name) => os switch
    {
        HostOS.Windows => $"Windows' loopback pseudo-interface cannot be switched off by hand, so its being down means the TCP/IP stack itself is broken. "
            + $"Check it with Get-NetIPInterface -InterfaceAlias '{name}', then reset the stack as Administrator: netsh int ip reset, and restart Windows.",
        HostOS.MacOS or HostOS.OtherUnix => $"Bring it up: sudo ifconfig {name} up.",
        _ => $"Bring it up: ip link set {name} up.",
    };

    /// <summary>IPv6 is switched off: how to turn it on again, or the better alternative the OS's maker advises.</summary>
    public static string IPv6Disabled(HostOS os, string loopbackName) => os switch
    {
        HostOS.Windows => "Windows keeps ::1 on its loopback pseudo-interface whatever DisabledComponents says (0xFF turns IPv6 off on every other interface), "
            + "so a loopback without it means IPv6 in the stack itself is off or broken (KB929852 warns that a value such as 0xFFFFFFFF does harm). "
            + "As Administrator, set DisabledComponents to 0x20 if IPv4 should be tried first, as Microsoft advises instead of disabling IPv6, or to 0 "
            + "(reg add HKLM\\SYSTEM\\CurrentControlSet\\Services\\Tcpip6\\Parameters /v DisabledComponents /t REG_DWORD /d 0x20 /f), "
            + "reset IPv6 with netsh int ipv6 reset, and restart Windows.",
        HostOS.Linux => $"Turn it on again: sysctl -w net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.{loopbackName}.disable_ipv6=0 (and remove the setting from /etc/sysctl.d to keep it on).",
        _ => "Turn IPv6 on again in the system's network settings.",
    };

    /// <summary>127.0.0.0/8 or ::1 is not routed to the loopback interface: where the OS keeps the right route.</summary>
    /// <remarks>Not Windows: its stack always delivers 127.0.0.0/8 and ::1 through the loopback pseudo-interface.</remarks>
    public static string LoopbackRoute(HostOS os, bool ipv4) => os switch
    {
        HostOS.Linux => ipv4
            ? "Linux's default is 'local 127.0.0.0/8 dev lo table local'."
            : "Linux's default is 'local ::1 dev lo table local', added when lo comes up with IPv6 on.",
        _ => $"The system's default sends {(ipv4 ? "127.0.0.0/8" : "::1")} to its loopback interface.",
    };

    private static string Name(HostOS os) => os switch
    {
        HostOS.Linux => "Linux",
        HostOS.MacOS => "macOS",
        _ => "This system",
    };
}

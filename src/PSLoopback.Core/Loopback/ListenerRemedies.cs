namespace PSLoopback.Loopback;

/// <summary>What a person can do about a listener that does not take a loopback connection, in the words of the system Test-Loopback runs on.</summary>
public static class ListenerRemedies
{
    /// <summary>A `::` listener with IPV6_V6ONLY set: how it got that way here, and how to make it take IPv4 too.</summary>
    public static string DualStack(HostOS os) => os switch
    {
        HostOS.Windows => "clear IPV6_V6ONLY on it (Windows sets it on every IPv6 socket unless the program asks for dual mode, as .NET's Socket.DualMode = $true does)",
        HostOS.Linux => "clear IPV6_V6ONLY on it (the program sets it, or net.ipv6.bindv6only = 1 makes it every socket's default: sysctl net.ipv6.bindv6only)",
        _ => "clear IPV6_V6ONLY on it",
    };

    /// <summary>A listener whose process was not found: how to see it, or, for root, why it cannot be seen.</summary>
    public static string SeeOwners(HostOS os, bool isRoot) => os == HostOS.Windows
        ? "Run PowerShell as Administrator to see which process it is."
        : isRoot
            ? "Even root finds no process holding it under /proc: it belongs to another PID namespace (a container), or its process is exiting."
            : "Run it as root (sudo) to see which process it is: other users' processes may not be inspected.";
}

namespace PSLoopback.Loopback;

/// <summary>What a person can do about a listener that does not take a loopback connection, in the words of the system Test-Loopback runs on.</summary>
public static class ListenerRemedies
{
    /// <summary>A `::` listener that takes no IPv4, or may not: how it gets IPV6_V6ONLY here, and how to make it take IPv4 too.</summary>
    public static string DualStack(HostOS os) => os switch
    {
        HostOS.Windows => "clear IPV6_V6ONLY on it (on Windows a plain IPv6 socket has it on; .NET's Socket.DualMode = $true clears it, and Node's listen on :: is dual-stack unless ipv6Only is set)",
        HostOS.Linux => "clear IPV6_V6ONLY on it (the program sets it, or net.ipv6.bindv6only = 1 makes it every socket's default: sysctl net.ipv6.bindv6only)",
        _ => "clear IPV6_V6ONLY on it (.NET's Socket.DualMode = $true does; Node's listen on :: is dual-stack unless ipv6Only is set)",
    };

    /// <summary>
    /// A listener whose process was not found: how to see it. Only Linux gets here with a reason: Windows'
    /// tables always give the pid, and the portable source (macOS and other systems) gives none.
    /// </summary>
    public static string SeeOwners(HostOS os, bool isRoot) => os != HostOS.Linux
        ? "This system's socket list names no processes: lsof -nP -iTCP -sTCP:LISTEN shows which process it is."
        : isRoot
            ? "Even root finds no process holding it under /proc: it belongs to another PID namespace (a container), or its process is exiting."
            : "Run it as root (sudo) to see which process it is: other users' processes may not be inspected.";
}

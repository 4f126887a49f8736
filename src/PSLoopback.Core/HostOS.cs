namespace PSLoopback;

/// <summary>Which system a snapshot came from, whose decision model answers for it, and whose conventions a diagnosis speaks of.</summary>
public enum HostOS
{
    Linux,
    Windows,
    MacOS,
    /// <summary>Another Unix: /etc/hosts, nothing more assumed.</summary>
    OtherUnix,
}

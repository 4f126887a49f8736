namespace PSLoopback.Loopback;

/// <summary>Which system's conventions a diagnosis speaks of (hosts file path, cache, what resolves localhost).</summary>
public enum HostOS
{
    Linux,
    Windows,
    MacOS,
    /// <summary>Another Unix: /etc/hosts, nothing more assumed.</summary>
    OtherUnix,
}

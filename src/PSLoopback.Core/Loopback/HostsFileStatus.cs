namespace PSLoopback.Loopback;

/// <summary>What became of reading the hosts file.</summary>
public enum HostsFileStatus
{
    /// <summary>Read, to its end or to a limit (see <see cref="HostsScan.StoppedBecause"/>).</summary>
    Read,
    Missing,
    /// <summary>It exists but this user may not read it.</summary>
    AccessDenied,
    /// <summary>A directory, FIFO, socket or device, which is not opened (a FIFO would block).</summary>
    NotRegularFile,
    /// <summary>Opening or reading it took longer than the limit (a hung mount); what was read so far is kept.</summary>
    TimedOut,
    /// <summary>Stopped by the user (Ctrl+C).</summary>
    Cancelled,
    /// <summary>Any other error of the file system.</summary>
    Unreadable,
}

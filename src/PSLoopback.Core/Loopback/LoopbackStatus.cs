namespace PSLoopback.Loopback;

/// <summary>How one loopback check ended, in the words a person would use to fix it.</summary>
public enum LoopbackStatus
{
    /// <summary>Every round trip came back.</summary>
    Success,
    /// <summary>The loopback interface is administratively down, so nothing reaches 127.0.0.1 or ::1.</summary>
    LoopbackDown,
    /// <summary>The address is loopback but the routing table does not send it to the loopback interface.</summary>
    NotRouted,
    /// <summary>The address family is switched off (IPv6 disabled).</summary>
    FamilyDisabled,
    /// <summary>No interface has the address, so nothing can listen there (EADDRNOTAVAIL).</summary>
    AddressNotAvailable,
    /// <summary>Nothing listens on the port (the connection was actively refused).</summary>
    Refused,
    /// <summary>No answer within the timeout.</summary>
    TimedOut,
    /// <summary>The target is neither a loopback address nor one of this host's: no packet was sent to it.</summary>
    NotLoopback,
    /// <summary>The name did not resolve.</summary>
    NameNotResolved,
    /// <summary>The check was stopped (Ctrl+C).</summary>
    Stopped,
    /// <summary>Another socket error; the diagnosis names it.</summary>
    Failed,
}

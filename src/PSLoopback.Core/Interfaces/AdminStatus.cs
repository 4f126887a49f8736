namespace PSLoopback.Interfaces;

/// <summary>Whether an administrator has switched the interface on (Linux IFF_UP, Windows "enabled").</summary>
public enum AdminStatus
{
    Down,
    Up,
    /// <summary>The OS did not say (Windows without GetIfTable2): neither switched on nor off is known.</summary>
    Unknown,
}

namespace PSLoopback.Interfaces;

/// <summary>Whether an administrator has switched the interface on (Linux IFF_UP, Windows "enabled").</summary>
public enum AdminStatus
{
    Down,
    Up,
}

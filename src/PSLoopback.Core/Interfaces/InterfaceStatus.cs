namespace PSLoopback.Interfaces;

/// <summary>
/// The operational status of RFC 2863 (IF-MIB ifOperStatus), which both Linux (operstate) and Windows report.
/// Linux reports the loopback interface as Unknown even when it works: its driver never sets a carrier state.
/// </summary>
public enum InterfaceStatus
{
    Unknown = 0,
    NotPresent = 1,
    Down = 2,
    LowerLayerDown = 3,
    Testing = 4,
    Dormant = 5,
    Up = 6,
}

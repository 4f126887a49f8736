namespace PSLoopback.Interfaces;

/// <summary>
/// Linux's IFF_* words for what an OS without them says (Windows' IP Helper, System.Net): up when switched on,
/// running and lower-up when operationally up, loopback, multicast. So a filter on Flags means the same everywhere.
/// </summary>
internal static class DerivedFlags
{
    public static InterfaceFlags Of(NetInterfaceInfo info, bool multicast)
    {
        var flags = InterfaceFlags.None;
        if (info.AdminStatus == AdminStatus.Up)
        {
            flags |= InterfaceFlags.Up;
        }

        if (info.Status == InterfaceStatus.Up)
        {
            flags |= InterfaceFlags.Running | InterfaceFlags.LowerUp;
        }

        if (info.IsLoopback)
        {
            flags |= InterfaceFlags.Loopback;
        }

        if (multicast)
        {
            flags |= InterfaceFlags.Multicast;
        }

        return flags;
    }
}

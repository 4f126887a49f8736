using PSLoopback.Interfaces;

namespace PSLoopback.Routing;

/// <summary>
/// Which L3 domain (VRF) an interface is in, as l3mdev_master_ifindex_rcu and l3mdev_master_dev_rcu tell it:
/// a VRF device is in its own, a device enslaved to a VRF in that VRF's, every other device in the default one.
/// </summary>
internal static class VrfDomain
{
    /// <summary>The VRF device of the interface's domain; null for the default domain.</summary>
    public static NetInterfaceInfo? VrfOf(RouteSnapshot snapshot, NetInterfaceInfo? device)
    {
        if (device is null)
        {
            return null;
        }

        if (device.IsVrf)
        {
            return device;
        }

        // Only a direct master counts (netif_is_l3_slave): a bridge port's domain is not its bridge's VRF.
        return device.MasterIndex is int master && snapshot.FindInterface(master) is { IsVrf: true } vrf ? vrf : null;
    }

    public static NetInterfaceInfo? VrfOf(RouteSnapshot snapshot, int interfaceIndex) => VrfOf(snapshot, snapshot.FindInterface(interfaceIndex));

    /// <summary>The domain as an index, 0 for the default one, the way the kernel compares devices.</summary>
    public static int IndexOf(RouteSnapshot snapshot, NetInterfaceInfo? device) => VrfOf(snapshot, device)?.InterfaceIndex ?? 0;
}

using PSLoopback.Addressing;

namespace PSLoopback.Interfaces;

/// <summary>
/// One interface's settings in one IP family, as Windows keeps them (MIB_IPINTERFACE_ROW, Get-NetIPInterface):
/// the metric Windows adds to every route's, the MTU, and the host model.
/// </summary>
public sealed class NetIPInterfaceInfo
{
    public NetIPInterfaceInfo(int interfaceIndex, IPAddressFamily addressFamily)
    {
        InterfaceIndex = interfaceIndex;
        AddressFamily = addressFamily;
    }

    public int InterfaceIndex { get; }

    public IPAddressFamily AddressFamily { get; }

    /// <summary>Added to a route's metric to rank routes of one prefix length.</summary>
    public uint InterfaceMetric { get; set; }

    /// <summary>Windows chose the metric from the link speed.</summary>
    public bool AutomaticMetric { get; set; }

    /// <summary>The network-layer MTU in this family.</summary>
    public uint? NlMtu { get; set; }

    public bool Forwarding { get; set; }

    /// <summary>Weak host send: packets may leave by this interface with another interface's source address.</summary>
    public bool WeakHostSend { get; set; }

    /// <summary>Weak host receive: this interface accepts packets for other interfaces' addresses.</summary>
    public bool WeakHostReceive { get; set; }

    /// <summary>The interface is connected in this family (Windows uses only connected interfaces' routes).</summary>
    public bool Connected { get; set; }
}

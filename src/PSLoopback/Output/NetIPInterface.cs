using PSLoopback.Interfaces;

namespace PSLoopback.Output;

/// <summary>One interface's settings in one family, as Windows keeps them (Get-NetIPInterface), as text and numbers.</summary>
public sealed class NetIPInterface
{
    internal NetIPInterface(NetIPInterfaceInfo settings)
    {
        InterfaceIndex = settings.InterfaceIndex;
        AddressFamily = settings.AddressFamily.ToString();
        InterfaceMetric = settings.InterfaceMetric;
        AutomaticMetric = settings.AutomaticMetric;
        NlMtu = settings.NlMtu;
        Forwarding = settings.Forwarding;
        WeakHostSend = settings.WeakHostSend;
        WeakHostReceive = settings.WeakHostReceive;
        Connected = settings.Connected;
    }

    public int InterfaceIndex { get; }

    public int ifIndex => InterfaceIndex;

    public string AddressFamily { get; }

    /// <summary>Added to every route's metric on this interface to rank routes.</summary>
    public uint InterfaceMetric { get; }

    public bool AutomaticMetric { get; }

    public uint? NlMtu { get; }

    public bool Forwarding { get; }

    public bool WeakHostSend { get; }

    public bool WeakHostReceive { get; }

    public bool Connected { get; }

    /// <summary>"IPv4 metric 25 mtu 1500", then what is switched on: forwarding, weakhostsend, weakhostreceive, disconnected.</summary>
    public override string ToString() =>
        $"{AddressFamily} metric {InterfaceMetric}{(AutomaticMetric ? " (automatic)" : string.Empty)}"
        + (NlMtu is uint mtu ? $" mtu {mtu}" : string.Empty)
        + (Forwarding ? " forwarding" : string.Empty)
        + (WeakHostSend ? " weakhostsend" : string.Empty)
        + (WeakHostReceive ? " weakhostreceive" : string.Empty)
        + (Connected ? string.Empty : " disconnected");
}

namespace PSLoopback.Routing;

/// <summary>What IPv6 source selection reads of a destination apart from its bits: RFC 6724 scope, label, ORCHID, multicast.</summary>
internal readonly struct Ipv6Kind
{
    public Ipv6Kind(int scope, int label, bool orchid, bool multicast)
    {
        Scope = scope;
        Label = label;
        Orchid = orchid;
        Multicast = multicast;
    }

    public int Scope { get; }

    public int Label { get; }

    public bool Orchid { get; }

    public bool Multicast { get; }
}

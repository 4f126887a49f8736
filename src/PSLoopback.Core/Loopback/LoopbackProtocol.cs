namespace PSLoopback.Loopback;

/// <summary>What the round trips carry: raw TCP, UDP datagrams, or an HTTP GET as a browser sends it.</summary>
public enum LoopbackProtocol
{
    Tcp,
    Udp,
    Http,
}

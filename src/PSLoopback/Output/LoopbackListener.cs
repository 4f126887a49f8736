using PSLoopback.Loopback;
using PSLoopback.Sockets;

namespace PSLoopback.Output;

/// <summary>A socket listening on the port Test-Loopback -Port tried: who holds it, where, and who else can reach it.</summary>
public sealed class LoopbackListener
{
    private readonly NetSocketInfo socket;

    internal LoopbackListener(NetSocketInfo socket)
    {
        this.socket = socket;
    }

    /// <summary>Null when this process may not see the owner (never guessed).</summary>
    public string? ProcessName => socket.ProcessName;

    public int? OwningProcess => socket.OwningProcess;

    public string? UserName => socket.UserName;

    public string LocalAddress => socket.LocalAddress.ToString();

    public int LocalPort => socket.LocalPort;

    /// <summary>LoopbackOnly, Interface or AllInterfaces.</summary>
    public string Exposure => socket.Exposure.ToString();

    public bool? IPv6Only => socket.IPv6Only;

    /// <summary>A `::` listener without IPV6_V6ONLY, which takes IPv4 connections too.</summary>
    public bool TakesIPv4 => socket.TakesIPv4;

    public string? BoundInterfaceAlias => socket.BoundInterfaceAlias;

    /// <summary>Its backlog (as `ss` shows a listener's Send-Q).</summary>
    public long? Backlog => socket.SendQueue;

    public override string ToString() => $"{ListenerDiagnosis.Owner(socket)} on {ListenerDiagnosis.Endpoint(socket)}";
}

using System;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading;

namespace PSLoopback.Loopback;

/// <summary>A TCP connect to a real local service (Test-Loopback -Port): is anything listening there?</summary>
public static class PortProbe
{
    /// <returns>The connect time in microseconds, or the socket error that stopped it.</returns>
    public static (double? Microseconds, SocketError? Error) Connect(IPAddress address, int port, TimeSpan timeout, CancellationToken cancel)
    {
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        LoopbackEcho.SetDualMode(socket, address);
        using var registration = cancel.Register(socket.Close);
        var clock = Stopwatch.StartNew();
        try
        {
            SocketWait.Connect(socket, new IPEndPoint(address, port), timeout);
            return (clock.Elapsed.TotalMilliseconds * 1000, null);
        }
        catch (SocketException e)
        {
            return (null, cancel.IsCancellationRequested ? SocketError.OperationAborted : e.SocketErrorCode);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            return (null, SocketError.OperationAborted);
        }
    }
}

using System;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

namespace PSLoopback.Loopback;

/// <summary>A TCP connect to a real local service (Test-Loopback -Port): is anything listening there?</summary>
public static class PortProbe
{
    /// <returns>The connect time in microseconds, or the socket error that stopped it.</returns>
    public static (double? Microseconds, SocketError? Error) Connect(IPAddress address, int port, TimeSpan timeout, CancellationToken cancel)
    {
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var registration = cancel.Register(socket.Close);
        var clock = Stopwatch.StartNew();
        try
        {
            var connecting = Task.Factory.FromAsync(socket.BeginConnect, socket.EndConnect, (EndPoint)new IPEndPoint(address, port), null);
            if (!connecting.Wait((int)Math.Max(1, timeout.TotalMilliseconds), cancel))
            {
                return (null, SocketError.TimedOut);
            }

            return (clock.Elapsed.TotalMilliseconds * 1000, null);
        }
        catch (AggregateException e) when (e.InnerException is SocketException inner)
        {
            return (null, cancel.IsCancellationRequested ? SocketError.OperationAborted : inner.SocketErrorCode);
        }
        catch (SocketException e)
        {
            return (null, e.SocketErrorCode);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            return (null, SocketError.OperationAborted);
        }
    }
}

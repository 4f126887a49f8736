using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;

namespace PSLoopback.Loopback;

/// <summary>
/// Bounded socket waits on the calling thread. No thread-pool callbacks are involved, so thirty-two checks in
/// parallel cannot starve each other's connects into timeouts.
/// </summary>
internal static class SocketWait
{
    /// <summary>Connects, or throws a SocketException (TimedOut after <paramref name="timeout"/>).</summary>
    /// <remarks>
    /// On Unix the descriptor stays non-blocking afterwards whatever Blocking says, so a socket that then
    /// carries timed traffic should not be connected this way.
    /// </remarks>
    public static void Connect(Socket socket, EndPoint endpoint, TimeSpan timeout)
    {
        socket.Blocking = false;
        try
        {
            socket.Connect(endpoint);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
        {
            // Unix reports a finished connect as writable, failed or not; Windows reports a failed one only
            // in the error set. Select watches both.
            var writable = new List<Socket> { socket };
            var failed = new List<Socket> { socket };
            Socket.Select(null, writable, failed, Microseconds(timeout));
            var result = (SocketError)(int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
            if (result != SocketError.Success)
            {
                throw new SocketException((int)result);
            }

            if (writable.Count == 0)
            {
                throw new SocketException((int)(failed.Count > 0 ? SocketError.ConnectionRefused : SocketError.TimedOut));
            }
        }
        finally
        {
            socket.Blocking = true;
        }
    }

    /// <summary>Accepts one connection that is waiting, or throws TimedOut.</summary>
    public static Socket Accept(Socket listener, TimeSpan timeout)
    {
        if (!listener.Poll(Microseconds(timeout), SelectMode.SelectRead))
        {
            throw new SocketException((int)SocketError.TimedOut);
        }

        return listener.Accept();
    }

    private static int Microseconds(TimeSpan timeout) => (int)Math.Min(Math.Max(timeout.TotalMilliseconds * 1000, 1), int.MaxValue);
}

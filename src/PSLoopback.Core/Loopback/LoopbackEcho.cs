using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;

namespace PSLoopback.Loopback;

/// <summary>
/// Real round trips through the loopback path: an echo listener bound to the tested address on an ephemeral
/// port, and a client that sends a payload and waits for all of it to come back, <c>Count</c> times. Every
/// socket is closed on every path (success, error, timeout, cancellation); every wait is bounded.
/// </summary>
public static class LoopbackEcho
{
    private const string HttpPath = "/psloopback";

    /// <param name="address">A loopback or local address: the listener binds to it, so nothing else is reachable.</param>
    /// <param name="progress">Called with the number of round trips done, now and then.</param>
    public static EchoOutcome Run(IPAddress address, EchoOptions options, CancellationToken cancel, Action<int>? progress = null)
    {
        var outcome = new EchoOutcome();
        var clock = Stopwatch.StartNew();
        Socket? listener = null;
        Socket? client = null;
        Socket? served = null;
        Thread? server = null;
        try
        {
            listener = new Socket(address.AddressFamily, options.Protocol == LoopbackProtocol.Udp ? SocketType.Dgram : SocketType.Stream,
                options.Protocol == LoopbackProtocol.Udp ? ProtocolType.Udp : ProtocolType.Tcp);
            // An IPv4-mapped address (::ffff:127.0.0.1) is IPv4 carried by IPv6 sockets: both ends must be dual-mode.
            SetDualMode(listener, address);
            outcome.Stage = "bind";
            listener.Bind(new IPEndPoint(address, 0));
            var endpoint = (IPEndPoint)listener.LocalEndPoint!;
            outcome.Port = endpoint.Port;
            outcome.Step("listen", $"echo listener bound to {Format(endpoint)}", clock);
            using var registration = cancel.Register(() => CloseAll(listener, client, served));

            client = new Socket(address.AddressFamily, listener.SocketType, listener.ProtocolType)
            {
                ReceiveTimeout = TimeoutMilliseconds(options.Timeout),
                SendTimeout = TimeoutMilliseconds(options.Timeout),
            };
            SetDualMode(client, address);

            // The listener's waits are bounded too: closing a socket does not wake every blocked receive
            // everywhere (UDP on macOS), and its thread must end with the check.
            listener.ReceiveTimeout = client.ReceiveTimeout;
            if (options.Protocol == LoopbackProtocol.Udp)
            {
                client.Bind(new IPEndPoint(address, 0));
                var peer = (IPEndPoint)client.LocalEndPoint!;
                server = StartServer(() => ServeUdp(listener, peer, outcome, clock));
                outcome.Stage = "connect";
                client.Connect(endpoint);
                outcome.Step("connect", "UDP socket connected (no handshake)", clock);
            }
            else
            {
                listener.Listen(1);
                outcome.Stage = "connect";
                // The round trips must run on a truly blocking socket: after a non-blocking connect .NET on
                // Unix leaves the descriptor non-blocking, and every receive then detours through its epoll
                // thread (40% slower than C here). Linux bounds a blocking connect by SO_SNDTIMEO (set above).
                if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
                {
                    client.Connect(endpoint);
                }
                else
                {
                    SocketWait.Connect(client, endpoint, options.Timeout);
                }

                served = SocketWait.Accept(listener, options.Timeout);

                // A listener on one of this host's LAN addresses can be reached from the network: only the
                // client's own connection is served.
                if (!served.RemoteEndPoint!.Equals(client.LocalEndPoint))
                {
                    throw new SocketException((int)SocketError.ConnectionRefused);
                }

                served.ReceiveTimeout = client.ReceiveTimeout;
                served.NoDelay = true;
                client.NoDelay = true;
                outcome.Step("connect", $"TCP handshake done, {Format((IPEndPoint)client.LocalEndPoint!)} -> {Format(endpoint)}", clock);
                var connection = served;
                server = StartServer(() =>
                {
                    if (options.Protocol == LoopbackProtocol.Http)
                    {
                        ServeHttp(connection, options.PayloadSize, outcome, clock);
                    }
                    else
                    {
                        ServeTcp(connection, options.PayloadSize, outcome, clock);
                    }
                });
            }

            RunClient(client, endpoint, options, outcome, clock, cancel, progress);
        }
        catch (SocketException e)
        {
            outcome.Error = cancel.IsCancellationRequested ? SocketError.OperationAborted : e.SocketErrorCode;
        }
        catch (OperationCanceledException)
        {
            outcome.Error = SocketError.OperationAborted;
        }
        catch (ObjectDisposedException) when (cancel.IsCancellationRequested)
        {
            outcome.Error = SocketError.OperationAborted;
        }
        finally
        {
            CloseAll(client, served, listener);
            server?.Join(TimeSpan.FromMilliseconds(TimeoutMilliseconds(options.Timeout)).Add(TimeSpan.FromSeconds(1)));
        }

        return outcome;
    }

    private static void RunClient(Socket client, IPEndPoint endpoint, EchoOptions options, EchoOutcome outcome, Stopwatch clock, CancellationToken cancel, Action<int>? progress)
    {
        var payload = new byte[options.PayloadSize];
        new Random(options.PayloadSize).NextBytes(payload);
        var request = options.Protocol == LoopbackProtocol.Http
            ? Encoding.ASCII.GetBytes($"GET {HttpPath} HTTP/1.1\r\nHost: {Format(endpoint)}\r\nUser-Agent: PSLoopback\r\nAccept: */*\r\n\r\n")
            : payload;
        var reply = new byte[Math.Max(options.PayloadSize, 1) + 4096];
        var roundTrip = new Stopwatch();
        var lastProgress = Stopwatch.StartNew();
        for (var i = 0; i < options.Count; i++)
        {
            cancel.ThrowIfCancellationRequested();
            var first = i == 0;
            outcome.Stage = "send";
            if (first)
            {
                outcome.Step("send", $"the client hands {request.Length} bytes to the stack", clock);
            }

            roundTrip.Restart();
            SendAll(client, request);
            outcome.BytesSent += request.Length;

            outcome.Stage = "receive";
            var received = options.Protocol switch
            {
                LoopbackProtocol.Udp => client.Receive(reply),
                LoopbackProtocol.Http => ReceiveHttpResponse(client, reply, options.PayloadSize),
                _ => ReceiveExactly(client, reply, options.PayloadSize),
            };
            roundTrip.Stop();
            outcome.BytesReceived += received;
            if (options.Protocol != LoopbackProtocol.Http && !SameBytes(payload, reply, options.PayloadSize, received))
            {
                throw new SocketException((int)SocketError.ProtocolNotSupported);
            }

            outcome.Samples.Add(roundTrip.Elapsed.TotalMilliseconds * 1000);
            outcome.RoundTrips++;
            if (first)
            {
                outcome.Step("client receive", string.Format(CultureInfo.InvariantCulture, "{0} bytes back; round trip {1:F1} us", received, roundTrip.Elapsed.TotalMilliseconds * 1000), clock);
            }

            if (progress is not null && lastProgress.ElapsedMilliseconds >= 250)
            {
                lastProgress.Restart();
                progress(outcome.RoundTrips);
            }
        }

        outcome.Stage = null;
    }

    private static Thread StartServer(Action serve)
    {
        var thread = new Thread(() =>
        {
            try
            {
                serve();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                // The client closed its side, timed out or was stopped: the server has nothing left to do.
            }
        })
        {
            IsBackground = true,
            Name = "PSLoopback echo",
        };
        thread.Start();
        return thread;
    }

    private static void ServeTcp(Socket connection, int size, EchoOutcome outcome, Stopwatch clock)
    {
        var buffer = new byte[size];
        var first = true;
        while (ReceiveExactly(connection, buffer, size) == size)
        {
            if (first)
            {
                outcome.Step("server receive", $"the listener read {size} bytes", clock);
            }

            if (first)
            {
                outcome.Step("reply", $"the listener sends {size} bytes back", clock);
                first = false;
            }

            SendAll(connection, buffer, size);
        }
    }

    /// <summary>Echoes the client's datagrams, and only the client's: anything else that arrives is dropped.</summary>
    private static void ServeUdp(Socket listener, IPEndPoint client, EchoOutcome outcome, Stopwatch clock)
    {
        var buffer = new byte[65536];
        EndPoint from = new IPEndPoint(listener.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        var first = true;
        while (true)
        {
            var read = listener.ReceiveFrom(buffer, ref from);
            if (!from.Equals(client))
            {
                continue;
            }

            if (first)
            {
                outcome.Step("server receive", $"the listener read a {read}-byte datagram", clock);
            }

            if (first)
            {
                outcome.Step("reply", "the listener sends the datagram back", clock);
                first = false;
            }

            listener.SendTo(buffer, read, SocketFlags.None, from);
        }
    }

    private static void ServeHttp(Socket connection, int size, EchoOutcome outcome, Stopwatch clock)
    {
        var body = new byte[size];
        new Random(size).NextBytes(body);
        var header = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {size.ToString(CultureInfo.InvariantCulture)}\r\nConnection: keep-alive\r\n\r\n");
        var response = new byte[header.Length + size];
        header.CopyTo(response, 0);
        body.CopyTo(response, header.Length);
        var buffer = new byte[8192];
        var first = true;
        while (true)
        {
            var length = ReceiveHeaders(connection, buffer);
            if (length == 0)
            {
                return;
            }

            if (first)
            {
                var line = Encoding.ASCII.GetString(buffer, 0, Math.Max(0, Array.IndexOf(buffer, (byte)'\r', 0, length)));
                outcome.Step("server receive", $"the listener read \"{line}\"", clock);
            }

            if (first)
            {
                outcome.Step("reply", $"the listener answers 200 OK with {size} bytes", clock);
                first = false;
            }

            SendAll(connection, response);
        }
    }

    /// <summary>Reads one HTTP response: headers, then exactly the Content-Length the listener promised.</summary>
    private static int ReceiveHttpResponse(Socket client, byte[] buffer, int size)
    {
        var headerLength = ReceiveHeaders(client, buffer);
        if (headerLength == 0)
        {
            throw new SocketException((int)SocketError.ConnectionReset);
        }

        var status = Encoding.ASCII.GetString(buffer, 0, Math.Min(headerLength, 12));
        if (!status.StartsWith("HTTP/1.1 200", StringComparison.Ordinal))
        {
            throw new SocketException((int)SocketError.ProtocolNotSupported);
        }

        var body = size > 0 ? ReceiveExactly(client, new byte[size], size) : 0;
        return headerLength + body;
    }

    /// <summary>Reads byte by byte to the blank line, so that no byte of the body is taken; returns 0 at end of stream.</summary>
    private static int ReceiveHeaders(Socket socket, byte[] buffer)
    {
        var length = 0;
        while (length < buffer.Length)
        {
            if (socket.Receive(buffer, length, 1, SocketFlags.None) == 0)
            {
                return 0;
            }

            length++;
            if (length >= 4 && buffer[length - 4] == '\r' && buffer[length - 3] == '\n' && buffer[length - 2] == '\r' && buffer[length - 1] == '\n')
            {
                return length;
            }
        }

        throw new SocketException((int)SocketError.MessageSize);
    }

    private static int ReceiveExactly(Socket socket, byte[] buffer, int count)
    {
        var total = 0;
        while (total < count)
        {
            var read = socket.Receive(buffer, total, count - total, SocketFlags.None);
            if (read == 0)
            {
                return total;
            }

            total += read;
        }

        return total;
    }

    private static void SendAll(Socket socket, byte[] buffer, int? count = null)
    {
        var length = count ?? buffer.Length;
        var sent = 0;
        while (sent < length)
        {
            sent += socket.Send(buffer, sent, length - sent, SocketFlags.None);
        }
    }

    private static bool SameBytes(byte[] expected, byte[] actual, int count, int received)
    {
        if (received != count)
        {
            return false;
        }

        for (var i = 0; i < count; i++)
        {
            if (expected[i] != actual[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>IPv6 sockets take IPv4-mapped addresses only in dual mode; IPv4 sockets have no such switch.</summary>
    internal static void SetDualMode(Socket socket, IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            socket.DualMode = address.IsIPv4MappedToIPv6;
        }
    }

    private static void CloseAll(params Socket?[] sockets)
    {
        foreach (var socket in sockets)
        {
            try
            {
                socket?.Close();
            }
            catch (ObjectDisposedException)
            {
                // Already closed by the other path (cancellation or the finally block).
            }
        }
    }

    private static int TimeoutMilliseconds(TimeSpan timeout) => (int)Math.Min(Math.Max(timeout.TotalMilliseconds, 1), int.MaxValue);

    private static string Format(IPEndPoint endpoint) =>
        endpoint.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{endpoint.Address}]:{endpoint.Port}" : endpoint.ToString();
}

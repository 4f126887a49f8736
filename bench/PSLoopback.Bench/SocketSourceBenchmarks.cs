using System.Collections.Generic;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using PSLoopback.Platform;
using PSLoopback.Sockets;

namespace PSLoopback.Bench;

/// <summary>
/// The Core read of the socket table against .NET's own TCP tables (the baseline, so Ratio compares them), over
/// whatever the namespace holds plus 10,001 TCP sockets this process holds itself: a listener on 127.0.0.1 and
/// 5,000 connections to it, both ends, made in GlobalSetup (RLIMIT_NOFILE must allow them: ulimit -n 10100).
/// </summary>
[Config(typeof(ShortJobConfig))]
public class SocketSourceBenchmarks
{
    private const int Clients = 5_000;

    private readonly List<Socket> held = new();
    private ISocketSource source = null!;

    [GlobalSetup]
    public void SetUp()
    {
        source = SocketSources.ForCurrentOS();
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        held.Add(listener);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(16);

        // Connect and accept alternate, so the accept queue never holds more than one.
        for (var i = 0; i < Clients; i++)
        {
            var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            held.Add(client);
            client.Connect(listener.LocalEndPoint!);
            held.Add(listener.Accept());
        }
    }

    [GlobalCleanup]
    public void CleanUp()
    {
        foreach (var socket in held)
        {
            socket.Dispose();
        }

        held.Clear();
    }

    [Benchmark(Baseline = true)]
    public int DotNetTcpTables()
    {
        var properties = IPGlobalProperties.GetIPGlobalProperties();
        return properties.GetActiveTcpConnections().Length + properties.GetActiveTcpListeners().Length;
    }

    [Benchmark]
    public int CoreWithOwners() => source.GetSockets(new SocketRequest()).Count;

    [Benchmark]
    public int CoreWithoutOwners() => source.GetSockets(new SocketRequest { IncludeOwners = false }).Count;
}

using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using PSLoopback.Loopback;

namespace PSLoopback.Core.Tests.Loopback;

/// <summary>Real round trips on this machine's loopback interface.</summary>
public class LoopbackEchoTests
{
    [Theory]
    [InlineData(LoopbackProtocol.Tcp, "127.0.0.1")]
    [InlineData(LoopbackProtocol.Udp, "127.0.0.1")]
    [InlineData(LoopbackProtocol.Http, "127.0.0.1")]
    [InlineData(LoopbackProtocol.Tcp, "::1")]
    [InlineData(LoopbackProtocol.Udp, "::1")]
    [InlineData(LoopbackProtocol.Http, "::1")]
    public void EveryRoundTripComesBackWhole(LoopbackProtocol protocol, string address)
    {
        var outcome = LoopbackEcho.Run(IPAddress.Parse(address), new EchoOptions { Protocol = protocol, Count = 20, PayloadSize = 1500 }, CancellationToken.None);
        Assert.Null(outcome.Error);
        Assert.Equal(20, outcome.RoundTrips);
        Assert.Equal(20, outcome.Samples.Count);
        Assert.All(outcome.Samples, s => Assert.True(s > 0));
        Assert.NotEqual(0, outcome.Port);
        if (protocol != LoopbackProtocol.Http)
        {
            Assert.Equal(20 * 1500, outcome.BytesSent);
            Assert.Equal(20 * 1500, outcome.BytesReceived);
        }
        else
        {
            Assert.True(outcome.BytesReceived > 20 * 1500, "each reply carries headers and the body");
        }
    }

    [Fact]
    public void AnAddressNoInterfaceHasCannotBeListenedOn()
    {
        var outcome = LoopbackEcho.Run(IPAddress.Parse("192.0.2.123"), new EchoOptions { Count = 1 }, CancellationToken.None);
        Assert.Equal(SocketError.AddressNotAvailable, outcome.Error);
        Assert.Equal("bind", outcome.Stage);
        Assert.Equal(0, outcome.RoundTrips);
    }

    [Fact]
    public void CancellingStopsTheRoundTripsPromptly()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var started = DateTime.UtcNow;
        var outcome = LoopbackEcho.Run(IPAddress.Loopback, new EchoOptions { Count = 100_000_000 }, cancel.Token);
        Assert.Equal(SocketError.OperationAborted, outcome.Error);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
        Assert.True(outcome.RoundTrips > 0);
    }
}

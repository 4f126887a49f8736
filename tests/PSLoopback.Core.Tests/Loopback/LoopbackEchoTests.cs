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
        // Cancelled once round trips are under way, however long a loaded machine takes to set the echo up (a fixed
        // delay could end before the first one), and from a timer thread, as Ctrl+C comes while a send or receive
        // blocks; the 60 s only bounds a run that never gets going.
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        System.Diagnostics.Stopwatch? sinceCancel = null;
        var outcome = LoopbackEcho.Run(IPAddress.Loopback, new EchoOptions { Count = 100_000_000 }, cancel.Token, done =>
        {
            if (done > 0 && sinceCancel is null)
            {
                sinceCancel = System.Diagnostics.Stopwatch.StartNew();
                cancel.CancelAfter(TimeSpan.FromMilliseconds(20));
            }
        });
        Assert.True(sinceCancel is not null, $"no round trip was reported: {outcome.Error} at {outcome.Stage}");
        Assert.Equal(SocketError.OperationAborted, outcome.Error);
        Assert.True(sinceCancel.Elapsed < TimeSpan.FromSeconds(10), $"stopped {sinceCancel.Elapsed.TotalSeconds:0.0} s after the cancel");
        Assert.True(outcome.RoundTrips > 0);
    }
}

using System;
using System.Linq;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Loopback;

namespace PSLoopback.Core.Tests.Loopback;

public class LoopbackRulesTests
{
    [Theory]
    [InlineData("localhost", true)]
    [InlineData("LOCALHOST.", true)]
    [InlineData("app.localhost", true)]
    [InlineData("a.b.localhost", true)]
    [InlineData("localhost.example", false)]
    [InlineData(".localhost", false)]
    [InlineData("App.LocalHost.", true)]
    [InlineData("notlocalhost", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void LocalhostAndNamesUnderItAreLoopbackByRfc6761(string? name, bool expected)
    {
        Assert.Equal(expected, LoopbackNames.IsLoopbackName(name));
    }

    [Theory]
    [InlineData("app.localhost")]
    [InlineData("localhost.")]
    public void TheSystemResolverIsNeverAskedForALoopbackName(string name)
    {
        // RFC 6761 6.3: DestinationReader answers these from the hosts file; the DNS path refuses them outright.
        Assert.Throws<ArgumentException>(() => Destination.Resolve(name, TimeSpan.FromMilliseconds(1)));
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("10.0.0.0", true)]
    [InlineData("127.0.0.010", false)]
    [InlineData("010.0.0.1", false)]
    [InlineData("1.2.3", false)]
    [InlineData("1..2.3", false)]
    [InlineData("0x7f.0.0.1", false)]
    [InlineData("[::1]", true)]
    [InlineData("fe80::1%3", true)]
    public void AddressesAreFourDecimalOctetsWithoutLeadingZerosOrIPv6(string text, bool valid)
    {
        Assert.Equal(valid, Destination.TryParseAddress(text, out _));
        Assert.Equal(valid && !text.Contains('[') && !text.Contains('%'), IPPrefix.TryParse(text + "/8", out _));
    }

    [Fact]
    public void HostsFileParsingSkipsCommentsBlankAndBrokenLines()
    {
        var entries = HostsFile.Parse("# comment\n127.0.0.1\tlocalhost loopback # trailing\n\nnot-an-address name\n::1 localhost ip6-localhost\r\nfe80::1%eth0 router\n10.0.0.1\n");
        Assert.Equal(3, entries.Count);
        Assert.Equal(new[] { "localhost", "loopback" }, entries[0].Names);
        Assert.Equal(2, entries[0].Line);
        Assert.Equal(IPAddress.IPv6Loopback, entries[1].Address);
        Assert.Equal(5, entries[1].Line);
        Assert.Equal(new[] { "router" }, entries[2].Names);
        Assert.Equal(2, HostsFile.EntriesFor(entries, "LocalHost").Count);
    }

    [Fact]
    public void PercentilesAreNearestRankAndTheMedianOfAnEvenCountIsTheMiddlesMean()
    {
        var values = Enumerable.Range(1, 100).Select(i => (double)i).ToArray();
        Assert.Equal(50.5, LatencyStatistics.Percentile(values, 50));
        Assert.Equal(99, LatencyStatistics.Percentile(values, 99));
        Assert.Equal(3, LatencyStatistics.Percentile(new double[] { 1, 3, 9 }, 50));
        Assert.Equal(9, LatencyStatistics.Percentile(new double[] { 1, 3, 9 }, 99));
        Assert.Throws<ArgumentException>(() => LatencyStatistics.Percentile(Array.Empty<double>(), 50));

        var result = new LoopbackTestResult("x");
        LatencyStatistics.Fill(result, new double[] { 40, 10, 30, 20 });
        Assert.Equal(10, result.MinimumMicroseconds);
        Assert.Equal(25, result.MedianMicroseconds);
        Assert.Equal(40, result.P99Microseconds);
        Assert.Equal(40, result.MaximumMicroseconds);
    }
}

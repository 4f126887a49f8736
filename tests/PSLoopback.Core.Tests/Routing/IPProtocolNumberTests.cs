using PSLoopback.Routing;

namespace PSLoopback.Core.Tests.Routing;

/// <summary>-IPProtocol's forms: what `ip route get ... ipproto` takes, and icmpv6.</summary>
public class IPProtocolNumberTests
{
    [Theory]
    [InlineData("tcp", 6)]
    [InlineData("TCP", 6)]
    [InlineData("udp", 17)]
    [InlineData("icmp", 1)]
    [InlineData("ipv6-icmp", 58)]
    [InlineData("icmpv6", 58)]
    [InlineData("sctp", 132)]
    [InlineData("dccp", 33)]
    [InlineData("gre", 47)]
    [InlineData("esp", 50)]
    [InlineData("6", 6)]
    [InlineData(" 255 ", 255)]
    [InlineData("0", 0)]
    [InlineData("0x84", 132)]
    public void ReadsNumbersAndNames(string text, byte expected)
    {
        Assert.True(IPProtocolNumber.TryParse(text, out var protocol));
        Assert.Equal(expected, protocol);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("256")]
    [InlineData("-1")]
    [InlineData("+6")]
    [InlineData("0x100")]
    [InlineData("tcpp")]
    [InlineData("ipproto-6")]
    public void RefusesTheRest(string? text)
    {
        Assert.False(IPProtocolNumber.TryParse(text, out _));
    }
}

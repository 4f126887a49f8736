using System;
using System.Net;
using PSLoopback.Addressing;
using PSLoopback.Loopback;

namespace PSLoopback.Core.Tests.Addressing;

/// <summary>The reader's cheap path for a plain address: the same answer as the full parse, at the cost of the answer alone.</summary>
public class DestinationReaderTests
{
    private static readonly Func<string, int?> Zones = z => z switch { "lo" or "1" => 1, "eth0" or "4" => 4, _ => null };

    private static DestinationReader NewReader() =>
        new(Zones, () => throw new InvalidOperationException("hosts file read"), HostOS.Linux, _ => throw new InvalidOperationException("DNS asked"));

    [Theory]
    [InlineData("192.0.2.1")]
    [InlineData(" 192.0.2.1 ")]
    [InlineData("2001:db8::1")]
    [InlineData("[2001:db8::1]")]
    [InlineData("fe80::1")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::1")]
    [InlineData("fe80::1%eth0")]
    [InlineData("[fe80::1%4]")]
    [InlineData("::1%1")]
    [InlineData("127.0.0.1%1")]
    [InlineData("fe80::1%nosuch")]
    [InlineData("10.1")]
    [InlineData("010.0.0.1")]
    [InlineData("[192.0.2.1]")]
    [InlineData("1.2.3.4.5")]
    [InlineData("fe80::zz")]
    [InlineData("")]
    public void AnAddressReadsAsTheFullParseReadsIt(string text)
    {
        var parsed = Destination.Parse(text, Zones);
        var answer = NewReader().Read(text);

        Assert.Equal(parsed.Kind == DestinationKind.Invalid ? DestinationProblem.Invalid : DestinationProblem.None, answer.Problem);
        Assert.Equal(parsed.Problem, answer.Message);
        Assert.Null(answer.Cause);
        Assert.Equal(0, answer.Microseconds);
        Assert.Equal(parsed.ScopedAddress is null ? Array.Empty<IPAddress>() : new[] { parsed.ScopedAddress }, answer.Addresses);
        if (parsed.ScopedAddress is { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } scoped)
        {
            Assert.Equal(scoped.ScopeId, answer.Addresses[0].ScopeId);
        }

        var read = answer.Parsed;
        Assert.Same(read, answer.Parsed);
        Assert.Equal(parsed.Text, read.Text);
        Assert.Equal(parsed.Kind, read.Kind);
        Assert.Equal(parsed.Address, read.Address);
        Assert.Equal(parsed.Zone, read.Zone);
        Assert.Equal(parsed.ZoneIndex, read.ZoneIndex);
        Assert.Equal(parsed.ZoneApplies, read.ZoneApplies);
        Assert.Equal(parsed.Name, read.Name);
        Assert.Equal(parsed.Problem, read.Problem);
        Assert.Equal(parsed.ToString(), read.ToString());
    }

    /// <summary>
    /// Past the address itself (which IPAddress.TryParse makes either way), a plain address costs the answer and its
    /// one-element list: about 100 bytes. The full parse adds a ParsedDestination (about 70 more), which this catches.
    /// </summary>
    [Theory]
    [InlineData("192.0.2.1")]
    [InlineData("2001:db8::1")]
    public void APlainAddressCostsTheAnswerAlone(string text)
    {
        var reader = NewReader();
        const int reads = 1000;
        var extra = long.MaxValue;

        // The lowest of a few tries, each after a warm-up, so a JIT or runtime allocation inside one does not count.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var answers = new DestinationAnswer[reads];
            var addresses = new IPAddress[reads];
            for (var i = 0; i < reads; i++)
            {
                answers[i] = reader.Read(text);
                Destination.TryParseAddress(text, out addresses[i]);
            }

            var start = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < reads; i++)
            {
                Destination.TryParseAddress(text, out addresses[i]);
            }

            var parsing = GC.GetAllocatedBytesForCurrentThread() - start;
            start = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < reads; i++)
            {
                answers[i] = reader.Read(text);
            }

            var reading = GC.GetAllocatedBytesForCurrentThread() - start;
            extra = Math.Min(extra, (reading - parsing) / reads);
            Assert.Equal(addresses[reads - 1], answers[reads - 1].Addresses[0]);
        }

        Assert.InRange(extra, 1, 128);
    }

    [Theory]
    [InlineData("eth0", true)]
    [InlineData("lo", true)]
    [InlineData("db.example", false)]
    public void AnInterfaceNameThatDoesNotResolveSaysHowToUseItsAddresses(string name, bool hinted)
    {
        var reader = new DestinationReader(Zones, () => throw new InvalidOperationException("hosts file read"), HostOS.Linux,
            _ => throw new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostNotFound));

        var answer = reader.Read(name);

        Assert.Equal(DestinationProblem.NotResolved, answer.Problem);
        Assert.StartsWith($"The host name '{name}' does not resolve: ", answer.Message);
        Assert.Equal(hinted, answer.Message!.EndsWith($". If you meant the interface '{name}' (ifIndex {Zones(name)}), pipe the interface in to use its addresses (Get-NetInterfaceInfo {name} | ...).", StringComparison.Ordinal));
        Assert.Equal(hinted, answer.Message.Contains("If you meant the interface"));
    }

    [Fact]
    public void AnInterfaceNameWithNoAddressInDnsIsHintedToo()
    {
        var reader = new DestinationReader(Zones, () => throw new InvalidOperationException("hosts file read"), HostOS.Linux, _ => Array.Empty<IPAddress>());

        var answer = reader.Read("eth0");

        Assert.Equal("The host name 'eth0' has no IPv4 or IPv6 address. If you meant the interface 'eth0' (ifIndex 4), pipe the interface in to use its addresses (Get-NetInterfaceInfo eth0 | ...).", answer.Message);
    }

    [Theory]
    [InlineData("Ethernet 2", "'Ethernet 2'")]
    [InlineData("Wi-Fi", "Wi-Fi")]
    [InlineData("it's", "'it''s'")]
    [InlineData("10gb", "'10gb'")]
    [InlineData("-x", "'-x'")]
    public void AnInterfaceNameThatIsNoHostNameIsHintedQuotedForTheShell(string name, string quoted)
    {
        var reader = new DestinationReader(z => z == name ? 7 : null, () => throw new InvalidOperationException("hosts file read"), HostOS.Windows,
            _ => throw new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostNotFound));

        var answer = reader.Read($" {name} ");

        Assert.NotEqual(DestinationProblem.None, answer.Problem);
        Assert.EndsWith($". If you meant the interface '{name}' (ifIndex 7), pipe the interface in to use its addresses (Get-NetInterfaceInfo {quoted} | ...).", answer.Message);
    }

    [Fact]
    public void AWindowsAliasTypedInAnotherCaseIsHinted()
    {
        var interfaces = Support.SnapshotBuilder.WithLoopback().Interface(5, "Ethernet 2", false, "192.0.2.10/24").Build().Interfaces;
        var reader = new DestinationReader(Destination.ZonesOf(interfaces, HostOS.Windows), () => throw new InvalidOperationException("hosts file read"), HostOS.Windows,
            _ => throw new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostNotFound));

        var answer = reader.Read("ethernet 2");

        Assert.EndsWith(". If you meant the interface 'ethernet 2' (ifIndex 5), pipe the interface in to use its addresses (Get-NetInterfaceInfo 'ethernet 2' | ...).", answer.Message);
    }

    [Fact]
    public void AnInterfaceIndexIsNeverHintedAsAName()
    {
        var answer = NewReader().Read("4");

        Assert.Equal(DestinationProblem.Invalid, answer.Problem);
        Assert.DoesNotContain("interface", answer.Message);
    }

    [Fact]
    public void AnotherMachinesInterfaceIsHintedWithoutThisMachinesCommand()
    {
        var reader = new DestinationReader(Zones, () => throw new InvalidOperationException("hosts file read"), HostOS.Linux,
            _ => throw new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.HostNotFound), interfacesAreThisMachine: false);

        var answer = reader.Read("eth0");

        Assert.EndsWith(". If you meant the interface 'eth0' (ifIndex 4), give its addresses instead.", answer.Message);
    }

    [Fact]
    public void NoTextReadsAsInvalid()
    {
        var answer = NewReader().Read(null!);

        Assert.Equal(DestinationProblem.Invalid, answer.Problem);
    }
}

using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Threading;
using PSLoopback.Addressing;
using PSLoopback.Loopback;

namespace PSLoopback.Core.Tests.Loopback;

/// <summary>Host names, the streaming hosts-file scan, loopback names' answers and the advice per OS: all pure.</summary>
public class NamesAndHostsTests
{
    private static readonly HostsLimits Small = new() { MaxBytes = 1 << 20, MaxLines = 1000, MaxLineBytes = 256, Timeout = TimeSpan.FromSeconds(5) };

    [Theory]
    [InlineData("localhost")]
    [InlineData("localhost.")]
    [InlineData("a.b-c.example")]
    [InlineData("_sip._tcp.example")]
    [InlineData("host1")]
    [InlineData("1a.example")]
    public void PossibleHostNamesHaveNoProblem(string name) => Assert.Null(HostName.Problem(name));

    [Theory]
    [InlineData("1.2.3.4.5", "not an IP address")]
    [InlineData("10.1", "not an IP address")]
    [InlineData("a..b", "empty label")]
    [InlineData(".a", "empty label")]
    [InlineData(".", "only the root")]
    [InlineData("a b", "character ' '")]
    [InlineData("a!b", "character '!'")]
    [InlineData("a\u0001b", "\\x01")]
    [InlineData("-a.example", "starts or ends with '-'")]
    [InlineData("bücher.example", "non-ASCII")]
    public void ImpossibleNamesAreRefusedSayingWhyAndNamingTheInput(string name, string why)
    {
        var problem = HostName.Problem(name);
        Assert.NotNull(problem);
        Assert.Contains(why, problem);
        Assert.Contains(name.Length > 1 ? name.Substring(1) : name, problem);
    }

    [Fact]
    public void LabelsOver63AndNamesOver253CharactersAreRefused()
    {
        Assert.Null(HostName.Problem(new string('a', 63) + ".example"));
        Assert.Contains("at most 63", HostName.Problem(new string('a', 64) + ".example"));
        var name253 = string.Join(".", Enumerable.Repeat(new string('a', 49), 5)) + ".abc";  // 5*50 + 3 = 253
        Assert.Equal(253, name253.Length);
        Assert.Null(HostName.Problem(name253));
        Assert.Null(HostName.Problem(name253 + "."));
        Assert.Contains("at most 253", HostName.Problem(name253 + "d"));
    }

    [Fact]
    public void DestinationsAreAddressesWithCheckedZonesNamesOrInvalid()
    {
        Func<string, int?> zones = z => z switch { "lo" or "1" => 1, "eth0" or "4" => 4, _ => null };
        var mapped = Destination.Parse("::ffff:127.0.0.1", zones);
        Assert.Equal(DestinationKind.Address, mapped.Kind);
        Assert.True(mapped.Address!.IsIPv4MappedToIPv6);
        Assert.Equal(IPAddress.Loopback, Destination.AsSent(mapped.Address));

        var loopbackWithZone = Destination.Parse("::1%1", zones);
        Assert.Equal(IPAddress.IPv6Loopback, loopbackWithZone.Address);
        Assert.True(AddressClass.IsLoopback(loopbackWithZone.Address!));
        Assert.False(loopbackWithZone.ZoneApplies);  // the kernel ignores a zone on ::1
        Assert.Equal(0, loopbackWithZone.ScopedAddress!.ScopeId);

        var linkLocal = Destination.Parse("fe80::1%eth0", zones);
        Assert.True(linkLocal.ZoneApplies);
        Assert.Equal(4, linkLocal.ZoneIndex);
        Assert.Equal(4, linkLocal.ScopedAddress!.ScopeId);
        Assert.Equal(4, Destination.Parse("[fe80::1%4]", zones).ScopedAddress!.ScopeId);
        Assert.True(Destination.Parse("ff02::1%lo", zones).ZoneApplies);
        Assert.False(Destination.Parse("ff05::1%lo", zones).ZoneApplies);

        foreach (var (text, why) in new[] { ("fe80::1%nosuch", "no network interface"), ("fe80::1%99", "'99'"), ("fe80::1%", "empty zone"), ("127.0.0.1%1", "IPv4 address has no zone"), ("fe80::zz", "not an IP address"), ("1.2.3.4.5", "not an IP address") })
        {
            var parsed = Destination.Parse(text, zones);
            Assert.Equal(DestinationKind.Invalid, parsed.Kind);
            Assert.Contains(why, parsed.Problem);
            Assert.Contains(text, parsed.Problem);
        }

        var name = Destination.Parse("LocalHost.", zones);
        Assert.Equal(DestinationKind.Name, name.Kind);
        Assert.Equal("LocalHost", name.Name);
        Assert.True(name.IsLoopbackName);
    }

    [Fact]
    public void ZonesAreTheInterfacesNamesAndIndexes()
    {
        var interfaces = Support.SnapshotBuilder.WithLoopback().Interface(4, "eth0", false, "192.0.2.10/24").Build().Interfaces;
        var zones = Destination.ZonesOf(interfaces, HostOS.Linux);
        Assert.Equal(4, zones("eth0"));
        Assert.Equal(4, zones("4"));
        Assert.Equal(1, zones("1"));
        Assert.Null(zones("2"));
        Assert.Null(zones("ETH0"));
        Assert.Equal(7, Destination.ZonesOf(Array.Empty<PSLoopback.Interfaces.NetInterfaceInfo>(), HostOS.Linux)("7"));
    }

    [Fact]
    public void WindowsZonesMatchAnAliasWhateverItsCaseButAnExactAliasFirst()
    {
        var interfaces = Support.SnapshotBuilder.WithLoopback()
            .Interface(5, "Ethernet 2", false, "192.0.2.10/24")
            .Interface(6, "wi-fi", false, "198.51.100.10/24")
            .Interface(7, "Wi-Fi", false, "203.0.113.10/24")
            .Build().Interfaces;

        var windows = Destination.ZonesOf(interfaces, HostOS.Windows);
        Assert.Equal(5, windows("ethernet 2"));
        Assert.Equal(5, windows("ETHERNET 2"));
        Assert.Equal(7, windows("Wi-Fi"));
        Assert.Equal(6, windows("wi-fi"));
        Assert.Null(windows("Ethernet"));
        Assert.Null(Destination.ZonesOf(interfaces, HostOS.Linux)("ethernet 2"));
        Assert.Null(Destination.ZonesOf(interfaces, HostOS.MacOS)("ethernet 2"));
    }

    [Fact]
    public void TheScanKeepsOnlyWantedEntriesAndReadsALastLineWithoutNewline()
    {
        var text = "# c\n127.0.0.1 localhost\n10.0.0.1 other\n::1 localhost ip6-localhost\n192.0.2.9 app.localhost";
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text));
        var scan = HostsFile.Scan(stream, "/etc/hosts", Small, LoopbackNames.IsLoopbackName, CancellationToken.None);
        Assert.Equal(HostsFileStatus.Read, scan.Status);
        Assert.Null(scan.StoppedBecause);
        Assert.Equal(5, scan.Lines);
        Assert.Equal(text.Length, scan.Bytes);
        Assert.Equal(new[] { 2, 4, 5 }, scan.Entries.Select(e => e.Line));
    }

    [Fact]
    public void AHugeFileStopsAtTheByteLimitSayingSoAndACutLastLineIsNoEntry()
    {
        var line = "10.0.0.1 filler\n";
        var text = "127.0.0.1 localhost\n" + string.Concat(Enumerable.Repeat(line, 100_000)) + "::1 localhost\n";
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text));
        var scan = HostsFile.Scan(stream, "/etc/hosts", new HostsLimits { MaxBytes = 1 << 20, Timeout = TimeSpan.MaxValue }, _ => true, CancellationToken.None);
        Assert.Equal(HostsFileStatus.Read, scan.Status);
        Assert.Equal(1 << 20, scan.Bytes);
        Assert.Contains("only the first 1 MiB were read", scan.StoppedBecause);
        Assert.Contains("of 1.5 MiB", scan.StoppedBecause);
        Assert.True(scan.Entries.Count < 70_000);
        Assert.DoesNotContain(scan.Entries, e => e.Address.Equals(IPAddress.IPv6Loopback));
        var advice = LoopbackNameRules.Advice("localhost", new HostsScan("/etc/hosts", HostsFileStatus.Read, Array.Empty<HostsEntry>()) { StoppedBecause = scan.StoppedBecause }, HostOS.Linux, Array.Empty<IPAddress>());
        Assert.Contains("in the part that was read", advice);
    }

    [Fact]
    public void TheLineLimitStopsToo()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("\n", 5000))));
        var scan = HostsFile.Scan(stream, "h", Small, _ => true, CancellationToken.None);
        Assert.Equal(1000, scan.Lines);
        Assert.Contains("1,000 lines", scan.StoppedBecause);
    }

    [Fact]
    public void NulBytesAndOverlongLinesAreSkippedInBoundedMemory()
    {
        // A sparse file reads as NUL bytes with no newline: one endless line, never held whole.
        var bytes = new byte[300_000];
        var tail = Encoding.ASCII.GetBytes("\n127.0.0.1 localhost\n");
        using var stream = new MemoryStream(bytes.Concat(tail).ToArray());
        var scan = HostsFile.Scan(stream, "h", Small, _ => true, CancellationToken.None);
        Assert.Equal(1, scan.LongLines);
        Assert.Equal(IPAddress.Loopback, Assert.Single(scan.Entries).Address);
        Assert.Equal(2, scan.Entries[0].Line);
    }

    [Fact]
    public void MalformedLinesAreNoEntries()
    {
        var scan = HostsFile.Scan("127.0.0.1\nnot-an-address localhost\n127.0.0.1localhost\n\t\t\n# 127.0.0.1 localhost\n\u00ff\u00fe garbage\n::1%lo\tlocalhost\n", "h");
        var entry = Assert.Single(scan.Entries);
        Assert.Equal(IPAddress.IPv6Loopback, entry.Address);
        Assert.Equal(0, entry.Address.ScopeId);
    }

    [Fact]
    public void ACancelledOrSlowScanStopsWithWhatItHad()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var scan = HostsFile.Scan(new EndlessStream(), "h", Small, _ => true, cancelled.Token);
        Assert.Equal(HostsFileStatus.Cancelled, scan.Status);

        // A second's budget: a loaded machine that stalls this thread for a tenth of one must not end the scan before its first line.
        var slow = HostsFile.Scan(new EndlessStream(delayMilliseconds: 20), "h", new HostsLimits { Timeout = TimeSpan.FromSeconds(1) }, _ => true, CancellationToken.None);
        Assert.Equal(HostsFileStatus.TimedOut, slow.Status);
        Assert.Contains("longer than", slow.StoppedBecause);
        Assert.True(slow.Lines > 0);
    }

    [Theory]
    [InlineData("localhost", "127.0.0.1 localhost\n::1 localhost\n", "::1,127.0.0.1")]
    [InlineData("LOCALHOST.", "127.0.0.1 localhost\n", "127.0.0.1")]
    [InlineData("localhost", "192.0.2.77 localhost\n", "192.0.2.77")]
    [InlineData("localhost", "127.0.0.1 other\n", "")]
    [InlineData("app.localhost", "127.0.0.1 other\n", "::1,127.0.0.1")]
    [InlineData("app.localhost", "127.0.0.5 app.localhost\n", "127.0.0.5")]
    public void LoopbackNamesAreAnsweredFromTheHostsFileOrRfc6761(string name, string hosts, string expected)
    {
        var answer = LoopbackNameRules.Answer(name, HostsScan.Of("/etc/hosts", hosts), HostOS.Linux);
        Assert.Equal(expected, string.Join(",", answer));
    }

    [Fact]
    public void WindowsAnswersLocalhostItselfWithoutALine()
    {
        var none = HostsScan.Of(@"C:\Windows\System32\drivers\etc\hosts", "# nothing\n");
        Assert.Equal(new[] { IPAddress.IPv6Loopback, IPAddress.Loopback }, LoopbackNameRules.Answer("localhost", none, HostOS.Windows));
        Assert.Empty(LoopbackNameRules.Answer("localhost", none, HostOS.MacOS));
    }

    [Theory]
    [InlineData(HostOS.Linux, "/etc/hosts", new[] { "\"127.0.0.1 db.localhost\" and \"::1 db.localhost\"", "to /etc/hosts", "nsswitch.conf" })]
    [InlineData(HostOS.MacOS, "/etc/hosts", new[] { "\"127.0.0.1 db.localhost\"", "dscacheutil -flushcache" })]
    [InlineData(HostOS.Windows, @"C:\Windows\System32\drivers\etc\hosts", new[] { @"%SystemRoot%\System32\drivers\etc\hosts", "ipconfig /flushdns" })]
    public void TheAdviceNamesTheNameAskedAndSuitsTheOS(HostOS os, string path, string[] expected)
    {
        var advice = LoopbackNameRules.Advice("db.localhost", HostsScan.Of(path, "10.0.0.1 other\n"), os, Array.Empty<IPAddress>());
        Assert.StartsWith($"{path} has no line for db.localhost.", advice);
        foreach (var part in expected)
        {
            Assert.Contains(part, advice);
        }

        Assert.DoesNotContain("127.0.0.1 localhost\"", advice);
    }

    [Fact]
    public void OnWindowsAMissingLocalhostLineIsExplainedAsHarmless()
    {
        var advice = LoopbackNameRules.Advice("localhost", HostsScan.Of(@"C:\Windows\System32\drivers\etc\hosts", ""), HostOS.Windows, Array.Empty<IPAddress>());
        Assert.Contains("Windows resolves localhost itself", advice);
        Assert.Contains("Windows 7 and 8", advice);
    }

    [Theory]
    [InlineData(HostsFileStatus.Missing, null, "/etc/hosts does not exist")]
    [InlineData(HostsFileStatus.AccessDenied, "Permission denied", "cannot be read by this user (Permission denied)")]
    [InlineData(HostsFileStatus.NotRegularFile, "a directory", "/etc/hosts is a directory, not a regular file")]
    [InlineData(HostsFileStatus.NotRegularFile, "a FIFO (named pipe)", "waits until something writes to it")]
    [InlineData(HostsFileStatus.Unreadable, "Input/output error", "could not be read (Input/output error)")]
    [InlineData(HostsFileStatus.TimedOut, null, "did not finish")]
    public void EachWayTheFileFailsIsSaidAsItIs(HostsFileStatus status, string? detail, string expected)
    {
        var scan = new HostsScan("/etc/hosts", status, Array.Empty<HostsEntry>()) { Detail = detail, StoppedBecause = "reading took longer than 2 s" };
        var advice = LoopbackNameRules.Advice("localhost", scan, HostOS.Linux, Array.Empty<IPAddress>());
        Assert.Contains(expected, advice);
        Assert.Contains("localhost", advice);
        Assert.DoesNotContain("has no line", advice);
    }

    [Fact]
    public void AWrongLineIsNamedWithItsLineNumberAndALoopbackAnswerNeedsNoAdvice()
    {
        var hosts = HostsScan.Of("/etc/hosts", "127.0.0.1 x\n192.0.2.77 app.localhost\n");
        var advice = LoopbackNameRules.Advice("App.Localhost.", hosts, HostOS.Linux, new[] { IPAddress.Parse("192.0.2.77") });
        Assert.Contains("/etc/hosts maps App.Localhost. to 192.0.2.77 (line 2: 192.0.2.77 app.localhost)", advice);
        Assert.Null(LoopbackNameRules.Advice("localhost", HostsScan.Of("/etc/hosts", "127.0.0.1 localhost\n"), HostOS.Linux, new[] { IPAddress.Loopback }));
    }

    [Fact]
    public void TheReaderReadsTheHostsFileOnlyForALoopbackNameAndOnlyOnce()
    {
        var reads = 0;
        var asked = 0;
        var reader = new DestinationReader(_ => null, () => { reads++; return HostsScan.Of("/etc/hosts", "127.0.0.1 localhost\n"); }, HostOS.Linux,
            name => { asked++; return new[] { IPAddress.Parse("192.0.2.1") }; });
        Assert.Equal(DestinationProblem.None, reader.Read("127.0.0.1").Problem);
        Assert.Equal(DestinationProblem.Invalid, reader.Read("1.2.3.4.5").Problem);
        Assert.Equal(0, reads);
        Assert.Equal(new[] { IPAddress.Loopback }, reader.Read("localhost.").Addresses);
        Assert.Equal(new[] { IPAddress.Loopback }, reader.Read("LOCALHOST").Addresses);
        Assert.Equal(1, reads);
        Assert.Equal(0, asked);
        Assert.Equal(DestinationProblem.None, reader.Read("example.test").Problem);
        Assert.Equal(1, asked);

        var missing = new DestinationReader(_ => null, () => HostsScan.Of("/etc/hosts", ""), HostOS.Linux, _ => throw new InvalidOperationException("DNS asked"));
        var answer = missing.Read("localhost.");
        Assert.Equal(DestinationProblem.NotResolved, answer.Problem);
        Assert.Contains("'localhost.'", answer.Message);
        Assert.Contains("/etc/hosts has no line for localhost", answer.Message);
    }

    /// <summary>Lines forever, optionally slowly: what a FIFO with a writer, or /dev/zero, looks like.</summary>
    private sealed class EndlessStream : Stream
    {
        private readonly int delayMilliseconds;

        public EndlessStream(int delayMilliseconds = 0) => this.delayMilliseconds = delayMilliseconds;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (delayMilliseconds > 0)
            {
                Thread.Sleep(delayMilliseconds);
            }

            var line = Encoding.ASCII.GetBytes("10.0.0.1 x\n");
            var n = Math.Min(count, line.Length);
            Array.Copy(line, 0, buffer, offset, n);
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

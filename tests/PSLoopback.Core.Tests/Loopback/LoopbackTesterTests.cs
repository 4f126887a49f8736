using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using PSLoopback.Core.Tests.Support;
using PSLoopback.Loopback;
using PSLoopback.Routing;

namespace PSLoopback.Core.Tests.Loopback;

/// <summary>How targets become results, with a name resolver the test controls (no DNS is asked).</summary>
public class LoopbackTesterTests
{
    private static LoopbackTester Tester(Func<string, IPAddress[]> resolve, string hosts = "127.0.0.1 localhost\n::1 localhost\n", int? port = null)
    {
        var snapshot = SnapshotBuilder.WithLoopback()
            .Interface(2, "eth0", false, "192.0.2.10/24")
            .Route("local 192.0.2.10 dev eth0 table local scope host src 192.0.2.10")
            .Route("default via 192.0.2.1 dev eth0")
            .Build();
        var facts = new LoopbackFacts(snapshot.Interfaces, new LinuxRouteResolver(snapshot), HostsFile.Parse(hosts), "/etc/hosts");
        return new LoopbackTester(facts, new LoopbackTestOptions { Count = 2, Port = port, Timeout = TimeSpan.FromSeconds(2) }, null, resolve);
    }

    private static IPAddress[] NoSuchName(string name) => throw new SocketException((int)SocketError.HostNotFound);

    [Fact]
    public void AnAddressIsTestedWithoutAskingTheResolver()
    {
        var outcome = Tester(name => throw new InvalidOperationException("the resolver was asked")).TestTarget("127.0.0.1", CancellationToken.None);
        Assert.Equal(LoopbackTargetProblem.None, outcome.Problem);
        Assert.Equal(LoopbackStatus.Success, Assert.Single(outcome.Results).Status);
    }

    [Fact]
    public void TheHostsOwnLanAddressStaysOnTheHostButGetsNoListenerOfOurs()
    {
        // A listener on a LAN address could be reached from the network: the route alone answers.
        var result = Assert.Single(Tester(NoSuchName).TestTarget("192.0.2.10", CancellationToken.None).Results);
        Assert.Equal(LoopbackStatus.NotLoopback, result.Status);
        Assert.True(result.StaysOnHost);
        Assert.False(result.IsLoopbackAddress);
        Assert.Equal(0, result.BytesSent);
        Assert.Null(result.Port);
        Assert.Contains("this host's own", result.Diagnosis);
    }

    [Fact]
    public void SomethingThatIsNeitherAnAddressNorANameIsRefused()
    {
        var outcome = Tester(NoSuchName).TestTarget("not a name!", CancellationToken.None);
        Assert.Equal(LoopbackTargetProblem.InvalidTarget, outcome.Problem);
        Assert.Contains("'not a name!'", outcome.Message);
    }

    [Fact]
    public void AnOrdinaryNameThatDoesNotResolveIsAProblemButALoopbackNameIsAResult()
    {
        var tester = Tester(NoSuchName, hosts: "10.0.0.1 other\n");
        var ordinary = tester.TestTarget("no-such-host.example", CancellationToken.None);
        Assert.Equal(LoopbackTargetProblem.NameNotResolved, ordinary.Problem);
        Assert.Contains("'no-such-host.example'", ordinary.Message);

        var localhost = tester.TestTarget("localhost", CancellationToken.None);
        var result = Assert.Single(localhost.Results);
        Assert.Equal(LoopbackStatus.NameNotResolved, result.Status);
        Assert.Contains("/etc/hosts has no line for localhost", result.Diagnosis);
    }

    [Fact]
    public void LocalhostResolvingElsewhereGetsNoTrafficAndTheHostsFileIsNamed()
    {
        var tester = Tester(name => new[] { IPAddress.Parse("198.51.100.9") }, hosts: "198.51.100.9 localhost\n");
        var result = Assert.Single(tester.TestTarget("localhost", CancellationToken.None).Results);
        Assert.Equal(LoopbackStatus.NotLoopback, result.Status);
        Assert.Equal(0, result.BytesSent);
        Assert.Contains("/etc/hosts maps localhost to 198.51.100.9", result.Diagnosis);
    }

    [Fact]
    public void TheSelfCheckPutsAnUnresolvedLocalhostWhereItsResultsWouldStand()
    {
        var results = Tester(NoSuchName, hosts: "10.0.0.1 other\n").SelfCheck(new Random(1), CancellationToken.None);
        Assert.Equal(4, results.Count);
        Assert.Equal("127.0.0.1", results[0].Target);
        Assert.Equal("::1", results[1].Target);
        Assert.Equal(LoopbackStatus.NameNotResolved, results[2].Status);
        Assert.StartsWith("127.", results[3].Target);
        Assert.Equal(LoopbackStatus.Success, results[3].Status);
    }

    [Fact]
    public void LoopbackNamesComeFromTheHostsFileNeverTheResolverAndAddressesNeverReadTheFile()
    {
        var snapshot = SnapshotBuilder.WithLoopback().Build();
        var reads = 0;
        var facts = new LoopbackFacts(snapshot.Interfaces, new LinuxRouteResolver(snapshot), () => { reads++; return HostsScan.Of("/etc/hosts", "127.0.0.1 localhost\n"); }, "/etc/hosts");
        var tester = new LoopbackTester(facts, new LoopbackTestOptions { Count = 1, Timeout = TimeSpan.FromSeconds(2) }, null, name => throw new InvalidOperationException($"the resolver was asked for {name}"));
        Assert.Equal(LoopbackStatus.Success, Assert.Single(tester.TestTarget("127.0.0.1", CancellationToken.None).Results).Status);
        Assert.Equal(LoopbackStatus.Success, Assert.Single(tester.TestTarget("::1%1", CancellationToken.None).Results).Status);
        Assert.Equal(0, reads);
        Assert.False(facts.HostsRead);
        foreach (var name in new[] { "localhost.", "LocalHost" })
        {
            var result = Assert.Single(tester.TestTarget(name, CancellationToken.None).Results);
            Assert.Equal(LoopbackStatus.Success, result.Status);
            Assert.Equal(IPAddress.Loopback, result.RemoteAddress);
        }

        Assert.Equal(1, reads);
        var invalid = tester.TestTarget("1.2.3.4.5", CancellationToken.None);
        Assert.Equal(LoopbackTargetProblem.InvalidTarget, invalid.Problem);
        Assert.Contains("'1.2.3.4.5' is not an IP address", invalid.Message);
        Assert.Equal(LoopbackTargetProblem.InvalidTarget, tester.TestTarget("fe80::1%nosuch", CancellationToken.None).Problem);
    }

    [Fact]
    public void AnIPv4MappedLoopbackAddressIsTestedOverIPv4AsASocketCarriesIt()
    {
        var result = Assert.Single(Tester(NoSuchName).TestTarget("::ffff:127.0.0.1", CancellationToken.None).Results);
        Assert.Equal(LoopbackStatus.Success, result.Status);
        Assert.True(result.StaysOnHost);
        Assert.Equal("lo", result.InterfaceAlias);
    }
}

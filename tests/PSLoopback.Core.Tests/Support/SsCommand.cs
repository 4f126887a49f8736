using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using PSLoopback.Sockets;

namespace PSLoopback.Core.Tests.Support;

/// <summary>Runs iproute2's `ss -tuanpe -H` for the live tests, bounded in time, and reads its lines.</summary>
internal static class SsCommand
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private static readonly Regex Line = new(
        @"^(?<netid>tcp|udp)\s+(?<state>\S+)\s+(?<rq>\d+)\s+(?<sq>\d+)\s+(?<local>\S+)\s+(?<peer>\S+)(?<rest>.*)$",
        RegexOptions.CultureInvariant);

    private static readonly Regex User = new(@"\(""(?<name>[^""]*)"",pid=(?<pid>\d+),fd=\d+\)", RegexOptions.CultureInvariant);

    public static async Task<IReadOnlyList<SsSocket>> ReadAsync()
    {
        var start = new ProcessStartInfo("ss")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-tuanpe", "-H" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start ss");
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, $"ss exited with {process.ExitCode}: {await error}");
            return (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Parse).ToList();
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"ss did not finish within {Timeout.TotalSeconds} s");
        }
    }

    public static SsSocket Parse(string line)
    {
        var match = Line.Match(line);
        Assert.True(match.Success, $"an ss line this test cannot read: {line}");
        var protocol = match.Groups["netid"].Value == "tcp" ? SocketProtocol.Tcp : SocketProtocol.Udp;
        var (local, localPort) = Endpoint(match.Groups["local"].Value);
        var (remote, remotePort) = Endpoint(match.Groups["peer"].Value);
        var rest = match.Groups["rest"].Value;
        var users = User.Matches(rest).Select(m => (Name: m.Groups["name"].Value, Pid: int.Parse(m.Groups["pid"].Value, CultureInfo.InvariantCulture))).ToList();
        var owner = users.Count == 0 ? ((string, int)?)null : users.OrderBy(u => u.Pid).First();
        var inode = Number(rest, "ino:");
        var state = State(protocol, match.Groups["state"].Value);

        // ss leaves uid 0 out. Time-wait sockets (TIME-WAIT, an orphan's FIN-WAIT-2) and request sockets (SYN-RECV)
        // have no inode and no uid of their own; other sockets without an inode (orphans, connections not yet
        // accepted) keep their uid.
        var noFullSocket = (inode is null or 0) && (state is SocketState.TimeWait or SocketState.FinWait2 or SocketState.SynReceived);
        var uid = Number(rest, "uid:") ?? (noFullSocket ? null : 0u);
        return new SsSocket(
            new SsKey(protocol, local, localPort, remote, remotePort, state),
            long.Parse(match.Groups["rq"].Value, CultureInfo.InvariantCulture),
            long.Parse(match.Groups["sq"].Value, CultureInfo.InvariantCulture),
            owner?.Item2,
            owner?.Item1,
            inode,
            uid,
            rest.Contains(" v6only:1", StringComparison.Ordinal),
            line);
    }

    /// <summary>
    /// Whether our process name is ss's: ss shows comm, which the kernel cuts at 15 bytes, and we the full name
    /// (as Get-Process does) when comm is cut.
    /// </summary>
    public static bool SameProcessName(string? ss, string? ours) =>
        ss == ours || (ss is not null && ours is not null && System.Text.Encoding.UTF8.GetByteCount(ss) == 15 && ours.StartsWith(ss, StringComparison.Ordinal));

    public static SsKey KeyOf(NetSocketInfo socket) =>
        new(socket.Protocol, socket.LocalAddress.ToString(), socket.LocalPort, socket.RemoteAddress.ToString(), socket.RemotePort, socket.State);

    private static SocketState State(SocketProtocol protocol, string state) => state switch
    {
        "LISTEN" => SocketState.Listen,
        "UNCONN" => protocol == SocketProtocol.Udp ? SocketState.Listen : SocketState.Closed,
        "ESTAB" => SocketState.Established,
        "SYN-SENT" => SocketState.SynSent,
        "SYN-RECV" => SocketState.SynReceived,
        "FIN-WAIT-1" => SocketState.FinWait1,
        "FIN-WAIT-2" => SocketState.FinWait2,
        "TIME-WAIT" => SocketState.TimeWait,
        "CLOSE-WAIT" => SocketState.CloseWait,
        "LAST-ACK" => SocketState.LastAck,
        "CLOSING" => SocketState.Closing,
        _ => throw new InvalidOperationException($"ss state {state} is not one this test knows"),
    };

    /// <summary>"127.0.0.1:80", "[::1]:80", "127.0.0.1%lo:53", "0.0.0.0:*", "*:80" (ss's wildcard of either family).</summary>
    private static (string Address, int Port) Endpoint(string text)
    {
        var colon = text.LastIndexOf(':');
        var host = text[..colon];
        var port = text[(colon + 1)..];
        var percent = host.IndexOf('%');
        if (percent >= 0)
        {
            host = host[..percent] + (host.StartsWith('[') ? "]" : string.Empty);
        }

        host = host.Trim('[', ']');
        var address = host == "*" ? "*" : IPAddress.Parse(host).ToString();
        return (address, port == "*" ? 0 : int.Parse(port, CultureInfo.InvariantCulture));
    }

    private static uint? Number(string rest, string key)
    {
        var at = rest.IndexOf(" " + key, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var digits = new string(rest[(at + 1 + key.Length)..].TakeWhile(char.IsDigit).ToArray());
        return uint.Parse(digits, CultureInfo.InvariantCulture);
    }
}

/// <summary>What identifies a socket across two reads.</summary>
internal sealed record SsKey(SocketProtocol Protocol, string Local, int LocalPort, string Remote, int RemotePort, SocketState State);

/// <summary>One line of `ss -tuanpe -H`.</summary>
internal sealed record SsSocket(SsKey Key, long ReceiveQueue, long SendQueue, int? OwningProcess, string? ProcessName, uint? Inode, uint? Uid, bool V6Only, string Line);

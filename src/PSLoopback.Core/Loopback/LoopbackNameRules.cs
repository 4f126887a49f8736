using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using PSLoopback.Addressing;

namespace PSLoopback.Loopback;

/// <summary>
/// How a loopback name (RFC 6761: localhost, anything under .localhost) is answered on this host without
/// DNS, and what to tell a person when the answer is wrong, in the words of the system it runs on.
/// </summary>
public static class LoopbackNameRules
{
    /// <summary>
    /// The name's addresses: the hosts file's lines for it when it has any (what the system's resolver
    /// answers first, so a wrong line shows); else, for a name under .localhost, 127.0.0.1 and ::1 as
    /// RFC 6761 says; else for localhost on Windows, whose DNS client answers it itself, the same; else none.
    /// IPv6 comes first among loopback addresses, as RFC 6724's default policy orders them (::1 before IPv4).
    /// </summary>
    public static IReadOnlyList<IPAddress> Answer(string name, HostsScan hosts, HostOS os)
    {
        var listed = HostsFile.EntriesFor(hosts.Entries, name).Select(e => e.Address).Distinct().ToList();
        if (listed.Count > 0)
        {
            return listed.OrderBy(a => AddressClass.IsLoopback(a) && a.AddressFamily == AddressFamily.InterNetworkV6 ? 0 : 1).ToList();
        }

        return !LoopbackNames.IsLocalhost(name) || os == HostOS.Windows
            ? new[] { IPAddress.IPv6Loopback, IPAddress.Loopback }
            : new IPAddress[0];
    }

    /// <summary>
    /// What is wrong with the name's answer and what to do, naming the name and the hosts file; null when
    /// nothing is (every address it resolved to is loopback).
    /// </summary>
    public static string? Advice(string name, HostsScan hosts, HostOS os, IReadOnlyCollection<IPAddress> resolved)
    {
        var path = hosts.Path;
        var wrong = HostsFile.EntriesFor(hosts.Entries, name).Where(e => !AddressClass.IsLoopback(e.Address)).ToList();
        if (wrong.Count > 0)
        {
            return $"{path} maps {name} to {string.Join(", ", wrong.Select(e => $"{e.Address} ({e})"))}, which is not a loopback address. "
                + $"Map it to 127.0.0.1 and ::1 only.{Flush(os)}";
        }

        if (resolved.Count > 0 && resolved.All(AddressClass.IsLoopback))
        {
            return null;
        }

        var problem = hosts.Status switch
        {
            HostsFileStatus.Missing => $"{path} does not exist, so nothing gives {name} its addresses.",
            HostsFileStatus.AccessDenied => $"{path} exists but cannot be read by this user ({hosts.Detail}), so programs running as this user find no line for {name}. "
                + (os == HostOS.Windows ? $"Give Users read access to it (icacls \"{path}\" /grant Users:R)." : $"Make it readable to all: chmod 644 {path}."),
            HostsFileStatus.NotRegularFile => $"{path} is {hosts.Detail}, not a regular file, so the resolver cannot read a line for {name} from it"
                + $"{(hosts.Detail?.Contains("FIFO") == true ? " (and a program that opens it waits until something writes to it)" : string.Empty)}. Replace it with a plain file.",
            HostsFileStatus.TimedOut => $"Reading {path} did not finish: {hosts.StoppedBecause} (a hung network mount, or a very slow disk), so whether it has a line for {name} is unknown.",
            HostsFileStatus.Cancelled => $"Reading {path} was stopped before it was done, so whether it has a line for {name} is unknown.",
            HostsFileStatus.Unreadable => $"{path} could not be read ({hosts.Detail}), so it gives {name} no addresses.",
            _ => $"{path} has no line for {name}"
                + (hosts.StoppedBecause is string why ? $" in the part that was read ({why}; a line after that is not seen)." : "."),
        };
        return $"{problem} {Fix(name, path, os)}";
    }

    private static string Fix(string name, string path, HostOS os)
    {
        var lines = $"\"127.0.0.1 {name}\" and \"::1 {name}\"";
        return os switch
        {
            HostOS.Windows => LoopbackNames.IsLocalhost(name)
                ? $"Windows resolves localhost itself (since Windows 7 and 8 its DNS client answers it without a line in %SystemRoot%\\System32\\drivers\\etc\\hosts), so programs here still get ::1 and 127.0.0.1; add {lines} to that file only for programs with their own resolver."
                : $"Add {lines} to %SystemRoot%\\System32\\drivers\\etc\\hosts (as Administrator), then run ipconfig /flushdns.",
            HostOS.MacOS => $"Add {lines} to /etc/hosts (sudo), then flush the resolver cache: sudo dscacheutil -flushcache; sudo killall -HUP mDNSResponder.",
            HostOS.Linux => $"Add {lines} to /etc/hosts. Without such a line glibc asks DNS for {name} (unless /etc/nsswitch.conf lists myhostname or resolve), which should never be asked.",
            _ => $"Add {lines} to /etc/hosts.",
        };
    }

    private static string Flush(HostOS os) => os switch
    {
        HostOS.Windows => " Then run ipconfig /flushdns.",
        HostOS.MacOS => " Then flush the cache: sudo dscacheutil -flushcache; sudo killall -HUP mDNSResponder.",
        _ => string.Empty,
    };
}

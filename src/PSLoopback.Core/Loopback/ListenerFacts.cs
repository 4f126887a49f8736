using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.IO;
using System.Linq;
using PSLoopback.Interfaces;
using PSLoopback.Platform.Linux.Netlink;
using PSLoopback.Platform.Windows;
using PSLoopback.Sockets;

namespace PSLoopback.Loopback;

/// <summary>What Test-Loopback -Port knows of the host's listeners: the TCP listening sockets read once per call, the interfaces that hold the addresses, and who asks.</summary>
public sealed class ListenerFacts
{
    /// <param name="uid">The user running the test, as socket owners are numbered (Linux); null where sockets carry no uid.</param>
    /// <param name="userName">The same user's name, matched where uids are not known (Windows).</param>
    /// <param name="interfaces">The host's interfaces and addresses: which device holds an address decides what a device-bound socket takes.</param>
    public ListenerFacts(IReadOnlyList<NetSocketInfo> sockets, HostOS os, uint? uid, string? userName, IReadOnlyList<NetInterfaceInfo>? interfaces = null)
    {
        Sockets = sockets ?? throw new ArgumentNullException(nameof(sockets));
        Interfaces = interfaces ?? Array.Empty<NetInterfaceInfo>();
        OS = os;
        Uid = uid;
        UserName = userName;
    }

    public IReadOnlyList<NetSocketInfo> Sockets { get; }

    public IReadOnlyList<NetInterfaceInfo> Interfaces { get; }

    /// <summary>What the socket source could not read (a dump or table that failed), one sentence each.</summary>
    public IReadOnlyList<string> SourceWarnings { get; private set; } = System.Array.Empty<string>();

    /// <summary>Whose advice the diagnoses give.</summary>
    public HostOS OS { get; }

    public uint? Uid { get; }

    public string? UserName { get; }

    /// <summary>The listening sockets, only the ones the test needs (TCP), as the source reads them.</summary>
    public static SocketRequest Request => new()
    {
        Protocol = SocketProtocol.Tcp,
        States = new[] { SocketState.Listen },
        IncludeOwners = true,
    };

    /// <summary>
    /// Reads the listeners, or says why it could not: naming the server is an addition to the test, so a
    /// read the OS fails or answers oddly gives a warning and the test answers as it would without it. Any
    /// other exception is a bug, and propagates.
    /// </summary>
    public static (ListenerFacts? Facts, string? Warning) Read(ISocketSource source, string sourceName, HostOS os, uint? uid, string? userName,
        IReadOnlyList<NetInterfaceInfo>? interfaces = null)
    {
        try
        {
            var facts = new ListenerFacts(source.GetSockets(Request), os, uid, userName, interfaces);
            facts.SourceWarnings = (source as Platform.ISourceWarnings)?.Warnings ?? System.Array.Empty<string>();
            return (facts, null);
        }
        catch (Exception e) when (IsReadFailure(e))
        {
            return (null, $"Could not read the listening sockets from {sourceName} ({e.GetType().Name}: {e.Message}), so the result does not name the server.");
        }
    }

    // What the sources throw when the OS refuses or garbles an answer (Win32Exception covers NetworkInformationException);
    // InvalidOperationException is the Windows source's "every table failed".
    private static bool IsReadFailure(Exception e) =>
        e is NetlinkException or NetlinkParseException or IpHelperParseException or InvalidOperationException or IOException
            or UnauthorizedAccessException or Win32Exception or PlatformNotSupportedException or NotSupportedException;

    /// <summary>Whether the socket belongs to the user running the test: by uid where both are known, else by name (Windows adds a domain).</summary>
    public bool IsCurrentUser(NetSocketInfo socket)
    {
        if (socket.Uid is uint owner && Uid is uint me)
        {
            return owner == me;
        }

        if (socket.UserName is not string name || string.IsNullOrEmpty(UserName))
        {
            return false;
        }

        var bare = name.Split('\\').Last();
        return string.Equals(bare, UserName, StringComparison.OrdinalIgnoreCase) || string.Equals(name, UserName, StringComparison.OrdinalIgnoreCase);
    }
}

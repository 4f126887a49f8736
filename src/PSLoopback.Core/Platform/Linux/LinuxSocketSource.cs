using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Text;
using PSLoopback.Addressing;
using PSLoopback.Platform.Linux.Netlink;
using PSLoopback.Sockets;
using static PSLoopback.Platform.Linux.Netlink.InetDiagConstants;
using static PSLoopback.Platform.Linux.Netlink.NetlinkConstants;

namespace PSLoopback.Platform.Linux;

/// <summary>
/// The host's TCP and UDP sockets from NETLINK_SOCK_DIAG (inet_diag, the source `ss` reads), one dump per
/// family and protocol asked for; owners from one walk of /proc/&lt;pid&gt;/fd, user names from /etc/passwd,
/// bound devices' names from the kernel's index (if_indextoname: this network namespace's, which sysfs need not be).
/// A dump that fails leaves only its own sockets out, and <see cref="Warnings"/> says which.
/// </summary>
public sealed class LinuxSocketSource : ISocketSource, ISourceWarnings
{
    private readonly string procRoot;
    private readonly string passwdPath;
    private readonly Action<byte[], DatagramHandler>? dump;
    private IReadOnlyList<string> warnings = Array.Empty<string>();

    public LinuxSocketSource(string procRoot = "/proc", string passwdPath = "/etc/passwd")
        : this(procRoot, passwdPath, null)
    {
    }

    /// <summary>With <paramref name="dump"/>, a test's own kernel: it answers each inet_diag_req_v2 through the handler, or throws.</summary>
    internal LinuxSocketSource(string procRoot, string passwdPath, Action<byte[], DatagramHandler>? dump)
    {
        this.procRoot = procRoot;
        this.passwdPath = passwdPath;
        this.dump = dump;
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> Warnings => warnings;

    /// <summary>
    /// The sockets of every dump that worked. A dump the kernel refuses (ENOENT when udp_diag is not loaded) or
    /// answers with bytes this parser cannot read leaves its sockets out, and <see cref="Warnings"/> names it;
    /// a message in a state this project does not know is left out and counted in one warning. When every dump
    /// fails, this throws <see cref="InvalidOperationException"/>.
    /// </summary>
    public IReadOnlyList<NetSocketInfo> GetSockets(SocketRequest request)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        IReadOnlyList<NetSocketInfo> sockets;
        if (dump is not null)
        {
            sockets = Read(dump, request);
        }
        else
        {
            using var socket = NetlinkSocket.OpenSockDiag();
            sockets = Read((header, handler) => socket.DumpDatagrams(SOCK_DIAG_BY_FAMILY, header, handler), request);
        }

        AddNames(sockets, request.IncludeOwners);
        return sockets;
    }

    /// <summary>
    /// One dump per protocol and family asked for, each sent through <paramref name="send"/>; sets
    /// <see cref="Warnings"/>, and throws when every dump failed.
    /// </summary>
    private List<NetSocketInfo> Read(Action<byte[], DatagramHandler> send, SocketRequest request)
    {
        var sockets = new List<NetSocketInfo>();
        var missing = new List<string>();
        var failures = new List<Exception>();
        var skipped = new SkippedMessages();
        var dumps = 0;
        foreach (var protocol in new[] { SocketProtocol.Tcp, SocketProtocol.Udp })
        {
            var mask = LinuxSocketStates.KernelMask(protocol, request.States);
            if ((request.Protocol is SocketProtocol only && only != protocol) || mask == 0)
            {
                continue;
            }

            foreach (var family in new[] { IPAddressFamily.IPv4, IPAddressFamily.IPv6 })
            {
                if (request.Family is IPAddressFamily wanted && wanted != family)
                {
                    continue;
                }

                var what = $"{family} {protocol.ToString().ToUpperInvariant()}";
                var found = new List<NetSocketInfo>();
                dumps++;
                try
                {
                    Dump(send, protocol, family == IPAddressFamily.IPv4 ? AF_INET : AF_INET6, mask, request.States, found, what, skipped);
                    sockets.AddRange(found);
                }
                catch (Exception e) when (e is NetlinkException or NetlinkParseException)
                {
                    // A dump cut short would give a part that looks whole: none of its sockets are kept.
                    failures.Add(e);
                    var hint = e is NetlinkException { Errno: 2 } ? " (ENOENT: the kernel has no sock_diag module for it, such as udp_diag)" : string.Empty;
                    missing.Add($"the {what} sock_diag dump failed: {e.Message.TrimEnd('.')}{hint}; no {what} sockets.");
                }
            }
        }

        if (skipped.Count > 0)
        {
            missing.Add($"{skipped.Count} socket message(s) left out ({string.Join(", ", skipped.Dumps)}); the first: {skipped.First}");
        }

        warnings = missing;
        if (dumps > 0 && failures.Count == dumps)
        {
            throw new InvalidOperationException(string.Join(" ", missing), failures[0]);
        }

        return sockets;
    }

    /// <summary>
    /// The model's view of one kernel message. Time-wait sockets (idiag_timer 3, whatever the substate: TIME_WAIT
    /// or FIN_WAIT2) and request sockets (SYN_RECV with no inode) are no full sockets: the kernel sends 0 for their
    /// uid, inode and queues (inet_twsk_diag_fill, inet_req_diag_fill), which stay null here rather than root's uid.
    /// </summary>
    /// <exception cref="NetlinkParseException">The message's state is not one this project knows.</exception>
    public static NetSocketInfo ToSocketInfo(InetDiagMessage message, SocketProtocol protocol)
    {
        if (message is null)
        {
            throw new ArgumentNullException(nameof(message));
        }

        var state = LinuxSocketStates.ToSocketState(message.State, protocol, message.SourcePort);
        var full = message.Timer != TimeWaitTimer && !(message.State == TCP_SYN_RECV && message.Inode == 0);
        return new NetSocketInfo
        {
            Protocol = protocol,
            LocalAddress = message.Source,
            LocalPort = message.SourcePort,
            RemoteAddress = message.Destination,
            RemotePort = message.DestinationPort,
            State = state,
            Uid = full ? message.Uid : null,
            BoundInterfaceIndex = message.Interface == 0 ? null : message.Interface,
            IPv6Only = message.Family == AF_INET6 ? message.V6Only : null,
            ReceiveQueue = full ? message.ReceiveQueue : null,
            SendQueue = full ? message.SendQueue : null,
            Inode = message.Inode == 0 ? null : message.Inode,
        };
    }

    private static void Dump(Action<byte[], DatagramHandler> send, SocketProtocol protocol, byte family, uint mask, IReadOnlyCollection<SocketState>? states, List<NetSocketInfo> sockets, string what, SkippedMessages skipped)
    {
        // TCP_CLOSE stands for both Closed and Bound, and the kernel may add what a filter bit it does not know
        // let through: the states asked for are checked again here.
        var exact = states is not null && states.Count > 0 ? new HashSet<SocketState>(states) : null;
        void Add(InetDiagMessage message)
        {
            NetSocketInfo info;
            try
            {
                info = ToSocketInfo(message, protocol);
            }
            catch (NetlinkParseException e)
            {
                skipped.Add(what, e);
                return;
            }

            if (exact is null || exact.Contains(info.State))
            {
                sockets.Add(info);
            }
        }

        var onSocket = new Action<InetDiagMessage>(Add);
        var onMalformed = new Action<NetlinkParseException>(e => skipped.Add(what, e));
        var request = InetDiagParser.Request(family, protocol == SocketProtocol.Tcp ? IPPROTO_TCP : IPPROTO_UDP, mask);
        send(request, (buffer, length, sequence, portId) => InetDiagParser.ReadDatagram(buffer, length, sequence, portId, onSocket, onMalformed));
    }

    /// <summary>Owners, user and device names, each looked up once per read however many sockets share it.</summary>
    private void AddNames(IReadOnlyList<NetSocketInfo> sockets, bool includeOwners)
    {
        if (includeOwners)
        {
            AddOwners(sockets);
        }

        IReadOnlyDictionary<uint, string>? users = null;
        Dictionary<int, string?>? devices = null;
        foreach (var socket in sockets)
        {
            if (socket.Uid is uint uid)
            {
                users ??= PasswdFile.Read(passwdPath);
                socket.UserName = users.TryGetValue(uid, out var name) ? name : null;
            }

            if (socket.BoundInterfaceIndex is int index)
            {
                devices ??= new Dictionary<int, string?>();
                if (!devices.TryGetValue(index, out var device))
                {
                    device = InterfaceName(index);
                    devices.Add(index, device);
                }

                socket.BoundInterfaceAlias = device;
            }
        }
    }

    private void AddOwners(IReadOnlyList<NetSocketInfo> sockets)
    {
        var owners = new Dictionary<uint, int>();
        foreach (var socket in sockets)
        {
            if (socket.Inode is ulong inode)
            {
                owners[(uint)inode] = 0;
            }
        }

        ProcSocketOwners.Find(procRoot, owners);
        var names = new Dictionary<int, string?>();
        foreach (var socket in sockets)
        {
            if (socket.Inode is ulong inode && owners.TryGetValue((uint)inode, out var pid) && pid != 0)
            {
                if (!names.TryGetValue(pid, out var name))
                {
                    name = ProcSocketOwners.ReadProcessName(procRoot, pid);
                    names.Add(pid, name);
                }

                socket.OwningProcess = pid;
                socket.ProcessName = name;
            }
        }
    }

    /// <summary>The device's name in this process's network namespace; null when the index no longer exists.</summary>
    private static string? InterfaceName(int index)
    {
        // IF_NAMESIZE: 16 bytes with the NUL.
        var name = new byte[16];
        if (if_indextoname((uint)index, name) == IntPtr.Zero)
        {
            return null;
        }

        var length = Array.IndexOf(name, (byte)0);
        return Encoding.ASCII.GetString(name, 0, length < 0 ? name.Length : length);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern IntPtr if_indextoname(uint index, byte[] name);

    /// <summary>Messages left out of a read: how many, from which dumps, and the first one's reason.</summary>
    private sealed class SkippedMessages
    {
        public int Count { get; private set; }

        public List<string> Dumps { get; } = new();

        public string First { get; private set; } = string.Empty;

        public void Add(string dump, NetlinkParseException reason)
        {
            if (Count++ == 0)
            {
                First = reason.Message;
            }

            if (!Dumps.Contains(dump))
            {
                Dumps.Add(dump);
            }
        }
    }
}

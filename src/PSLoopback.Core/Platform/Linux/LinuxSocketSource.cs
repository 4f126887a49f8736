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
/// </summary>
public sealed class LinuxSocketSource : ISocketSource
{
    private readonly string procRoot;
    private readonly string passwdPath;

    public LinuxSocketSource(string procRoot = "/proc", string passwdPath = "/etc/passwd")
    {
        this.procRoot = procRoot;
        this.passwdPath = passwdPath;
    }

    public IReadOnlyList<NetSocketInfo> GetSockets(SocketRequest request)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        var sockets = new List<NetSocketInfo>();
        using (var socket = NetlinkSocket.OpenSockDiag())
        {
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

                    Dump(socket, protocol, family == IPAddressFamily.IPv4 ? AF_INET : AF_INET6, mask, request.States, sockets);
                }
            }
        }

        AddNames(sockets, request.IncludeOwners);
        return sockets;
    }

    /// <summary>The model's view of one kernel message: what the kernel leaves zero for want of a socket (time-wait) stays null.</summary>
    public static NetSocketInfo ToSocketInfo(InetDiagMessage message, SocketProtocol protocol)
    {
        if (message is null)
        {
            throw new ArgumentNullException(nameof(message));
        }

        var state = LinuxSocketStates.ToSocketState(message.State, protocol, message.SourcePort);

        // A time-wait socket is no full socket: the kernel gives no queues, uid or inode, only zeros. A request
        // socket (TCP_NEW_SYN_RECV) carries its listener's uid but no queues or inode of its own.
        var full = message.State != TCP_TIME_WAIT && message.State != TCP_NEW_SYN_RECV;
        return new NetSocketInfo
        {
            Protocol = protocol,
            LocalAddress = message.Source,
            LocalPort = message.SourcePort,
            RemoteAddress = message.Destination,
            RemotePort = message.DestinationPort,
            State = state,
            Uid = message.State == TCP_TIME_WAIT ? null : message.Uid,
            BoundInterfaceIndex = message.Interface == 0 ? null : message.Interface,
            IPv6Only = message.Family == AF_INET6 ? message.V6Only : null,
            ReceiveQueue = full ? message.ReceiveQueue : null,
            SendQueue = full ? message.SendQueue : null,
            Inode = message.Inode == 0 ? null : message.Inode,
        };
    }

    private static void Dump(NetlinkSocket socket, SocketProtocol protocol, byte family, uint mask, IReadOnlyCollection<SocketState>? states, List<NetSocketInfo> sockets)
    {
        // TCP_CLOSE stands for both Closed and Bound, and the kernel may add what a filter bit it does not know
        // let through: the states asked for are checked again here.
        var exact = states is not null && states.Count > 0 ? new HashSet<SocketState>(states) : null;
        void Add(InetDiagMessage message)
        {
            var info = ToSocketInfo(message, protocol);
            if (exact is null || exact.Contains(info.State))
            {
                sockets.Add(info);
            }
        }

        var onSocket = new Action<InetDiagMessage>(Add);
        var request = InetDiagParser.Request(family, protocol == SocketProtocol.Tcp ? IPPROTO_TCP : IPPROTO_UDP, mask);
        socket.DumpDatagrams(SOCK_DIAG_BY_FAMILY, request, (buffer, length, sequence, portId) => InetDiagParser.ReadDatagram(buffer, length, sequence, portId, onSocket));
    }

    /// <summary>Owners, user and device names, each looked up once per read however many sockets share it.</summary>
    private void AddNames(List<NetSocketInfo> sockets, bool includeOwners)
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

    private void AddOwners(List<NetSocketInfo> sockets)
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
}

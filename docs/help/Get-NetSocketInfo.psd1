@{
    Synopsis    = 'Gets the TCP and UDP sockets of this machine: who listens where, who is connected, and who can reach them.'
    Description = @(
        'Get-NetSocketInfo lists the host''s TCP and UDP sockets, listening and connected, IPv4 and IPv6, as `ss -tuanpe` or Get-NetTCPConnection do, as one PSLoopback.Output.NetSocket object per socket. Each object carries Protocol, LocalAddress, LocalPort, RemoteAddress, RemotePort, State (in the names Get-NetTCPConnection uses: Listen, Established, TimeWait, ...), OwningProcess (the pid), ProcessName, Uid and UserName, the device the socket is bound to (BoundInterfaceAlias and BoundInterfaceIndex, SO_BINDTODEVICE), IPv6Only and TakesIPv4 (a `::` socket without IPV6_V6ONLY takes IPv4 connections too), the receive and send queues as `ss` shows them, the Linux inode, and Exposure: LoopbackOnly (bound to a loopback address or device: only this host can connect), Interface (one address or device of another interface) or AllInterfaces (the wildcard 0.0.0.0 or `::` on no device: other hosts can connect through every interface).'
        'A UDP socket has no state of its own: one that is not connected is Listen (it takes datagrams from anyone, as `ss -l` counts it), a connected one Established. The Text property is the socket in `ss` words: tcp LISTEN 0 4096 127.0.0.1:3000 0.0.0.0:* users:(("node",pid=812)) uid:1000 ino:12345.'
        'On Linux the sockets come from NETLINK_SOCK_DIAG (inet_diag, the source `ss` uses) and their owners from the socket inodes under /proc/<pid>/fd; a process this session may not inspect leaves OwningProcess and ProcessName empty, never guessed (run as root to see every owner). On Windows they come from GetExtendedTcpTable and GetExtendedUdpTable, with the owning pids.'
        'The sockets are read once per call, however many objects are piped in; -Protocol and -State are passed to the OS, so a narrow question reads less. The other filters select from that one read, for each piped object. A value that matches no socket is not an error: nothing listening is an answer. An address or wildcard pattern that cannot be read is a non-terminating error naming it, and the other values still select.'
    )
    Parameters  = @{
        Protocol      = 'Gets only sockets of these protocols: Tcp, Udp. Asked of the OS, so -Protocol Tcp does not read the UDP sockets at all.'
        State         = 'Gets only sockets in these states, in Get-NetTCPConnection''s names: Listen, Established, SynSent, SynReceived, FinWait1, FinWait2, CloseWait, Closing, LastAck, TimeWait, Closed, Bound, DeleteTcb. An unconnected UDP socket is Listen, a connected one Established. Asked of the OS.'
        LocalPort     = 'Gets only sockets whose local port is one of these (0 to 65535; a value outside that range is refused, naming it).'
        LocalAddress  = 'Gets only sockets whose local address is one of these, or lies in one of these prefixes (10.0.0.0/8). An IPv4 address or prefix also matches the IPv4-mapped IPv6 addresses in it, as the filter of `ss` does: 127.0.0.1 finds ::ffff:127.0.0.1, the local end of each connection a dual-stack `::` listener accepts on 127.0.0.1; an IPv6 value never matches an IPv4 address. 0.0.0.0 is the IPv4 wildcard and :: the IPv6 one, and they never match each other (:: is not a mapped address). A value that is not an address or prefix is an error naming it.'
        RemotePort    = 'Gets only sockets whose remote (peer) port is one of these (0 to 65535; 0 is a listener''s or an unconnected socket''s).'
        RemoteAddress = 'Gets only sockets whose remote (peer) address is one of these, or lies in one of these prefixes; an IPv4 value also matches the IPv4-mapped peers in it (::ffff:127.0.0.1), as for LocalAddress. A value that is not an address or prefix is an error naming it.'
        OwningProcess = 'Gets only sockets held by these processes (pids). Aliases Id and Pid, and taken from the Id property of piped objects, so Get-Process node | Get-NetSocketInfo gets the sockets of the node processes; the pid then decides, not the process''s name.'
        ProcessName   = 'Gets only sockets held by processes with these names. Wildcards are accepted. Taken from the ProcessName property of piped objects that have no Id. Tab completion offers the names of the processes that own sockets. A socket whose owner could not be found never matches.'
    }
    Inputs      = @(
        @{ Type = 'System.Diagnostics.Process'; Description = 'Processes (Get-Process): their sockets, by the Id property.' }
        @{ Type = 'System.Int32'; Description = 'Pids, from an OwningProcess, Id or Pid property.' }
        @{ Type = 'System.String'; Description = 'Process names, from a ProcessName property.' }
    )
    Outputs     = @{
        'PSLoopback.Output.NetSocket' = 'One object per socket. Addresses, states and enums are text that compares with what you type, and exports to JSON and CSV as it reads; LocalEndpoint and RemoteEndpoint are the ends as `ss` writes them. The default view is a table as dense as `ss -ltnp`, and never splits a value: an endpoint too wide for its column (a long IPv6 address with a device) goes on at its zone, %device:port, on the next line, indented. Format-List shows every property.'
    }
    Notes       = @(
        'Verified on Linux against `ss -tuanpe`, on this host and in a network namespace with listeners on 127.0.0.1, ::1, `::` with and without IPV6_V6ONLY, 0.0.0.0, one bound to a device, a UDP socket and 2,000 connections.'
        'ReceiveQueue and SendQueue are Recv-Q and Send-Q as `ss` shows them: for a listener, the connections waiting to be accepted and the backlog; otherwise bytes.'
    )
    Examples    = @(
        @{
            Title   = 'Who listens on this machine'
            Code    = 'Get-NetSocketInfo -State Listen'
            Remarks = 'Every listening TCP socket and every unconnected UDP socket, with the process that holds it, like `ss -tulnp`.'
        }
        @{
            Title   = 'Who listens on port 3000, and can other hosts reach it'
            Code    = 'Get-NetSocketInfo -State Listen -LocalPort 3000 | Format-List ProcessName, OwningProcess, LocalAddress, IPv6Only, TakesIPv4, Exposure'
            Remarks = 'A server on 127.0.0.1:3000 only is LoopbackOnly, and localhost may resolve to ::1 first; one on 0.0.0.0 or `::` is AllInterfaces: exposed beyond this machine.'
        }
        @{
            Title   = 'The sockets of a process'
            Code    = 'Get-Process node | Get-NetSocketInfo'
            Remarks = 'Each process''s Id selects its sockets; the sockets are read once for all of them.'
        }
        @{
            Title   = 'Listeners reachable from other hosts'
            Code    = 'Get-NetSocketInfo -State Listen | Where-Object Exposure -eq ''AllInterfaces'''
            Remarks = 'The services bound to the wildcard address on no device. Where-Object LocalAddress -eq ''0.0.0.0'' finds the IPv4 ones only.'
        }
        @{
            Title   = 'Count connections by state'
            Code    = 'Get-NetSocketInfo -Protocol Tcp | Group-Object State -NoElement'
            Remarks = 'How many connections are Established, TimeWait, CloseWait, ...: many CloseWait sockets point at a program that does not close what its peer closed.'
        }
        @{
            Title   = 'Sockets by process name, with wildcards, saved as CSV'
            Code    = 'Get-NetSocketInfo -ProcessName ''postgres*'', sshd | Export-Csv sockets.csv'
            Remarks = 'Addresses and states are text in every cell, so the file reads as `ss` would print it.'
        }
    )
    Links       = @('ss(8)', 'Get-NetTCPConnection', 'Get-NetUDPEndpoint', 'Test-Loopback')
}

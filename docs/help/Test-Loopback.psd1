@{
    Synopsis    = 'Tests that the loopback path works: is an address loopback, does traffic to it stay on this host, and do real round trips through the loopback interface succeed, how fast.'
    Description = @(
        'With no target, Test-Loopback runs the machine''s self-check: it tests 127.0.0.1, ::1, each address localhost resolves to, and one random address of 127.0.0.0/8 (is the whole block routed to loopback?). For each address it returns one PSLoopback.Output.LoopbackResult: whether the address is a loopback address, which interface and route type the routing table gives it, whether traffic stays on this host, the status, round-trip latency (minimum, median, 99th percentile, maximum, in microseconds) over -Count round trips, bytes sent and received, and, when something is wrong, a diagnosis in plain words.'
        'The round trips are real: an echo listener bound to the tested address on an ephemeral port, and a client that sends -PayloadSize bytes and waits for all of them to come back, over TCP, UDP datagrams, or an HTTP GET (-Protocol Http, the browser-to-local-server flow). Every listener binds to a loopback address only, on an ephemeral port, and is closed on every path: success, failure, timeout, Ctrl+C.'
        'With a target (an address or a name) it says whether the target is loopback and whether traffic to it stays on this host. This host''s own LAN address is not a loopback address but has a local route: both are said (IsLoopbackAddress false, StaysOnHost true), and since a listener on it could be reached from the network, no echo traffic is sent to it (Status NotLoopback); -Port can still try a real service there. A target that is neither loopback nor local gets no traffic at all: its Status is NotLoopback.'
        'With -Port it tests a real local service instead of the echo listener: it connects to the port on every address localhost resolves to, IPv4 and IPv6, and diagnoses the classic trap: localhost resolves to ::1 first but the service listens on 127.0.0.1 only (or the reverse).'
        'With -Port it also reads the host''s listening TCP sockets once, after the connects, and names the server: the Listener property is the socket that takes connections to each address (its process, pid, user, address, whether other hosts can reach it), Listeners every socket on the port. The diagnosis of a refused address says which process listens where instead (node (pid 812) listens on 127.0.0.1:3000 only, not on [::1]:3000), how localhost''s order makes that matter, and what to do, in the words of the OS it runs on; a :: listener without IPV6_V6ONLY counts for 127.0.0.1 too. Nothing on the port: it says so and names the nearest ports the user''s own processes listen on. A listener that other hosts can reach (0.0.0.0, ::, a LAN address, a bound device) gets a warning when loopback was asked about. A process that cannot be identified (another user''s, without root or Administrator) is never guessed at: it is called unidentified, with its user when the OS gives it. If the sockets cannot be read, a warning says so and the results are as without it.'
        'Problems it recognises: the loopback interface down, IPv6 disabled, 127.0.0.0/8 not routed to loopback (only 127.0.0.1 configured, as macOS does), a hosts file without localhost or mapping it elsewhere, nothing listening, timeouts. No administrator rights are needed.'
    )
    Parameters  = @{
        InputObject    = 'Interfaces from Get-NetInterfaceInfo, piped, live or deserialized (from a job, remoting or Import-Clixml): each of their addresses is tested (not their names, which are not host names). An interface with no address is skipped with a warning that names it.'
        Target         = 'The addresses or names to test. A name is resolved and each of its addresses tested; localhost and any name under .localhost (in any case, with or without the final dot) are loopback names (RFC 6761): they are answered from the hosts file, read only then and at most 16 MiB of it, and never sent to DNS. A name under .localhost without a line gets 127.0.0.1 and ::1. Text that cannot be a host name (1.2.3.4.5, an empty or over-long label) is refused with the reason. An IPv6 zone (fe80::1%eth0, %4) must name an interface; it matters only for link-local addresses, as in the kernel, so ::1%1 is ::1. Taken from the pipeline as strings, or from the Target, ComputerName, TargetName, RemoteAddress, Destination or IPAddress property of piped objects. Without a target, the self-check runs.'
        Socket         = 'Listening TCP sockets from Get-NetSocketInfo (by the pipeline): each is tested as -Port would test it, on its own port and at the address a client on this host reaches it by (127.0.0.1 or ::1 for a wildcard listener). A socket that does not listen, or a UDP one, is an error naming it, and the rest are still tested.'
        Port           = 'A TCP port of a real local service to connect to, instead of the module''s own echo listener; -Count connects are made to each address, each a fresh handshake, closed at once. Without a target, every address localhost resolves to is tried, and 127.0.0.1 and ::1 as well. The results of the whole call are compared across IPv4 and IPv6 to diagnose a service that listens on one family only, and the listening sockets are read once to name the process behind each answer.'
        Protocol       = 'What the echo round trips carry: Tcp (the default), Udp datagrams, or Http (a GET to a small HTTP listener, answered with -PayloadSize bytes).'
        Count          = 'How many round trips per address (default 4). Latency statistics are over these.'
        PayloadSize    = 'Bytes per round trip (default 32).'
        TimeoutSeconds = 'The longest wait for one step, such as the connect or one reply (default 2).'
        Quiet          = 'Returns a single Boolean: true when every selected check succeeded. For scripts: if (-not (Test-Loopback -Quiet)) { ... }.'
        Detailed       = 'Adds the packet''s journey as steps with their times (name resolution, route lookup with table and interface, listen, connect, send, server receive, reply, client receive), and every interface''s counters before and after, which show the bytes went through the loopback interface and nowhere else. With -Port, the journey ends at the server: a last step names the process, its pid and the listening socket that took the connection.'
    }
    Defaults    = @{ Protocol = 'Tcp'; Count = '4'; PayloadSize = '32'; TimeoutSeconds = '2' }
    Inputs      = @(
        @{ Type = 'System.String'; Description = 'Targets, by value or from a Target, ComputerName, TargetName, RemoteAddress, Destination or IPAddress property.' }
    )
    Outputs     = @{
        'PSLoopback.Output.LoopbackResult' = 'One object per address tested. The default view is one line per address (target, status, interface, protocol, round trips, median and p99 latency), the diagnosis on lines of its own below it; Format-List shows every property, and with -Detailed the steps and interface counters.'
        'System.Boolean' = 'With -Quiet, one Boolean for the whole call (the listening sockets are not read: they do not change it).'
    }
    Notes       = @(
        'Traffic only ever goes to loopback addresses, to the listener Test-Loopback itself opened there, or, with -Port, to the port given on a loopback or one of this host''s own addresses.'
        'On macOS only 127.0.0.1 of 127.0.0.0/8 is configured by default, so the self-check''s random 127.x address reports AddressNotAvailable there and -Quiet returns false; test 127.0.0.1 and ::1 by name in scripts for macOS.'
        'Verified on Linux in network namespaces: a healthy host, the loopback interface down, IPv6 disabled, only 127.0.0.1 routed, a hosts file without localhost or mapping it elsewhere, services listening on one family only, and the server named for listeners on 127.0.0.1, ::1, :: with and without IPV6_V6ONLY, 0.0.0.0, a LAN address, and none on the port. On Windows and macOS the round trips run, but routing facts come only from the address rules, and that is not verified there yet.'
    )
    Examples    = @(
        @{
            Title   = 'Test every service this host listens on'
            Code    = 'Get-NetSocketInfo -Protocol Tcp -State Listen | Test-Loopback -Count 1'
            Remarks = 'Each listening socket is connected to where a client on this host would reach it (127.0.0.1 or ::1 for a wildcard listener), and each answer names the process that listens.'
        }
        @{
            Title   = 'The machine''s self-check'
            Code    = 'Test-Loopback'
            Remarks = 'Tests 127.0.0.1, ::1, the addresses of localhost and a random 127.x.y.z with four TCP round trips each, and shows the status and latency of each.'
        }
        @{
            Title   = 'In an admin script'
            Code    = 'if (-not (Test-Loopback -Quiet)) { Write-Error ''Loopback networking is broken on this host.''; exit 1 }'
            Remarks = '-Quiet returns one Boolean: true only when every check succeeded.'
        }
        @{
            Title   = 'Why does my local web app not answer on localhost?'
            Code    = 'Test-Loopback -Port 3000'
            Remarks = 'Connects to port 3000 on ::1 and on 127.0.0.1. If the app listens on 127.0.0.1 only and localhost resolves to ::1 first, the ::1 result is Refused and its diagnosis, on the lines below it, says so.'
        }
        @{
            Title   = 'Who listens on my port, and where?'
            Code    = 'Test-Loopback -Port 3000 | Format-List Target, Status, Listener, Listeners, Diagnosis'
            Remarks = 'If node listens on 127.0.0.1 only while localhost resolves to ::1 first, the ::1 result says: node (pid 812) listens on 127.0.0.1:3000 only, not on [::1]:3000; localhost resolves to ::1 first here, so clients that try the first address fail: it listens on IPv4 only; make it listen on both 127.0.0.1 and ::1, or on :: with IPv6Only off, or connect to 127.0.0.1:3000. The 127.0.0.1 result''s Listener is node (pid 812) on 127.0.0.1:3000. If nothing listens on 3000, the diagnosis names the nearest ports the user''s processes listen on (node (pid 812) on 127.0.0.1:3001). A listener on 0.0.0.0 or :: adds a warning that other hosts can reach it.'
        }
        @{
            Title   = 'The journey to the server process'
            Code    = 'Test-Loopback ::1 -Port 3000 -Detailed | Select-Object -ExpandProperty Steps'
            Remarks = 'Route lookup, connect, and last the server process: node (pid 812) listening on [::1]:3000 (backlog 511).'
        }
        @{
            Title   = 'Is this address loopback, and does traffic to it stay here?'
            Code    = 'Test-Loopback 192.0.2.10, 127.0.0.53, 198.51.100.7'
            Remarks = 'This host''s own address is not loopback but stays on the host (a local route): both are said, with no echo traffic; 127.0.0.53 is loopback and is tested; an address of another machine gets no traffic at all.'
        }
        @{
            Title   = 'Measure, and watch the bytes go through loopback only'
            Code    = 'Test-Loopback 127.0.0.1 -Count 1000 -PayloadSize 1024 -Detailed | Select-Object -ExpandProperty InterfaceCounters'
            Remarks = 'After a thousand 1 KiB round trips, only the loopback interface''s counters have moved by about 2 MB.'
        }
        @{
            Title   = 'The browser''s path: an HTTP GET to a local server'
            Code    = 'Test-Loopback localhost -Protocol Http -Detailed | Select-Object -ExpandProperty Steps'
            Remarks = 'Shows each step of the first GET: name resolution, route lookup, connect, send, server receive, reply, client receive, with their times.'
        }
    )
    Links       = @('Resolve-NetRoute', 'Get-NetInterfaceInfo', 'Test-Connection')
}

@{
    Synopsis    = 'Tells which route, interface, next hop and source address a packet to each destination would use, and why.'
    Description = @(
        'Resolve-NetRoute answers the question `ip route get` answers, for one destination or a hundred thousand: for each address it returns one PSLoopback.Output.NetRouteDecision with the route type, the output interface, the next hop (the unspecified address when the destination is on-link), the source address the packet would carry, the matched route, its table and metric, the policy rule that chose the table, and whether the packet stays on this host.'
        'The decision is made the way the Linux kernel makes it: the policy rules in priority order (with from, to, not, fwmark, iif, oif, uidrange, tos, ipproto, sport, dport, goto, suppress_prefixlength and the unreachable, prohibit and blackhole actions), then in each table the longest matching prefix, then the lowest metric and the first added, throw routes passing the lookup on, then the next hop and the source address (the route''s preferred source, else for IPv4 an address of the output interface, for IPv6 the rules of RFC 6724). A packet to 127.0.0.1, ::1 or an address of this host matches a local route and goes through the loopback interface.'
        'On Windows, or for a snapshot or route table from Windows, the decision is made the way Windows makes it: one table and no rules; the longest matching prefix; of its routes on connected interfaces, the lowest route metric plus interface metric (on route metrics alone, said in the reason, when the interface metrics could not be read); the strong host model for -LocalIPAddress unless the interface allows weak host send; 127.0.0.0/8 and ::1 always on the loopback pseudo-interface; then the source address by RFC 6724 over the chosen interface''s addresses with Windows'' default prefix policy table (for IPv4, the longest match with the next hop first). Routes of one prefix with equal metric sums are all listed in Paths, since Windows documents no tie-break.'
        'Unreachable, blackhole, prohibit and "no route" are answers, not errors: RouteType and Error say which, with the errno `ip route get` would print. An address that cannot be parsed, or a host name that does not resolve, is reported as an error naming it, and the other destinations are still answered.'
        'With -Snapshot the question is asked of another machine, whole: a Get-NetRouteSnapshot object (live, from Import-Clixml, remoting, a job or ConvertFrom-Json) with its interfaces, addresses, routes and rules, so the answers, source addresses included, are the ones that machine gives. With -RouteTable it is asked of routes alone (saved with Export-Csv or Export-Clixml, or built by hand), on any OS: what-if analysis. With -Verify each answer is also asked of the running kernel (RTM_GETROUTE) and any disagreement is reported.'
        'A table that no kernel could hold is refused before any answer, naming the route and the field: an IPv4 prefix with host bits set (192.0.2.1/24), a next-hop weight outside 1 to 256, table 0, a gateway on a blackhole, unreachable, prohibit or throw route, a gateway on a host-scope (local) IPv4 route, OnLink without a gateway, an IPv4 gateway for an IPv6 route, and with -Snapshot an interface index the snapshot has no interface for or a preferred source that is none of its addresses. Each message quotes what `ip route add` says for the same route.'
    )
    Parameters  = @{
        InputObject     = 'Interfaces from Get-NetInterfaceInfo, piped, live or deserialized (from a job, remoting or Import-Clixml): each of their addresses is a destination (not their names, which are not host names). An interface with no address is skipped with a warning that names it.'
        RemoteIPAddress = 'The destinations: IPv4 or IPv6 addresses, or host names (each address a name resolves to is answered). Taken from the pipeline as strings, or from the RemoteIPAddress, Destination, ComputerName, RemoteAddress or IPAddress property of piped objects. An IPv6 address may carry a zone, an interface name or index (fe80::1%eth0, fe80::1%3), which binds the lookup of a link-local address to that interface; on other addresses the kernel ignores it, and so does this; a zone no interface has is an error. Names are read as Test-Loopback reads them: loopback names (localhost, localhost., *.localhost) from the hosts file, never DNS. An IPv4-mapped address (::ffff:127.0.0.1) is answered for the packet a socket sends to it, an IPv4 one (RemoteIPAddress 127.0.0.1), as Test-Loopback answers it; `ip route get ::ffff:127.0.0.1` looks it up in the IPv6 table instead, but no packet is ever sent that way.'
        LocalIPAddress  = 'A source address the packet must carry, as `ip route get X from S`: it selects source-based rules (from). For IPv4 it must be an address of this host.'
        InterfaceIndex  = 'An interface the packet must leave by (`oif`): routes through other interfaces are not used, and with no route at all the destination is taken to be on that link.'
        InterfaceAlias  = 'The name of an interface the packet must leave by; see -InterfaceIndex.'
        Vrf             = 'The name of a VRF device to look up in, as `ip route get X vrf NAME`: the l3mdev rule then takes that VRF''s table, any interface of the VRF may carry the packet, and the source address is one of the VRF''s. Given with -InterfaceAlias or -InterfaceIndex, that interface must be in the VRF. -Verify asks the kernel as ip does, with the VRF device as the output interface. A name that is no interface, or not a VRF, is an error. VRF answers are modelled on the kernel sources and have not been checked against a kernel with VRFs.'
        AddressFamily   = 'Answers only for IPv4 or only for IPv6 addresses: of a host name''s addresses, only those of this family are answered; an address of the other family is reported as an error. Give both (-AddressFamily IPv4, IPv6) for both families, the same as leaving it out.'
        Mark            = 'The firewall mark the packet carries (`mark`), for rules that select on fwmark: a 32-bit number, in decimal (0 to 4294967295) or hex (0x1, 0XfF, 0xFFFFFFFF), as a number or as text. PowerShell reads the literals 0x80000000 to 0xFFFFFFFF as negative Int32 numbers (0xFFFFFFFF is -1), so a negative Int32 is taken as its 32 bits: -Mark 0xFFFFFFFF means 0xFFFFFFFF. Like ip route get, it takes no mask.'
        Tos             = 'The IP header''s TOS byte (the IPv6 traffic class), as `ip route get X tos T` (or dsfield): 0 to 255, in decimal or hex (-Tos 0x10). It selects rules with tos or dscp and, for IPv4, routes with a tos. The kernel drops the two ECN bits; an IPv4 route or tos rule is then compared with the bits 0x1c alone (so -Tos 0xb8 takes a tos 0x18 route, and a tos 0x20 route matches nothing), an IPv6 tos rule with the whole DSCP. Windows routes by none of these selectors. Cannot be combined with -Dscp.'
        Dscp            = 'The Differentiated Services code point, 0 to 63: the same question as -Tos with the DSCP in the upper six bits (-Dscp 46, EF, is -Tos 0xb8). Cannot be combined with -Tos.'
        IPProtocol      = 'The transport protocol the packet carries, as `ip route get X ipproto P`, for rules with ipproto: a number from 0 to 255 (6, 0x84) or a name of /etc/protocols (tcp, udp, icmp, ipv6-icmp, sctp, dccp, gre, esp, ...), and icmpv6 for ipv6-icmp. With -Verify the kernel can be asked only about tcp and udp, and icmp (IPv4) or ipv6-icmp (IPv6), as `ip route get` can; for another protocol the answer is given and an error says it could not be verified. Without -IPProtocol an IPv4 question is a UDP packet''s, as `ip route get` asks it (the kernel builds a UDP packet, so ipproto udp rules match), and an IPv6 one carries no protocol.'
        SourcePort      = 'The source port, 0 to 65535, as `ip route get X sport N`, for rules with sport. Like ip, it is taken with any -IPProtocol or none: a rule with ipproto tcp sport 80 then does not match, since the packet carries no protocol, while a rule with sport 80 alone does.'
        DestinationPort = 'The destination port, 0 to 65535, as `ip route get X dport N`, for rules with dport; see -SourcePort.'
        FlowLabel       = 'IPv6 only: the packet''s 20-bit flow label, 0 to 0xFFFFF, as `ip route get X flowlabel L` (iproute2 6.14 and later), for rules with flowlabel. An IPv4 destination with -FlowLabel is reported as an error (FlowLabelNotIPv6). With -Verify it is sent to the kernel as RTA_FLOWLABEL, which kernels before 6.14 refuse.'
        Uid             = 'The id of the user sending the packet, as `ip route get X uid U`, for rules with uidrange. By default the user running the command, as for ip; with -InputInterface 0, since the kernel routes a forwarded packet as uid 0.'
        InputInterface  = 'The interface a packet from another host arrives on, as `ip route get X from S iif DEV` (alias iif): the answer is Linux''s forwarding decision. IPv4 checks, in the kernel''s order, the martian sources and destinations (route_localnet), local and broadcast delivery, the interface''s own forwarding setting (off: "No route to host"), and the source (rp_filter strict or loose, accept_local, src_valid_mark); rules with iif select on the interface, rules with oif never match. IPv6 prefers routes through the input interface. Give the packet''s source with -LocalIPAddress: an IPv4 packet from 0.0.0.0 is taken only to a broadcast. The sysctls come with the snapshot; a -RouteTable has none, so the kernel''s defaults (forwarding off) apply. Cannot be combined with -InterfaceAlias or -InterfaceIndex; Linux only.'
        Explain         = 'Attaches the whole trace to each answer (its Trace property): every rule considered and why it matched or not, every table looked up, every candidate route and why it lost.'
        RouteTable      = 'Routes to answer against instead of this machine''s: Get-NetRouteInfo objects, their deserialized copies, or rows with the same column names (DestinationPrefix is required; NextHop, NextHops, InterfaceIndex, InterfaceAlias, RouteMetric, Table, RouteType, Protocol, PreferredSource, Scope, Flags, Mtu are optional). NextHops is a list of records, or from Export-Csv one cell in ip''s words (via 192.0.2.1 dev eth0 weight 1; via 198.51.100.1 dev eth1 weight 1) whose devices'' indexes are taken from the table''s other routes. A bare route list lacks what only a snapshot has: the rules (the default rules local, main, default apply), the interfaces (only those the routes name, all taken to be up), and their addresses, which are inferred from the local table''s host routes (the kernel adds one per address; the prefix length from the subnet route) without their flags (temporary, deprecated) or use_tempaddr. So keep the local table (Get-NetRouteInfo, not -Table main) for -LocalIPAddress and source addresses to work; for a whole machine use Get-NetRouteSnapshot and -Snapshot.'
        Snapshot        = 'A machine''s whole routing state from Get-NetRouteSnapshot, live or a copy (Import-Clixml, Invoke-Command, Receive-Job, ConvertFrom-Json of ConvertTo-Json -Depth 6): its interfaces with their addresses, every table, the rules, and which interfaces prefer temporary IPv6 addresses. Answers are that machine''s. Snapshots taken on Linux are answered by Linux''s decision rules, those taken on Windows by Windows'' (on any OS); cannot be combined with -RouteTable or -Verify.'
        Verify          = 'Also asks the running OS the same question (Linux: RTM_GETROUTE, as `ip route get`; Windows: GetBestRoute2) and records in KernelAgrees, KernelVerdict and KernelAnswer whether it answered the same; a disagreement is also written as a warning. KernelVerdict is Agrees, Differs, HashChoseOtherPath (the kernel''s flow hash took another of the answer''s Paths, PathChoice Hash) LastChoiceTookOtherPath (another of several default routes it takes turns among, PathChoice TableLastChoice) or CachedFromOtherRoute (the MTU, or IPv6 source, of another route through the same nexthop object, one of RoutesSharingNextHop, whose lookup made the route the kernel caches on that nexthop); none of the last three is agreement. Where the OS cannot be asked (macOS; Windows without GetBestRoute2, as under Wine) one warning says so and the answers are given unchecked.'
    }
    Inputs      = @(
        @{ Type = 'System.String'; Description = 'Destinations, by value or from a RemoteIPAddress, Destination, ComputerName, RemoteAddress or IPAddress property.' }
    )
    Outputs     = @{
        'PSLoopback.Output.NetRouteDecision' = 'Exactly one object per destination address. The default view is one line per answer in `ip route get` words, wrapped between words, each path of a multipath route on a line of its own; Format-Table gives the main columns; Format-List shows the reason, the matched route, every path of a multipath route and, with -Explain, the trace.'
    }
    Notes       = @(
        'On Linux the answer takes the route exception cache into account, as the kernel does: after an ICMP redirect or a "fragmentation needed" / "packet too big", the destination''s entry on the chosen next hop gives the gateway and the path MTU. Mtu is what `ip route get` reports (the entry''s path MTU, else the route''s mtu metric, else nothing), PathMtu adds the interface''s MTU; FromCache, Redirected, CacheExpiresSeconds and CacheEntry tell which entry answered and how long it had left when the snapshot was read. -Verify compares the MTU too.'
        'Verified on Linux by a differential test: random network namespaces with several links, IPv4 and IPv6 routes of every type and metric, extra tables chosen by from, to and fwmark rules and a suppress_prefixlength 0 rule; thousands of destinations must get the same type, interface, next hop and source as `ip -j route get`.'
        'PathChoice says how the path was chosen among a multipath route''s paths, as Linux 6.18 chooses: OutputInterface (the first path on the interface asked for), SourceAddress (IPv4 with -LocalIPAddress: the path whose device gives that address as its source), ComputedHash (net.ipv4.fib_multipath_hash_seed is set and the hash policy is 0: the kernel''s hash of the flow is computed and its path shown), or Hash (the kernel picks one of Paths by a hash with a random key: the first is shown, not predicted, and the reason names the policy). For IPv6 with -LocalIPAddress the packet carries that source, so SourceAddress is it; an IPv6 nexthop group takes every path''s source from its first next hop''s device, as the kernel does.'
        'Reading this machine''s tables is implemented on Linux and Windows; -RouteTable and -Snapshot work everywhere. A -RouteTable is read as Linux routes when a row names a Table or Scope, as Windows routes when one has an InterfaceMetric or Origin (what Get-NetRouteInfo writes on each), else as routes of the OS it runs on.'
    )
    Examples    = @(
        @{
            Title   = 'Where does a packet to localhost go?'
            Code    = 'Resolve-NetRoute 127.0.0.1, ::1'
            Remarks = 'Both are Local: they match local routes (127.0.0.0/8 and ::1/128 in the local table) and leave by the loopback interface, so StaysOnHost is true.'
        }
        @{
            Title   = 'Which interface and gateway reach a public address, and why?'
            Code    = 'Resolve-NetRoute 198.51.100.7 -Explain | Select-Object -ExpandProperty Trace'
            Remarks = 'Shows each rule considered, the table looked up, the route that won (often the default route) and the source address chosen.'
        }
        @{
            Title   = 'Resolve a host name'
            Code    = 'Resolve-NetRoute localhost'
            Remarks = 'Answers once for each address localhost resolves to, usually 127.0.0.1 and ::1.'
        }
        @{
            Title   = 'Ask as if the packet came from one of this host''s addresses'
            Code    = 'Resolve-NetRoute 203.0.113.9 -LocalIPAddress 192.0.2.10'
            Remarks = 'Source-based rules (ip rule add from 192.0.2.10 lookup 100) apply, as with `ip route get 203.0.113.9 from 192.0.2.10`.'
        }
        @{
            Title   = 'Which way does HTTPS to a host go for one user and DSCP?'
            Code    = 'Resolve-NetRoute 203.0.113.9 -IPProtocol tcp -DestinationPort 443 -SourcePort 50000 -Dscp 46 -Uid 1500 -Verify'
            Remarks = 'Rules such as `ip rule add ipproto tcp dport 443 lookup 100`, `ip rule add uidrange 1000-2000 lookup 101` and `ip rule add tos 0x18 lookup 102` apply, as with `ip route get 203.0.113.9 ipproto tcp dport 443 sport 50000 tos 0xb8 uid 1500`; -Verify asks the kernel the same question.'
        }
        @{
            Title   = 'What if this were the table?'
            Code    = '$table = @([pscustomobject]@{ DestinationPrefix = ''0.0.0.0/0''; NextHop = ''192.0.2.1''; InterfaceAlias = ''eth0''; InterfaceIndex = 2 }, [pscustomobject]@{ DestinationPrefix = ''10.0.0.0/8''; NextHop = ''192.0.2.254''; InterfaceAlias = ''eth0''; InterfaceIndex = 2 }); Resolve-NetRoute 10.1.2.3, 8.8.8.8 -RouteTable $table'
            Remarks = '10.1.2.3 takes the longer 10.0.0.0/8 route via 192.0.2.254; 8.8.8.8 takes the default route. No packet is sent and this machine''s table is not read.'
        }
        @{
            Title   = 'Answer as another machine would'
            Code    = 'Get-NetRouteSnapshot | Export-Clixml web01.xml; Resolve-NetRoute 198.51.100.7 -Snapshot (Import-Clixml web01.xml) -LocalIPAddress 192.0.2.10'
            Remarks = 'Take the snapshot on web01, read it on any machine: the route, interface, next hop and source address web01 would use for a packet from its address 192.0.2.10, with web01''s rules.'
        }
        @{
            Title   = 'Would this router forward a packet, and why not?'
            Code    = 'Resolve-NetRoute 203.0.113.9 -InputInterface eth1 -LocalIPAddress 198.51.100.7 | Format-List RouteType, Error, InterfaceAlias, NextHop, Reason'
            Remarks = 'The forwarding decision for a packet from 198.51.100.7 arriving on eth1, as `ip route get 203.0.113.9 from 198.51.100.7 iif eth1`. When it is refused, Reason names the check and the sysctl that decided (for example eth1''s forwarding, or strict rp_filter with the route back leaving by another interface) and how to change it.'
        }
        @{
            Title   = 'Which path of a multipath route does a flow take?'
            Code    = 'Resolve-NetRoute 203.0.113.9 -IPProtocol tcp -SourcePort 50000 -DestinationPort 443 -Verify | Format-List PathChoice, Paths, NextHop, KernelVerdict, Reason'
            Remarks = 'PathChoice says how the path was chosen. With net.ipv4.fib_multipath_hash_seed set it is ComputedHash: the kernel''s own hash of this flow, so NextHop is the path the kernel takes. Otherwise it is Hash: every path the kernel may take is in Paths, and -Verify reports HashChoseOtherPath, not agreement, when the kernel took another of them.'
        }
        @{
            Title   = 'Could another route through the same nexthop object change the answer?'
            Code    = 'Resolve-NetRoute 2001:db8:60::1 -Verify | Format-List SourceAddress, Mtu, KernelVerdict, RoutesSharingNextHop, Reason'
            Remarks = 'The kernel caches the route a lookup makes on its nexthop (one per CPU), and answers every route through that nexthop object with the metrics (the MTU among them), and on IPv6 the source and table, of whichever was looked up first since the last route change. RoutesSharingNextHop lists those other routes with the source and MTU the kernel would give then; -Verify reports CachedFromOtherRoute when it did.'
        }
        @{
            Title   = 'Check PSLoopback against the kernel'
            Code    = 'Get-NetInterfaceInfo | ForEach-Object Addresses | Resolve-NetRoute -Verify | Where-Object KernelAgrees -eq $false'
            Remarks = 'Resolves every address of this host, asks the kernel too, and lists any answer the kernel gives differently (none is expected).'
        }
    )
    Links       = @('Get-NetRouteSnapshot', 'Get-NetRouteInfo', 'Get-NetInterfaceInfo', 'ip-route(8)', 'Find-NetRoute')
}

<#
    fib_nexthops.sh: routes over nexthop objects (single, groups, blackhole, device-only, an IPv6 nexthop for
    IPv4 routes, several default routes) and nexthop_compat_mode. The selftest pings after each change; the
    lookup behind each ping is a route get of the address pinged, asked after the ping (which also leaves
    the neighbour entries the kernel then decides by: fib_multipath_use_neigh is 1 here, as in the selftest).
    The selftest sets up afresh before each test; here a family's runtime and compat-mode tests share one
    setup, with the nexthops and the test routes flushed between them. Checks of what `ip nexthop` and
    `ip route ls` print, and adds the kernel refuses, are not lookups and are left out.
#>

$IP = 'ip -n {me}'
$linkLocal = '$(ip -n {peer} -6 -br addr show dev veth2 | grep -o "fe80[^/]*")'

$setup = @(
    foreach ($ns in 'me', 'peer', 'remote') {
        "ip -n {$ns} addr add 127.0.0.1/8 dev lo"
        "ip -n {$ns} link set lo up"
        foreach ($sysctl in 'net.ipv4.ip_forward=1', 'net.ipv4.fib_multipath_use_neigh=1', 'net.ipv4.conf.default.ignore_routes_with_linkdown=1',
            'net.ipv6.conf.all.keep_addr_on_down=1', 'net.ipv6.conf.all.forwarding=1', 'net.ipv6.conf.default.forwarding=1',
            'net.ipv6.conf.default.ignore_routes_with_linkdown=1', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0') {
            "ip netns exec {$ns} sysctl -qw $sysctl"
        }
    }
    "$IP li add veth1 type veth peer name veth2"
    "$IP li set veth1 up"
    "$IP addr add 172.16.1.1/24 dev veth1"
    "$IP -6 addr add 2001:db8:91::1/64 dev veth1 nodad"
    "$IP li add veth3 type veth peer name veth4"
    "$IP li set veth3 up"
    "$IP addr add 172.16.2.1/24 dev veth3"
    "$IP -6 addr add 2001:db8:92::1/64 dev veth3 nodad"
    "$IP li set veth2 netns {peer} up"
    'ip -n {peer} addr add 172.16.1.2/24 dev veth2'
    'ip -n {peer} -6 addr add 2001:db8:91::2/64 dev veth2 nodad'
    "$IP li set veth4 netns {peer} up"
    'ip -n {peer} addr add 172.16.2.2/24 dev veth4'
    'ip -n {peer} -6 addr add 2001:db8:92::2/64 dev veth4 nodad'
    'ip -n {remote} li add veth5 type veth peer name veth6'
    'ip -n {remote} li set veth5 up'
    'ip -n {remote} addr add dev veth5 172.16.101.1/24'
    'ip -n {remote} -6 addr add dev veth5 2001:db8:101::1/64 nodad'
    'ip -n {remote} ro add 172.16.0.0/22 via 172.16.101.2'
    'ip -n {remote} -6 ro add 2001:db8:90::/40 via 2001:db8:101::2'
    'ip -n {remote} li set veth6 netns {peer} up'
    'ip -n {peer} addr add dev veth6 172.16.101.2/24'
    'ip -n {peer} -6 addr add dev veth6 2001:db8:101::2/64 nodad'
    # Settle: the link-local address of veth2 is used as a gateway below.
    'sleep 1'
)

function New-PingStep([string]$Function, [string[]]$Commands, [string]$Target, [string[]]$Extra) {
    <# The commands, the selftest's ping (its failure is expected for a blackhole), and the lookup behind it. #>
    @{
        Function = $Function
        Commands = @($Commands) + @("! ping -c 1 $Target")
        Lookups = @($Target) + @($Extra | Where-Object { $_ })
    }
}

$v6 = '2001:db8:101::1'
$v4 = '172.16.101.1'

@{
    Name = 'nh6'; Selftest = 'fib_nexthops.sh'; Namespaces = @('me', 'peer', 'remote')
    Steps = @(
        @{ Function = 'setup'; Commands = $setup; Lookups = @() }
        New-PingStep 'ipv6_fcnal_runtime: ping with nexthop' @("$IP nexthop add id 81 via 2001:db8:91::2 dev veth1", "$IP ro add $v6/128 nhid 81") $v6
        New-PingStep 'ipv6_fcnal_runtime: ping - multipath' @("$IP nexthop add id 82 via 2001:db8:92::2 dev veth3", "$IP nexthop add id 122 group 81/82", "$IP ro replace $v6/128 nhid 122") $v6 @("$v6 from 2001:db8:92::1")
        New-PingStep 'ipv6_fcnal_runtime: ping - blackhole' @("$IP -6 nexthop add id 83 blackhole", "$IP ro replace $v6/128 nhid 83") $v6
        New-PingStep 'ipv6_fcnal_runtime: ping - blackhole replaced with gateway' @("$IP nexthop replace id 83 via 2001:db8:91::2 dev veth1") $v6
        New-PingStep 'ipv6_fcnal_runtime: ping - gateway replaced by blackhole' @("$IP -6 nexthop replace id 83 blackhole") $v6
        New-PingStep 'ipv6_fcnal_runtime: ping - multipath again' @("$IP ro replace $v6/128 nhid 122") $v6
        New-PingStep 'ipv6_fcnal_runtime: ping - group with blackhole' @("$IP nexthop replace id 122 group 83") $v6
        New-PingStep 'ipv6_fcnal_runtime: ping - group blackhole replaced with gateways' @("$IP nexthop replace id 122 group 81/82") $v6
        New-PingStep 'ipv6_fcnal_runtime: IPv6 route with device only nexthop' @("$IP -6 nexthop add id 85 dev veth1", "$IP ro replace $v6/128 nhid 85") $v6
        New-PingStep 'ipv6_fcnal_runtime: IPv6 multipath route with nexthop mix - dev only + gw' @("$IP nexthop add id 123 group 81/85", "$IP ro replace $v6/128 nhid 123") $v6
        New-PingStep 'ipv6_fcnal_runtime: nexthop with default route' @("$IP ro del $v6/128", "$IP nexthop flush", "$IP nexthop add id 91 via 2001:db8:91::2 dev veth1", "$IP nexthop add id 92 via 2001:db8:92::2 dev veth3", "$IP nexthop add id 93 group 91/92", "$IP -6 ro add default nhid 91") $v6
        New-PingStep 'ipv6_fcnal_runtime: nexthop with multipath default route' @("$IP -6 ro replace default nhid 93") $v6
        @{
            Function = 'ipv6_compat_mode: compat mode on'
            Commands = @("$IP -6 ro del default", "$IP nexthop flush", "$IP nexthop add id 62 via 2001:db8:91::2 dev veth1", "$IP nexthop add id 63 via 2001:db8:91::3 dev veth1", "$IP nexthop add id 122 group 62/63", "$IP -6 ro add $v6/128 nhid 122")
            Lookups = @($v6)
        }
        @{ Function = 'ipv6_compat_mode: compat mode on - nexthop change'; Commands = @("$IP nexthop add id 64 via 2001:db8:91::4 dev veth1", "$IP nexthop replace id 122 group 62/64"); Lookups = @($v6) }
        @{
            Function = 'ipv6_compat_mode: compat mode off'
            # The selftest adds 62, 63 and group 122 again here: they exist, so those adds fail and 122 stays 62/64.
            Commands = @('ip netns exec {me} sysctl -qw net.ipv4.nexthop_compat_mode=0', "$IP -6 ro del $v6/128 nhid 122", "! $IP nexthop add id 62 via 2001:db8:91::2 dev veth1", "! $IP nexthop add id 63 via 2001:db8:91::3 dev veth1", "! $IP nexthop add id 122 group 62/63", "$IP -6 ro add $v6/128 nhid 122")
            Lookups = @($v6)
        }
        @{ Function = 'ipv6_compat_mode: compat mode off - nexthop change'; Commands = @("$IP nexthop replace id 122 group 62/64"); Lookups = @($v6) }
    )
}

@{
    Name = 'nh4'; Selftest = 'fib_nexthops.sh'; Namespaces = @('me', 'peer', 'remote')
    Steps = @(
        @{ Function = 'setup'; Commands = $setup; Lookups = @() }
        New-PingStep 'ipv4_fcnal_runtime: basic ping' @("$IP nexthop add id 21 via 172.16.1.2 dev veth1", "$IP ro add $v4/32 nhid 21") $v4
        New-PingStep 'ipv4_fcnal_runtime: ping - multipath' @("$IP nexthop add id 22 via 172.16.2.2 dev veth3", "$IP nexthop add id 122 group 21/22", "$IP ro replace $v4/32 nhid 122") $v4 @("$v4 from 172.16.2.1", "$v4 from 172.16.1.1")
        New-PingStep 'ipv4_fcnal_runtime: ping - multiple default routes, nh first' @("$IP ro delete $v4/32 nhid 122", "$IP nexthop add id 501 via 172.16.1.2 dev veth1", "$IP ro add default nhid 501", "$IP ro add default via 172.16.1.3 dev veth1 metric 20") $v4
        New-PingStep 'ipv4_fcnal_runtime: ping - multiple default routes, nh second' @("$IP ro del default nhid 501", "$IP ro del default via 172.16.1.3 dev veth1 metric 20", "$IP ro add default via 172.16.1.2 dev veth1 metric 20", "$IP nexthop replace id 501 via 172.16.1.3 dev veth1", "! $IP ro add default nhid 501 metric 20") $v4
        New-PingStep 'ipv4_fcnal_runtime: ping - blackhole' @("$IP nexthop delete id 501", "$IP ro del default", "$IP nexthop add id 23 blackhole", "$IP ro replace $v4/32 nhid 23") $v4
        New-PingStep 'ipv4_fcnal_runtime: ping - blackhole replaced with gateway' @("$IP nexthop replace id 23 via 172.16.1.2 dev veth1") $v4
        New-PingStep 'ipv4_fcnal_runtime: ping - gateway replaced by blackhole' @("$IP nexthop replace id 23 blackhole") $v4
        New-PingStep 'ipv4_fcnal_runtime: ping - multipath again' @("$IP ro replace $v4/32 nhid 122") $v4
        New-PingStep 'ipv4_fcnal_runtime: ping - group with blackhole' @("$IP nexthop replace id 122 group 23") $v4
        New-PingStep 'ipv4_fcnal_runtime: ping - group blackhole replaced with gateways' @("$IP nexthop replace id 122 group 21/22") $v4
        New-PingStep 'ipv4_fcnal_runtime: IPv4 route with device only nexthop' @("$IP nexthop add id 85 dev veth1", "$IP ro replace $v4/32 nhid 85") $v4
        New-PingStep 'ipv4_fcnal_runtime: IPv4 multipath route with nexthop mix - dev only + gw' @("$IP nexthop add id 123 group 21/85", "$IP ro replace $v4/32 nhid 123") $v4
        New-PingStep 'ipv4_fcnal_runtime: IPv6 nexthop with IPv4 route' @("$IP nexthop add id 24 via $linkLocal dev veth1", "$IP ro replace $v4/32 nhid 24") $v4
        New-PingStep 'ipv4_fcnal_runtime: IPv4 route with mixed v4-v6 multipath route' @("$IP nexthop add id 25 via 172.16.1.2 dev veth1", "$IP nexthop add id 101 group 24/25", "$IP ro replace $v4/32 nhid 101") $v4
        New-PingStep 'ipv4_fcnal_runtime: IPv4 route with IPv6 gateway' @("$IP ro replace $v4/32 via inet6 $linkLocal dev veth1") $v4
        New-PingStep 'ipv4_fcnal_runtime: IPv4 default route with IPv6 gateway' @("$IP ro del $v4/32 via inet6 $linkLocal dev veth1", "$IP -4 ro add default via inet6 $linkLocal dev veth1") $v4
        @{
            Function = 'ipv4_compat_mode: compat mode on'
            Commands = @("$IP -4 ro del default", "$IP nexthop flush", "$IP nexthop add id 21 via 172.16.1.2 dev veth1", "$IP nexthop add id 22 via 172.16.1.2 dev veth1", "$IP nexthop add id 122 group 21/22", "$IP ro add $v4/32 nhid 122")
            Lookups = @($v4)
        }
        @{ Function = 'ipv4_compat_mode: compat mode on - nexthop change'; Commands = @("$IP nexthop add id 23 via 172.16.1.3 dev veth1", "$IP nexthop replace id 122 group 21/23"); Lookups = @($v4) }
        @{
            Function = 'ipv4_compat_mode: compat mode off'
            Commands = @('ip netns exec {me} sysctl -qw net.ipv4.nexthop_compat_mode=0', "$IP ro del $v4/32 nhid 122", "$IP ro add $v4/32 nhid 122")
            Lookups = @($v4)
        }
        @{ Function = 'ipv4_compat_mode: compat mode off - nexthop change'; Commands = @("$IP nexthop replace id 122 group 21/22"); Lookups = @($v4) }
    )
}

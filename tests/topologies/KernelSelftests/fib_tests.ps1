<#
    fib_tests.sh: FIB behaviour on events (device unregistered, admin down, carrier lost), rp_filter, nexthop
    specs, suppress_prefixlength, route add/append/replace, prefix-route metrics and route metrics (mtu).
    Each selftest function starts from a fresh setup(), so each is a scenario of its own here.
    The selftest asks `ip route get fibmatch` (which route matched); Resolve-NetRoute answers the lookup
    itself, so the lookups here are the same `ip route get` without fibmatch. Where it checks a route with
    `ip route ls`, the lookup is a route get of a host the route covers. A dummy is a veth whose peer stays up
    (its carrier goes with the peer: "carrier off" is the peer set down) and has no IPv6 itself; DAD is off,
    as a dummy (NOARP) never does it.
#>

$IP = 'ip -n {ns}'
$noVrf = "this machine's kernel has no vrf links: VRF is checked on constructed messages only"

function New-Dummy([string]$Name, [string]$V4, [string]$V6) {
    <# A dummy's stand-in: the peer has no IPv6 (a dummy has no peer whose addresses a source could be chosen from). #>
    "$IP link add $Name type veth peer name ${Name}p"
    "ip netns exec {ns} sysctl -qw net.ipv6.conf.${Name}p.disable_ipv6=1"
    "$IP link set dev ${Name}p up"
    "$IP link set dev $Name up"
    if ($V4) { "$IP address add $V4 dev $Name" }
    if ($V6) { "$IP -6 address add $V6 dev $Name nodad" }
}

$setup = @(
    # A dummy is NOARP, so its IPv6 addresses (link-local ones too) never wait for DAD; nor do the stand-ins'.
    'ip netns exec {ns} sysctl -qw net.ipv6.conf.all.accept_dad=0'
    'ip netns exec {ns} sysctl -qw net.ipv6.conf.default.accept_dad=0'
    "$IP link set dev lo up"
    'ip netns exec {ns} sysctl -qw net.ipv4.ip_forward=1'
    'ip netns exec {ns} sysctl -qw net.ipv6.conf.all.forwarding=1'
    New-Dummy 'dummy0' '198.51.100.1/24' '2001:db8:1::1/64'
)

$multipathSetup = @(
    New-Dummy 'dummy1' '192.0.2.1/24' '2001:db8:2::1/64'
    "$IP route add 203.0.113.0/24 nexthop via 198.51.100.2 dev dummy0 nexthop via 192.0.2.2 dev dummy1"
    "$IP -6 route add 2001:db8:3::/64 nexthop via 2001:db8:1::2 dev dummy0 nexthop via 2001:db8:2::2 dev dummy1"
)

$routeSetup = @(
    $setup
    'ip -n {ns2} link set dev lo up'
    'ip netns exec {ns2} sysctl -qw net.ipv4.ip_forward=1'
    'ip netns exec {ns2} sysctl -qw net.ipv6.conf.all.forwarding=1'
    "$IP li add veth1 type veth peer name veth2"
    "$IP li add veth3 type veth peer name veth4"
    "$IP li set veth1 up"
    "$IP li set veth3 up"
    "$IP li set veth2 netns {ns2} up"
    "$IP li set veth4 netns {ns2} up"
    'ip -n {ns2} li add dummy1 type veth peer name dummy1p'
    'ip -n {ns2} li set dummy1p up'
    'ip -n {ns2} li set dummy1 up'
    "$IP -6 addr add 2001:db8:101::1/64 dev veth1 nodad"
    "$IP -6 addr add 2001:db8:103::1/64 dev veth3 nodad"
    "$IP addr add 172.16.101.1/24 dev veth1"
    "$IP addr add 172.16.103.1/24 dev veth3"
    'ip -n {ns2} -6 addr add 2001:db8:101::2/64 dev veth2 nodad'
    'ip -n {ns2} -6 addr add 2001:db8:103::2/64 dev veth4 nodad'
    'ip -n {ns2} -6 addr add 2001:db8:104::1/64 dev dummy1 nodad'
    'ip -n {ns2} addr add 172.16.101.2/24 dev veth2'
    'ip -n {ns2} addr add 172.16.103.2/24 dev veth4'
    'ip -n {ns2} addr add 172.16.104.1/24 dev dummy1'
)

function New-RouteCheck([string]$Family, [string]$Function, [string]$Initial, [string[]]$Then) {
    <# add_route{,6} (flush the prefix, add the initial route), the commands that change it, and the lookup of a host behind it. #>
    $ipFamily = if ($Family -eq '6') { "$IP -6" } else { $IP }
    $prefix = if ($Family -eq '6') { '2001:db8:104::/64' } else { '172.16.104.0/24' }
    @{
        Function = $Function
        # A route type comes before the prefix: "ro add unreachable 172.16.104.0/24".
        Commands = @("$ipFamily ro flush $prefix", $(if ($Initial -eq 'unreachable') { "$ipFamily ro add unreachable $prefix" } else { "$ipFamily ro add $prefix $Initial" })) + @($Then | Where-Object { $_ } | ForEach-Object { $_.Replace('$ip', $ipFamily) })
        Lookups = @(if ($Family -eq '6') { '2001:db8:104::1'; '2001:db8:104::1 from 2001:db8:103::1' } else { '172.16.104.1'; '172.16.104.1 from 172.16.103.1' })
    }
}

@{
    Name = 'unreg1'; Selftest = 'fib_tests.sh'; Namespaces = @('ns')
    Steps = @(
        @{ Function = 'fib_unreg_unicast_test: start point'; Commands = $setup; Lookups = @('198.51.100.2', '2001:db8:1::2') }
        @{ Function = 'fib_unreg_unicast_test: nexthop device deleted'; Commands = @("$IP link del dev dummy0"); Lookups = @('198.51.100.2', '2001:db8:1::2') }
    )
}

@{
    Name = 'unreg2'; Selftest = 'fib_tests.sh'; Namespaces = @('ns')
    Steps = @(
        @{ Function = 'fib_unreg_multipath_test: start point'; Commands = $setup + $multipathSetup; Lookups = @('203.0.113.1', '2001:db8:3::1') }
        @{ Function = 'fib_unreg_multipath_test: one nexthop device deleted'; Commands = @("$IP link del dev dummy0"); Lookups = @('203.0.113.1', '2001:db8:3::1') }
        @{ Function = 'fib_unreg_multipath_test: second nexthop device deleted'; Commands = @("$IP link del dev dummy1"); Lookups = @('2001:db8:3::1') }
    )
}

@{
    Name = 'down1'; Selftest = 'fib_tests.sh'; Namespaces = @('ns')
    Steps = @(
        @{ Function = 'fib_down_unicast_test: start point'; Commands = $setup; Lookups = @('198.51.100.2', '2001:db8:1::2') }
        @{ Function = 'fib_down_unicast_test: route deleted on down'; Commands = @("$IP link set dev dummy0 down"); Lookups = @('198.51.100.2', '2001:db8:1::2') }
    )
}

$downLookups = { param($down, $up) "203.0.113.1 oif $down"; "2001:db8:3::1 oif $down"; "203.0.113.1 oif $up"; "2001:db8:3::1 oif $up"; '203.0.113.1'; '2001:db8:3::1' }
@{
    Name = 'down2'; Selftest = 'fib_tests.sh'; Namespaces = @('ns')
    Steps = @(
        @{ Function = 'fib_down_multipath_test: verify start point'; Commands = $setup + $multipathSetup; Lookups = @('203.0.113.1', '2001:db8:3::1') }
        @{ Function = 'fib_down_multipath_test: one device down, one up'; Commands = @("$IP link set dev dummy0 down"); Lookups = @(& $downLookups 'dummy0' 'dummy1') }
        @{ Function = 'fib_down_multipath_test: other device down and up'; Commands = @("$IP link set dev dummy0 up", "$IP link set dev dummy1 down"); Lookups = @(& $downLookups 'dummy1' 'dummy0') }
        @{ Function = 'fib_down_multipath_test: both devices down'; Commands = @("$IP link set dev dummy0 down"); Lookups = @('203.0.113.1', '2001:db8:3::1') }
    )
}

@{
    Name = 'carrier1'; Selftest = 'fib_tests.sh'; Namespaces = @('ns')
    Steps = @(
        @{ Function = 'fib_carrier_local_test: start point'; Commands = $setup; Lookups = @('198.51.100.1', '2001:db8:1::1') }
        @{ Function = 'fib_carrier_local_test: carrier off on nexthop'; Commands = @("$IP link set dev dummy0p down", 'sleep 1'); Lookups = @('198.51.100.1', '2001:db8:1::1') }
        @{
            Function = 'fib_carrier_local_test: route to local address with carrier down'
            Commands = @("$IP address add 192.0.2.1/24 dev dummy0", "$IP -6 address add 2001:db8:2::1/64 dev dummy0 nodad")
            Lookups = @('192.0.2.1', '2001:db8:2::1')
        }
    )
}

@{
    Name = 'carrier2'; Selftest = 'fib_tests.sh'; Namespaces = @('ns')
    Steps = @(
        @{ Function = 'fib_carrier_unicast_test: start point'; Commands = $setup; Lookups = @('198.51.100.2', '2001:db8:1::2') }
        @{ Function = 'fib_carrier_unicast_test: carrier down'; Commands = @("$IP link set dev dummy0p down", 'sleep 1'); Lookups = @('198.51.100.2', '2001:db8:1::2') }
        @{
            Function = 'fib_carrier_unicast_test: second address added with carrier down'
            Commands = @("$IP address add 192.0.2.1/24 dev dummy0", "$IP -6 address add 2001:db8:2::1/64 dev dummy0 nodad")
            Lookups = @('192.0.2.2', '2001:db8:2::2')
        }
    )
}

@{
    Name = 'rpfilter'; Selftest = 'fib_tests.sh'; Namespaces = @('ns')
    Steps = @(
        @{
            # The pings leave by dummy1 (-I dummy1), and tc mirrors them back in through lo.
            Function = 'fib_rp_filter_test: rp_filter passes local and loopback packets'
            Commands = $setup + @(
                "$IP link set dev lo address 52:54:00:6a:c7:5e"
                "$IP link set dummy0 address 52:54:00:6a:c7:5e"
                New-Dummy 'dummy1'
                "$IP link set dummy1 address 52:54:00:6a:c7:5e"
                'ip netns exec {ns} sysctl -qw net.ipv4.conf.all.rp_filter=1'
                'ip netns exec {ns} sysctl -qw net.ipv4.conf.all.accept_local=1'
                'ip netns exec {ns} sysctl -qw net.ipv4.conf.all.route_localnet=1'
            )
            Lookups = @('198.51.100.1 oif dummy1', '127.0.0.1 oif dummy1', '198.51.100.1 from 198.51.100.1 iif lo', '127.0.0.1 from 127.0.0.1 iif lo')
        }
    )
}

@{
    Name = 'nexthop'; Selftest = 'fib_tests.sh'; Namespaces = @('ns')
    Steps = @(
        @{
            # Every route of fib6_nexthop is added beside the VRF red (its gateways live in it).
            Function = 'fib_nexthop_test: fib6_nexthop'
            Lookups = @(foreach ($n in 101..114) { @{ Get = "2001:db8:$n::1"; NotAsked = $noVrf } })
        }
    )
}

@{
    Name = 'suppress'; Selftest = 'fib_tests.sh'; Namespaces = @('ns')
    Steps = @(
        @{
            Function = 'fib_suppress_test: default route suppressed by suppress_prefixlength 0'
            Commands = $setup + @(New-Dummy 'dummy1') + @("$IP -6 route add default dev dummy1", "$IP -6 rule add table main suppress_prefixlength 0")
            Lookups = @('1234::1')
        }
    )
}

@{
    Name = 'ipv6rt'; Selftest = 'fib_tests.sh'; Namespaces = @('ns', 'ns2')
    Steps = @(
        @{ Function = 'route_setup'; Commands = $routeSetup; Lookups = @() }
        New-RouteCheck '6' 'ipv6_rt_add: append nexthop to existing route - gw' 'via 2001:db8:101::2' @('$ip ro append 2001:db8:104::/64 via 2001:db8:103::2')
        New-RouteCheck '6' 'ipv6_rt_add: add multipath route' 'nexthop via 2001:db8:101::2 nexthop via 2001:db8:103::2'
        New-RouteCheck '6' 'ipv6_rt_add: route add with different metrics' 'via 2001:db8:101::2' @('$ip ro add 2001:db8:104::/64 via 2001:db8:103::2 metric 512', '$ip ro add 2001:db8:104::/64 via 2001:db8:103::3 metric 256')
        New-RouteCheck '6' 'ipv6_rt_add: route delete with metric' 'via 2001:db8:101::2' @('$ip ro add 2001:db8:104::/64 via 2001:db8:103::2 metric 512', '$ip ro add 2001:db8:104::/64 via 2001:db8:103::3 metric 256', '$ip ro del 2001:db8:104::/64 metric 512')
        New-RouteCheck '6' 'ipv6_rt_replace_single: single path with single path' 'via 2001:db8:101::2' @('$ip ro replace 2001:db8:104::/64 via 2001:db8:103::2')
        New-RouteCheck '6' 'ipv6_rt_replace_single: single path with multipath' 'nexthop via 2001:db8:101::2' @('$ip ro replace 2001:db8:104::/64 nexthop via 2001:db8:101::3 nexthop via 2001:db8:103::2')
        New-RouteCheck '6' 'ipv6_rt_replace_single: single path via multipath attribute' 'via 2001:db8:101::2' @('$ip ro replace 2001:db8:104::/64 nexthop via 2001:db8:103::2')
        New-RouteCheck '6' 'ipv6_rt_replace_single: invalid nexthop' 'via 2001:db8:101::2' @('! $ip ro replace 2001:db8:104::/64 via 2001:db8:104::2')
        New-RouteCheck '6' 'ipv6_rt_replace_mpath: multipath with multipath' 'nexthop via 2001:db8:101::2 nexthop via 2001:db8:103::2' @('$ip ro replace 2001:db8:104::/64 nexthop via 2001:db8:101::3 nexthop via 2001:db8:103::3')
        New-RouteCheck '6' 'ipv6_rt_replace_mpath: multipath with single path' 'nexthop via 2001:db8:101::2 nexthop via 2001:db8:103::2' @('$ip ro replace 2001:db8:104::/64 via 2001:db8:101::3')
        New-RouteCheck '6' 'ipv6_rt_replace_mpath: invalid first nexthop' 'nexthop via 2001:db8:101::2 nexthop via 2001:db8:103::2' @('! $ip ro replace 2001:db8:104::/64 nexthop via 2001:db8:111::3 nexthop via 2001:db8:103::3')
    )
}

@{
    Name = 'ipv4rt'; Selftest = 'fib_tests.sh'; Namespaces = @('ns', 'ns2')
    Steps = @(
        @{ Function = 'route_setup'; Commands = $routeSetup; Lookups = @() }
        New-RouteCheck '4' 'ipv4_rt_add: add new nexthop for existing prefix (prepend)' 'via 172.16.101.2' @('$ip ro prepend 172.16.104.0/24 via 172.16.103.2')
        New-RouteCheck '4' 'ipv4_rt_add: append nexthop to existing route - gw' 'via 172.16.101.2' @('$ip ro append 172.16.104.0/24 via 172.16.103.2')
        New-RouteCheck '4' 'ipv4_rt_add: append nexthop to existing route - dev only' 'via 172.16.101.2' @('$ip ro append 172.16.104.0/24 dev veth3')
        New-RouteCheck '4' 'ipv4_rt_add: append nexthop to existing route - reject route' 'via 172.16.101.2' @('$ip ro append unreachable 172.16.104.0/24')
        New-RouteCheck '4' 'ipv4_rt_add: append nexthop to existing reject route - gw' 'unreachable' @('$ip ro append 172.16.104.0/24 via 172.16.103.2')
        New-RouteCheck '4' 'ipv4_rt_add: add multipath route' 'nexthop via 172.16.101.2 nexthop via 172.16.103.2'
        New-RouteCheck '4' 'ipv4_rt_add: route delete with metric' 'via 172.16.101.2' @('$ip ro add 172.16.104.0/24 via 172.16.103.2 metric 512', '$ip ro add 172.16.104.0/24 via 172.16.103.3 metric 256', '$ip ro del 172.16.104.0/24 metric 512')
        New-RouteCheck '4' 'ipv4_rt_replace_single: single path with single path' 'via 172.16.101.2' @('$ip ro replace 172.16.104.0/24 via 172.16.103.2')
        New-RouteCheck '4' 'ipv4_rt_replace_single: single path with multipath' 'nexthop via 172.16.101.2' @('$ip ro replace 172.16.104.0/24 nexthop via 172.16.101.3 nexthop via 172.16.103.2')
        New-RouteCheck '4' 'ipv4_rt_replace_single: single path with reject route' 'nexthop via 172.16.101.2' @('$ip ro replace unreachable 172.16.104.0/24')
        New-RouteCheck '4' 'ipv4_rt_replace_single: invalid nexthop' 'via 172.16.101.2' @('! $ip ro replace 172.16.104.0/24 via 2001:db8:104::2')
        New-RouteCheck '4' 'ipv4_rt_replace_mpath: multipath with single path' 'nexthop via 172.16.101.2 nexthop via 172.16.103.2' @('$ip ro replace 172.16.104.0/24 via 172.16.101.3')
        New-RouteCheck '4' 'ipv4_rt_replace_mpath: multipath with reject route' 'nexthop via 172.16.101.2 nexthop via 172.16.103.2' @('$ip ro replace unreachable 172.16.104.0/24')
    )
}

@{
    Name = 'metrics'; Selftest = 'fib_tests.sh'; Namespaces = @('ns', 'ns2')
    Steps = @(
        @{
            Function = 'ipv6_route_metrics_test'
            Commands = $routeSetup + @(
                "$IP -6 ro add 2001:db8:111::/64 via 2001:db8:101::2 mtu 1400"
                "$IP -6 ro add 2001:db8:112::/64 via 2001:db8:101::2 mtu 1400"
                "$IP -6 ro append 2001:db8:112::/64 via 2001:db8:103::2"
                "$IP -6 ro add 2001:db8:115::/64 mtu 1400 nexthop via 2001:db8:101::2 nexthop via 2001:db8:103::2"
                "$IP -6 ro add 2001:db8:104::/64 via 2001:db8:101::2 mtu 1300"
            )
            Lookups = @('2001:db8:111::1', '2001:db8:112::1', '2001:db8:115::1', '2001:db8:104::1')
        }
        @{
            Function = 'ipv4_route_metrics_test'
            Commands = @(
                "$IP ro add 172.16.111.0/24 via 172.16.101.2 mtu 1400"
                "$IP ro add 172.16.112.0/24 mtu 1400 nexthop via 172.16.101.2 nexthop via 172.16.103.2"
                "$IP ro add 172.16.104.0/24 via 172.16.101.2 mtu 1300"
            )
            Lookups = @('172.16.111.1', '172.16.112.1', '172.16.104.1')
        }
    )
}

@{
    Name = 'v6gw'; Selftest = 'fib_tests.sh'; Namespaces = @('ns', 'ns2')
    Steps = @(
        @{ Function = 'ipv4_route_v6_gw_test: single path route with IPv6 gateway'; Commands = $routeSetup + @('sleep 2', "$IP ro add 172.16.104.0/24 via inet6 2001:db8:101::2"); Lookups = @('172.16.104.1') }
        @{
            Function = 'ipv4_route_v6_gw_test: multipath route add - v6 nexthop then v4'
            Commands = @("$IP ro del 172.16.104.0/24 via inet6 2001:db8:101::2", "$IP ro add 172.16.104.0/24 nexthop via inet6 2001:db8:101::2 dev veth1 nexthop via 172.16.103.2 dev veth3")
            Lookups = @('172.16.104.1', '172.16.104.1 oif veth3')
        }
    )
}

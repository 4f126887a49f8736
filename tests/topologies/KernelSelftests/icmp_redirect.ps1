<#
    icmp_redirect.sh: h1 reaches h2 through r1; r1's route is changed to go through r2 on h1's own subnet, so r1
    sends h1 a redirect, and h1 answers from its route exception cache ("cache <redirected>"); an MTU of 1300
    on h2's link adds a PMTU exception. The selftest checks h1's `ip route get` to h2 after pings; those are
    the lookups here, with routes of either kind (legacy, nexthop objects). The pings are .NET's Ping with
    Don't Fragment set, 3 per ping instead of 10, from h1. The runs with h1 in the VRF "red" are listed as
    not asked: this kernel has no vrf links.
#>

$noVrf = "this machine's kernel has no vrf links: VRF is checked on constructed messages only"
$r1LinkLocal = '$(ip -n {r1} -6 -br addr show dev eth0 | grep -o "fe80[^/]*")'
$r2LinkLocal = '$(ip -n {r2} -6 -br addr show dev eth0 | grep -o "fe80[^/]*")'

$setup = @(
    foreach ($ns in 'h1', 'h2', 'r1', 'r2') { "ip -n {$ns} li set lo up" }
    foreach ($ns in 'h1', 'h2') {
        foreach ($sysctl in 'net.ipv4.conf.all.accept_redirects=1', 'net.ipv6.conf.all.forwarding=0', 'net.ipv6.conf.all.accept_redirects=1', 'net.ipv6.conf.all.keep_addr_on_down=1') {
            "ip netns exec {$ns} sysctl -q -w $sysctl"
        }
    }
    foreach ($ns in 'r1', 'r2') {
        foreach ($sysctl in 'net.ipv4.ip_forward=1', 'net.ipv4.conf.all.send_redirects=1', 'net.ipv4.conf.default.rp_filter=0', 'net.ipv4.conf.all.rp_filter=0',
            'net.ipv6.conf.all.forwarding=1', 'net.ipv6.route.mtu_expires=10') {
            "ip netns exec {$ns} sysctl -q -w $sysctl"
        }
    }
    'ip -n {h1} li add eth0 type veth peer name r1h1'
    'ip -n {h1} li set r1h1 netns {r1} name eth0 up'
    'ip -n {h1} li add eth1 type veth peer name r2h1'
    'ip -n {h1} li set r2h1 netns {r2} name eth0 up'
    'ip -n {h2} li add eth0 type veth peer name r2h2'
    'ip -n {h2} li set eth0 up'
    'ip -n {h2} li set r2h2 netns {r2} name eth2 up'
    'ip -n {r1} li add eth1 type veth peer name r2r1'
    'ip -n {r1} li set eth1 up'
    'ip -n {r1} li set r2r1 netns {r2} name eth1 up'
    'ip -n {h1} li add br0 type bridge'
    'ip -n {h1} li set br0 up'
    'ip -n {h1} addr add dev br0 172.16.1.1/24'
    'ip -n {h1} -6 addr add dev br0 2001:db8:16:1::1/64 nodad'
    'ip -n {h1} li set eth0 master br0 up'
    'ip -n {h1} li set eth1 master br0 up'
    'ip -n {h2} addr add dev eth0 172.16.2.2/24'
    'ip -n {h2} ro add default via 172.16.2.254 dev eth0'
    'ip -n {h2} -6 addr add dev eth0 2001:db8:16:2::2/64 nodad'
    'ip -n {h2} -6 ro add default via 2001:db8:16:2::254 dev eth0'
    'ip -n {r1} addr add dev eth0 172.16.1.253/24'
    'ip -n {r1} -6 addr add dev eth0 2001:db8:16:1::253/64 nodad'
    'ip -n {r1} addr add dev eth1 10.1.1.1/30'
    'ip -n {r1} -6 addr add dev eth1 2001:db8:1::1/126 nodad'
    'ip -n {r2} addr add dev eth0 172.16.1.254/24'
    'ip -n {r2} -6 addr add dev eth0 2001:db8:16:1::254/64 nodad'
    'ip -n {r2} addr add dev eth1 10.1.1.2/30'
    'ip -n {r2} -6 addr add dev eth1 2001:db8:1::2/126 nodad'
    'ip -n {r2} addr add dev eth2 172.16.2.254/24'
    'ip -n {r2} -6 addr add dev eth2 2001:db8:16:2::254/64 nodad'
    'sleep 2'
)

$routes = @{
    legacy = @{
        Initial = @(
            'ip -n {r1} ro add 172.16.2.0/24 via 10.1.1.2 dev eth1'
            'ip -n {r1} -6 ro add 2001:db8:16:2::/64 via 2001:db8:1::2 dev eth1'
            'ip -n {h1} ro add 172.16.2.0/24 via 172.16.1.253 dev br0'
            "ip -n {h1} -6 ro add 2001:db8:16:2::/64 via $r1LinkLocal dev br0"
        )
        Replace = @(
            'ip -n {r1} ro replace 172.16.2.0/24 via 172.16.1.254 dev eth0'
            "ip -n {r1} -6 ro replace 2001:db8:16:2::/64 via $r2LinkLocal dev eth0"
        )
        Reset = @(
            'ip -n {r1} ro del 172.16.2.0/24'
            'ip -n {r1} -6 ro del 2001:db8:16:2::/64'
            'ip -n {h1} ro del 172.16.2.0/24'
            'ip -n {h1} -6 ro del 2001:db8:16:2::/64'
        )
    }
    new = @{
        Initial = @(
            'ip -n {r1} nexthop add id 1 via 10.1.1.2 dev eth1'
            'ip -n {r1} ro add 172.16.2.0/24 nhid 1'
            'ip -n {r1} nexthop add id 2 via 2001:db8:1::2 dev eth1'
            'ip -n {r1} -6 ro add 2001:db8:16:2::/64 nhid 2'
            'ip -n {h1} nexthop add id 1 via 172.16.1.253 dev br0'
            'ip -n {h1} ro add 172.16.2.0/24 nhid 1'
            "ip -n {h1} nexthop add id 2 via $r1LinkLocal dev br0"
            'ip -n {h1} -6 ro add 2001:db8:16:2::/64 nhid 2'
        )
        Replace = @(
            'ip -n {r1} nexthop replace id 1 via 172.16.1.254 dev eth0'
            "ip -n {r1} nexthop replace id 2 via $r2LinkLocal dev eth0"
        )
        Reset = @('ip -n {r1} nexthop flush', 'ip -n {h1} nexthop flush')
    }
}

$pings = { param($size) "! ping -c 3 -s $size 172.16.2.2"; "! ping -c 3 -s $size 2001:db8:16:2::2" }
$connectivity = { '! ping -c 1 172.16.2.2'; '! ping -c 1 2001:db8:16:2::2' }
$lookups = @('172.16.2.2', '2001:db8:16:2::2')
$mtu = { param($value) "ip -n {h2} li set eth0 mtu $value"; "ip -n {r2} li set eth2 mtu $value" }

foreach ($kind in 'legacy', 'new') {
    $r = $routes[$kind]
    @{
        Name = "redirect-$kind"; Selftest = 'icmp_redirect.sh'; Namespaces = @('h1', 'h2', 'r1', 'r2')
        Steps = @(
            @{ Function = "do_test $kind`: basic connectivity"; Commands = $setup + $r.Initial + @(& $connectivity); Lookups = $lookups }
            @{ Function = "do_test $kind`: redirect exception"; Commands = $r.Replace + @(& $pings 64); Lookups = $lookups }
            @{ Function = "do_test $kind`: redirect exception plus mtu"; Commands = @(& $mtu 1300) + @(& $pings 1350); Lookups = $lookups }
            @{ Function = "do_test $kind`: routing reset"; Commands = @(& $mtu 1500) + $r.Reset + $r.Initial + @(& $connectivity); Lookups = $lookups }
            @{ Function = "do_test $kind`: mtu exception"; Commands = @(& $mtu 1300) + @(& $pings 1350); Lookups = $lookups }
            @{ Function = "do_test $kind`: mtu exception plus redirect"; Commands = $r.Replace + @(& $pings 64); Lookups = $lookups }
            foreach ($check in 'basic connectivity', 'redirect exception', 'redirect exception plus mtu', 'routing reset', 'mtu exception', 'mtu exception plus redirect') {
                @{ Function = "do_test $kind with VRF red: $check"; Lookups = @(foreach ($destination in $lookups) { @{ Get = "vrf red $destination"; NotAsked = $noVrf } }) }
            }
        )
    }
}

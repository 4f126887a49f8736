<#
    fib_rule_tests.sh: each check adds one rule sending matching packets to table 100 (a default route via
    192.51.100.2 onlink), asks `ip route get` once with selectors that match and once with selectors that do not
    (the selftest greps for "table 100"), then deletes the rule. Here each check is a step whose After deletes it.
    dummy0 is a veth whose peer (dummy0p, without IPv6) stays up; IPv6 addresses are nodad, as on a dummy
    (NOARP: no DAD).
    Rule selectors iproute2 6.1 cannot write (dscp, dscp/mask, port masks, flowlabel) are written over
    rtnetlink ("rtnl rule ..." commands, Rtnetlink.psm1), and `route get ... flowlabel`, which it cannot ask,
    is asked over rtnetlink too (RTA_FLOWLABEL).
#>

$IP = 'ip -n {ns}'
$noVrf = "this machine's kernel has no vrf links: VRF is checked on constructed messages only"

$base = @(
    "$IP link set dev lo up"
    "$IP link add dummy0 type veth peer name dummy0p"
    'ip netns exec {ns} sysctl -qw net.ipv6.conf.dummy0p.disable_ipv6=1'
    "$IP link set dev dummy0p up"
    "$IP link set dev dummy0 up"
    "$IP address add 192.51.100.1/24 dev dummy0"
    "$IP -6 address add 2001:db8:1::1/64 dev dummy0 nodad"
)

function New-RedirectStep([string]$Family, [string]$Function, [string]$Match, [string]$GetMatch, [string]$GetNoMatch, [string]$NotAsked, [switch]$Rtnetlink) {
    <#
        One fib_rule{4,6}_test_match_n_redirect: the rule, the lookup that must reach table 100 and the one that
        must not. -Rtnetlink writes the rule with "rtnl rule" (selectors iproute2 6.1 cannot write).
    #>
    $ipFamily = if ($Family -eq '6') { "$IP -6" } else { $IP }
    $gateway = if ($Family -eq '6') { '2001:db8:1::2' } else { '192.51.100.2' }
    $lookups = foreach ($words in $GetMatch, $GetNoMatch) {
        $get = "$gateway $words".Trim()
        if ($NotAsked) { @{ Get = $get; NotAsked = $NotAsked } } else { $get }
    }
    $rule = if ($Rtnetlink) { "rtnl rule VERB family $Family $Match table 100" } else { "$ipFamily rule VERB $Match table 100" }
    @{
        Function = $Function
        Commands = @(if (-not $NotAsked) { $rule.Replace('VERB', 'add') })
        After = @(if (-not $NotAsked) { $rule.Replace('VERB', 'del') })
        Lookups = @($lookups)
    }
}

function New-RuleTestSteps([string]$Family, [string]$NotAsked) {
    <# fib_rule4_test or fib_rule6_test, in the selftest's order; $NotAsked (the VRF rerun) marks every lookup. #>
    $name = if ($NotAsked) { "fib_rule${Family}_vrf_test" } else { "fib_rule${Family}_test" }
    $ipFamily = if ($Family -eq '6') { "$IP -6" } else { $IP }
    $src = if ($Family -eq '6') { '2001:db8:1::3' } else { '192.51.100.3' }
    $gateway = if ($Family -eq '6') { '2001:db8:1::2' } else { '192.51.100.2' }
    $first = New-RedirectStep $Family "${name}: oif redirect to table" 'oif dummy0' 'oif dummy0' 'oif lo' $NotAsked
    $first.Commands = @(if (-not $NotAsked) { "$ipFamily route add table 100 default via $gateway dev dummy0 onlink" }) + $first.Commands
    $first
    $iif = New-RedirectStep $Family "${name}: iif redirect to table" "from $src iif dummy0" "from $src iif dummy0" "from $src iif lo" $NotAsked
    if ($Family -eq '4' -and -not $NotAsked) {
        # The selftest turns forwarding on and rp_filter off here: the addresses share one subnet and device.
        $iif.Commands = @("ip netns exec {ns} sysctl -qw net.ipv4.ip_forward=1", "ip netns exec {ns} sysctl -qw net.ipv4.conf.dummy0.rp_filter=0") + $iif.Commands
    }
    $iif
    foreach ($tos in '0x10', '0x11', '0x12', '0x13') {
        New-RedirectStep $Family "${name}: tos $tos redirect to table" 'tos 0x10' "tos $tos" 'tos 0x20' $NotAsked
    }
    foreach ($tos in '0x10', '0x11', '0x12', '0x13') {
        New-RedirectStep $Family "${name}: iif tos $tos redirect to table" 'tos 0x10' "from $src iif dummy0 tos $tos" "from $src iif dummy0 tos 0x20" $NotAsked
    }
    New-RedirectStep $Family "${name}: fwmark redirect to table" 'fwmark 0x64' 'mark 0x64' 'mark 0x63' $NotAsked
    New-RedirectStep $Family "${name}: uid redirect to table" 'uidrange 100-100' 'uid 100' 'uid 101' $NotAsked
    New-RedirectStep $Family "${name}: sport and dport redirect to table" 'sport 666 dport 777' 'sport 666 dport 777' 'sport 667 dport 778' $NotAsked
    New-RedirectStep $Family "${name}: sport and dport range redirect to table" 'sport 100-200 dport 300-400' 'sport 100 dport 400' 'sport 100 dport 401' $NotAsked
    New-RedirectStep $Family "${name}: sport and dport masked redirect to table" 'sport 0x0f00/0xff00 dport 0x000f/0x00ff' 'sport 0x0f11 dport 0x220f' 'sport 0x1f11 dport 0x221f' $NotAsked -Rtnetlink
    New-RedirectStep $Family "${name}: ipproto tcp match" 'ipproto tcp' 'ipproto tcp' 'ipproto udp' $NotAsked
    $icmp = if ($Family -eq '6') { 'ipv6-icmp' } else { 'icmp' }
    New-RedirectStep $Family "${name}: ipproto $icmp match" "ipproto $icmp" "ipproto $icmp" 'ipproto tcp' $NotAsked
    New-RedirectStep $Family "${name}: dscp redirect to table" 'dscp 0x3f' 'tos 0xfc' 'tos 0xf4' $NotAsked -Rtnetlink
    New-RedirectStep $Family "${name}: iif dscp redirect to table" 'dscp 0x3f' "from $src iif dummy0 tos 0xfc" "from $src iif dummy0 tos 0xf4" $NotAsked -Rtnetlink
    New-RedirectStep $Family "${name}: dscp masked redirect to table" 'dscp 0x0f/0x0f' 'tos 0x7c' 'tos 0x78' $NotAsked -Rtnetlink
    New-RedirectStep $Family "${name}: iif dscp masked redirect to table" 'dscp 0x0f/0x0f' "from $src iif dummy0 tos 0x7c" "from $src iif dummy0 tos 0x78" $NotAsked -Rtnetlink
    if ($Family -eq '6') {
        New-RedirectStep $Family "${name}: flowlabel redirect to table" 'flowlabel 0xfffff' 'flowlabel 0xfffff' 'flowlabel 0xf' $NotAsked -Rtnetlink
        New-RedirectStep $Family "${name}: iif flowlabel redirect to table" 'flowlabel 0xfffff' "from $src iif dummy0 flowlabel 0xfffff" "from $src iif dummy0 flowlabel 0xf" $NotAsked -Rtnetlink
        New-RedirectStep $Family "${name}: flowlabel masked redirect to table" 'flowlabel 0x08000/0x08000' 'flowlabel 0xfffff' 'flowlabel 0xf7fff' $NotAsked -Rtnetlink
        New-RedirectStep $Family "${name}: iif flowlabel masked redirect to table" 'flowlabel 0x08000/0x08000' "from $src iif dummy0 flowlabel 0xfffff" "from $src iif dummy0 flowlabel 0xf7fff" $NotAsked -Rtnetlink
    }
    if ($NotAsked) {
        New-RedirectStep $Family "${name}: VRF oif redirect to table" '' 'oif dummy0' 'oif lo' $NotAsked
        New-RedirectStep $Family "${name}: VRF iif redirect to table" '' "from $src iif dummy0" "from $src iif lo" $NotAsked
    }
}

function New-ConnectSteps([string]$Family) {
    <#
        fib_rule{4,6}_connect_test: nettest connects to the peer's loopback address with a DS field; a rule on the
        DS field sends it to table 101, the only one with a route there. The lookup behind each connect is a
        route get of that address with the tos.
    #>
    $name = "fib_rule${Family}_connect_test"
    $ipFamily = if ($Family -eq '6') { "$IP -6" } else { $IP }
    $remote = if ($Family -eq '6') { '2001:db8::1:11' } else { '198.51.100.11' }
    @{
        Function = "${name}: dsfield 0x04"
        Commands = @(
            if ($Family -eq '6') {
                # setup_peer; the selftest deletes and remakes it for the IPv4 half, which changes nothing here.
                'ip -n {peer} link set dev lo up'
                'ip link add name veth0 netns {ns} type veth peer name veth1 netns {peer}'
                "$IP link set dev veth0 up"
                'ip -n {peer} link set dev veth1 up'
                "$IP address add 192.0.2.10 peer 192.0.2.11/32 dev veth0"
                'ip -n {peer} address add 192.0.2.11 peer 192.0.2.10/32 dev veth1'
                "$IP address add 2001:db8::10 peer 2001:db8::11/128 dev veth0 nodad"
                'ip -n {peer} address add 2001:db8::11 peer 2001:db8::10/128 dev veth1 nodad'
                'ip -n {peer} address add 198.51.100.11/32 dev lo'
                "$IP route add table 101 198.51.100.11/32 via 192.0.2.11"
                'ip -n {peer} address add 2001:db8::1:11/128 dev lo'
                "$IP route add table 101 2001:db8::1:11/128 via 2001:db8::11"
            }
            "$ipFamily rule add dsfield 0x04 table 101"
        )
        After = @("$ipFamily rule del dsfield 0x04 table 101")
        Lookups = @(foreach ($tos in '0x04', '0x05', '0x06', '0x07', '0x20') { "$remote tos $tos" })
    }
    @{
        Function = "${name}: dscp 0x3f"
        Commands = @("rtnl rule add family $Family dscp 0x3f table 101")
        After = @("rtnl rule del family $Family dscp 0x3f table 101")
        Lookups = @(foreach ($tos in '0xfc', '0xf4') { "$remote tos $tos" })
    }
}

@{
    Name = 'rule'; Selftest = 'fib_rule_tests.sh'; Namespaces = @('ns', 'peer')
    Steps = @(
        @{ Function = 'setup'; Commands = $base; Lookups = @() }
        New-RuleTestSteps '6'
        New-RuleTestSteps '4'
        New-ConnectSteps '6'
        New-ConnectSteps '4'
        New-RuleTestSteps '6' $noVrf
        New-RuleTestSteps '4' $noVrf
    )
}

<#
    fib-onlink-tests.sh: routes added with "onlink" (connected and recursive gateways, multipath with onlink on
    one or both paths, v4-mapped IPv6 gateways) and the adds the kernel must refuse (a local address or an IPv6
    link-local or multicast address as gateway, no device). The selftest checks only that each add succeeds or
    fails; the lookups here are a route get of every destination it adds, after its adds. veth5..veth8 and
    the VRF "lisa" (table 1101, PBR table 101) are left out: this kernel has no vrf links, so those lookups
    are listed as not asked.
#>

$IP = 'ip -n {ns}'
$noVrf = "this machine's kernel has no vrf links: VRF is checked on constructed messages only"
$linkLocal = '$(ip -n {ns} -6 -br addr show dev veth1 | grep -o "fe80[^/]*")'

$setup = @(
    "$IP link set dev lo up"
    foreach ($n in 1, 3) {
        "$IP link add veth$n type veth peer name veth$($n + 1)"
        "$IP link set veth$n up"
        "$IP addr add 169.254.$n.1/24 dev veth$n"
        "$IP addr add 2001:db8:${n}01::1/64 dev veth$n nodad"
        "$IP link set veth$($n + 1) netns {peer} up"
        "ip -n {peer} addr add 169.254.$n.2/24 dev veth$($n + 1)"
        "ip -n {peer} addr add 2001:db8:${n}01::2/64 dev veth$($n + 1) nodad"
    }
    "$IP -6 ro add default via 2001:db8:301::64"
)

$ipv4 = @(
    "$IP ro add table 254 169.254.101.1/32 via 169.254.1.254 dev veth1 onlink"
    "$IP ro add table 254 169.254.101.2/32 via 169.254.11.254 dev veth1 onlink"
    "$IP ro add table 254 169.254.101.5/32 nexthop via 169.254.1.254 dev veth1 onlink nexthop via 169.254.3.254 dev veth3 onlink"
    "$IP ro add table 254 169.254.101.6/32 nexthop via 169.254.11.254 dev veth1 onlink nexthop via 169.254.12.254 dev veth3 onlink"
    "$IP ro add table 254 169.254.101.7/32 nexthop via 169.254.1.254 dev veth1 nexthop via 169.254.3.254 dev veth3 onlink"
    "$IP ro add table 254 169.254.101.8/32 nexthop via 169.254.1.254 dev veth1 onlink nexthop via 169.254.3.254 dev veth3"
    "! $IP ro add table 254 169.254.101.11/32 via 169.254.1.1 dev veth1 onlink"
    "! $IP ro add table 254 169.254.101.101/32 via 169.254.1.1 onlink"
)

$ipv6 = @(
    "$IP -6 ro add table 254 2001:db8:101::1/128 via 2001:db8:101::64 dev veth1 onlink"
    "$IP -6 ro add table 254 2001:db8:101::2/128 via 2001:db8:11::64 dev veth1 onlink"
    "$IP -6 ro add table 254 2001:db8:101::3/128 via ::ffff:10.1.1.254 dev veth1 onlink"
    "$IP -6 ro add table 254 2001:db8:101::4/128 onlink nexthop via 2001:db8:101::64 dev veth1 nexthop via 2001:db8:301::64 dev veth3"
    "$IP -6 ro add table 254 2001:db8:101::5/128 onlink nexthop via 2001:db8:11::64 dev veth1 nexthop via 2001:db8:12::64 dev veth3"
    "$IP -6 ro add table 254 2001:db8:101::6/128 onlink nexthop via ::ffff:10.1.1.254 dev veth1 nexthop via ::ffff:10.2.1.254 dev veth3"
    "$IP -6 ro add table 254 2001:db8:101::7/128 nexthop via 2001:db8:101::64 dev veth1 onlink nexthop via 2001:db8:301::64 dev veth3 onlink"
    "$IP -6 ro add table 254 2001:db8:101::8/128 nexthop via 2001:db8:101::64 dev veth1 onlink nexthop via 2001:db8:301::64 dev veth3"
    "$IP -6 ro add table 254 2001:db8:101::9/128 nexthop via 2001:db8:101::64 dev veth1 nexthop via 2001:db8:301::64 dev veth3 onlink"
    "! $IP -6 ro add table 254 2001:db8:101::11/128 via 2001:db8:101::1 dev veth1 onlink"
    "! $IP -6 ro add table 254 2001:db8:101::12/128 via $linkLocal dev veth1 onlink"
    "! $IP -6 ro add table 254 2001:db8:101::12/128 via ff02::1 dev veth1 onlink"
    "! $IP -6 ro add table 254 2001:db8:101::101/128 via 2001:db8:101::1 onlink"
)

@{
    Name = 'onlink'; Selftest = 'fib-onlink-tests.sh'; Namespaces = @('ns', 'peer')
    Steps = @(
        @{ Function = 'setup'; Commands = $setup; Lookups = @() }
        @{
            Function = 'valid_onlink_ipv4, invalid_onlink_ipv4: default VRF - main table'
            Commands = $ipv4
            Lookups = @(foreach ($n in 1, 2, 5, 6, 7, 8, 11, 101) { "169.254.101.$n" })
        }
        @{
            Function = 'valid_onlink_ipv4, invalid_onlink_ipv4: VRF lisa and its PBR table'
            Lookups = @(foreach ($n in 1, 2, 3, 4, 11) { @{ Get = "169.254.102.$n vrf lisa"; NotAsked = $noVrf } })
        }
        @{
            Function = 'valid_onlink_ipv6, invalid_onlink_ipv6: default VRF - main table'
            Commands = $ipv6
            Lookups = @(foreach ($n in 1..9 + 11, 12, 101) { "2001:db8:101::$n" })
        }
        @{
            Function = 'valid_onlink_ipv6, invalid_onlink_ipv6: VRF lisa and its PBR table'
            Lookups = @(foreach ($n in 1..6 + 11, 12) { @{ Get = "2001:db8:102::$n vrf lisa"; NotAsked = $noVrf } })
        }
    )
}

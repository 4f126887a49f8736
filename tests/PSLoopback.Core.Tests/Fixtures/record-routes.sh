#!/bin/sh
# Rebuilds the recorded route and rule fixtures in routes/: the kernel's RTM_GETROUTE and RTM_GETRULE dumps
# (IPv4 and IPv6) and its answers to the `ip route get` queries of routes/route-queries.txt, with iproute2's
# view of the same namespace beside them. Needs root and iproute2. The namespace is deleted on every exit path,
# failures included.
#
# Interface indexes in the namespace: 1 lo, 2 v1, 3 v0, 4 d1, 5 d0 (veth creates its peer first).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=$here/routes
ns=pslb-routes

ip netns add "$ns"
trap 'ip netns del "$ns"' EXIT
trap 'exit 1' HUP INT TERM

r() { ip -n "$ns" "$@"; }

# No duplicate address detection, so that no address is still "tentative" when the dumps are taken.
ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0

r link set lo up
ip link add v0 netns "$ns" type veth peer name v1 netns "$ns"
ip link add d0 netns "$ns" type veth peer name d1 netns "$ns"
r link set v0 address 02:ab:cd:00:00:01
r link set v1 address 02:ab:cd:00:00:02
r link set d0 address 02:ab:cd:00:00:03
r link set d1 address 02:ab:cd:00:00:04
r addr add 192.0.2.1/24 dev v0
r addr add 198.18.0.1/24 dev d0
r addr add 10.99.0.1/32 dev lo
r addr add 2001:db8::1/64 nodad dev v0
r addr add 2001:db8:ff::1/64 nodad dev d0
for link in v0 v1 d0 d1; do r link set "$link" up; done

# Forwarding on: a query with an input interface then meets each route's and rule's own error (with it off,
# every failed input lookup reads EHOSTUNREACH), and IPv6 adds subnet-router anycast routes to the local table.
ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

# Wait (at most 5 s) for both veth carriers, so that no route is flagged linkdown.
for link in v0 d0; do
    tries=0
    until r link show "$link" | grep -q 'state UP'; do
        tries=$((tries + 1))
        [ "$tries" -le 50 ] || { echo "$link did not come up" >&2; exit 1; }
        sleep 0.1
    done
done

# IPv4. Tables: main (254), local (255), 100, 1000 (above 255, so rtm_table reads 252 and only RTA_TABLE tells).
r route add default via 192.0.2.254 dev v0 metric 100
r route add 203.0.113.0/24 dev v0 proto static scope link
r route add 198.51.100.0/25 via 192.0.2.253 dev v0 src 192.0.2.1 mtu lock 1280 advmss 1240 window 65535 table 100
r route add 10.10.0.0/16 table 100 nexthop via 192.0.2.254 dev v0 weight 1 nexthop via 198.18.0.254 dev d0 weight 3
r route add 10.11.0.0/16 table 100 nexthop via inet6 2001:db8::fe dev v0 weight 2 nexthop via 203.0.113.1 dev d0 onlink
r route add unreachable 10.20.0.0/16 table 100
r route add blackhole 10.30.0.0/16 table 100
r route add prohibit 10.40.0.0/16 table 100
r route add throw 10.50.0.0/16 table 100
r route add multicast 239.1.0.0/16 dev v0 table 100
r nexthop add id 10 via 192.0.2.254 dev v0
r route add 10.90.0.0/16 nhid 10 table 100
r route add local 10.60.0.0/24 dev lo table local
r route add broadcast 10.70.0.255 dev v0 table local
r route add 198.51.100.0/24 dev lo table 1000
r route add 10.80.0.0/16 via inet6 2001:db8::fe dev v0 table 1000

# IPv6.
r -6 route add 2001:db8:100::/48 via 2001:db8::fe dev v0 metric 50 pref high
r -6 route add 2001:db8:200::/48 via fe80::1 dev v0 pref low mtu 1400 congctl reno
r -6 route add 2001:db8:300::/48 table 100 nexthop via 2001:db8::fe dev v0 weight 2 nexthop via fe80::2 dev d0 weight 1
r -6 route add unreachable 2001:db8:400::/48 table 100
r -6 route add blackhole 2001:db8:500::/48 table 100
r -6 route add prohibit 2001:db8:600::/48 table 100
r -6 route add throw 2001:db8:700::/48 table 100
r -6 route add 2001:db8:800::/48 via 2001:db8::fe dev v0 expires 600 table 1000
r -6 route add 2001:db8:900::/48 dev lo table 1000

# IPv4 rules, besides the kernel's 0 (local), 32766 (main) and 32767 (default).
r rule add pref 100 from 192.0.2.0/24 lookup 100
r rule add pref 110 to 198.51.100.0/24 lookup 1000
r rule add pref 120 not from 10.0.0.0/8 lookup main
r rule add pref 130 fwmark 0x10/0xff lookup 100
r rule add pref 140 iif v0 lookup 100
r rule add pref 150 oif d0 lookup 100
r rule add pref 160 from 172.16.0.0/12 goto 200
r rule add pref 170 lookup main suppress_prefixlength 0
r rule add pref 180 to 10.120.0.0/16 unreachable
r rule add pref 190 to 10.130.0.0/16 prohibit
r rule add pref 195 to 10.140.0.0/16 blackhole
r rule add pref 200 from all lookup 1000
r rule add pref 210 uidrange 1000-1999 ipproto tcp sport 1000-2000 dport 443 lookup 100
r rule add pref 220 tos 0x10 lookup 100 protocol static
r rule add pref 230 from 172.20.0.0/16 realms 3/4 lookup 100
r rule add pref 240 tun_id 5 lookup 100
r rule add pref 250 lookup main suppress_ifgroup 7
r rule add pref 260 l3mdev
r rule add pref 270 nop

# IPv6 rules, besides the kernel's 0 (local) and 32766 (main).
r -6 rule add pref 100 from 2001:db8::/32 lookup 100
r -6 rule add pref 110 to 2001:db8:800::/40 lookup 1000
r -6 rule add pref 120 not to 2001:db8::/32 lookup main
r -6 rule add pref 130 to 2001:db8:1400::/48 unreachable
r -6 rule add pref 140 to 2001:db8:1600::/48 prohibit
r -6 rule add pref 150 to 2001:db8:1500::/48 blackhole
r -6 rule add pref 160 iif v0 oif d0 goto 170
r -6 rule add pref 170 fwmark 0x20 lookup 1000 suppress_prefixlength 0

ip netns exec "$ns" python3 "$here/record-netlink.py" --routes "$out" "$out/route-queries.txt"

# For people reading the fixtures, and for the tests' cross-check: iproute2's view of the same namespace,
# numeric (-N) so that tables and route types need no name lookup.
r -N -j -4 route show table all > "$out/ip-route-inet.json"
r -N -j -6 route show table all > "$out/ip-route-inet6.json"
r -N -j -4 rule show > "$out/ip-rule-inet.json"
r -N -j -6 rule show > "$out/ip-rule-inet6.json"
r -j link show > "$out/ip-link.json"

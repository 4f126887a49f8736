#!/bin/sh
# Rebuilds the recorded netlink fixtures in this directory (see README.md). Needs root and iproute2.
# The namespace is deleted on every exit path, failures included.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
ns=pslb-fixture

ip netns add "$ns"
trap 'ip netns del "$ns"' EXIT
trap 'exit 1' HUP INT TERM

# No duplicate address detection, so that no address is still "tentative" when the dump is taken.
ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0

ip -n "$ns" link set lo up

ip link add v0 netns "$ns" type veth peer name v1 netns "$ns"
ip -n "$ns" link set v0 address 02:ab:cd:00:00:01
ip -n "$ns" link set v1 address 02:ab:cd:00:00:02
ip -n "$ns" link set v0 mtu 1400
ip -n "$ns" link set v0 alias "uplink"
ip -n "$ns" addr add 192.0.2.1/24 broadcast 192.0.2.255 dev v0
ip -n "$ns" addr add 192.0.2.2/24 broadcast 192.0.2.255 label v0:1 dev v0
ip -n "$ns" addr add 2001:db8::1/64 nodad dev v0
ip -n "$ns" addr add 2001:db8:1::1/64 nodad valid_lft 3600 preferred_lft 0 dev v0
ip -n "$ns" link set v0 up
ip -n "$ns" link set v1 up

# A layer-3 tun device with a point-to-point address, left down.
ip -n "$ns" tuntap add mode tun name tn0
ip -n "$ns" addr add 10.9.0.1 peer 10.9.0.2/32 dev tn0

# Wait (at most 5 s) for the veth carrier to reach operstate UP.
tries=0
until ip -n "$ns" link show v0 | grep -q 'state UP'; do
    tries=$((tries + 1))
    [ "$tries" -le 50 ] || { echo "v0 did not come up" >&2; exit 1; }
    sleep 0.1
done

ip netns exec "$ns" python3 "$here/record-netlink.py" "$here"
# For people reading the fixtures: iproute2's view of the same namespace.
ip -n "$ns" -d -j addr show > "$here/ip-addr.json"

#!/usr/bin/env python3
"""Record the kernel's raw answers to rtnetlink requests.

Usage: record-netlink.py OUTPUT_DIRECTORY
       record-netlink.py --routes OUTPUT_DIRECTORY [QUERIES_FILE]

The first form dumps links and addresses: every datagram received for a dump, up to and including the one that
carries NLMSG_DONE, is written unchanged to OUTPUT_DIRECTORY/<dump>-<n>.bin (dump is "getlink" or "getaddr",
n counts from 0).

The second form does the same for the IPv4 and IPv6 route dumps and policy rule dumps ("getroute-inet",
"getroute-inet6", "getrule-inet", "getrule-inet6"). With QUERIES_FILE, each of its lines is the argument list of
an `ip route get` (DESTINATION [from SOURCE] [iif NAME] [oif NAME] [mark N] [fibmatch]; a # starts a comment).
Each query is sent as the RTM_GETROUTE request iproute2 builds for it; OUTPUT_DIRECTORY/routeget.json lists the
queries in order, each with the request and the kernel's answering datagram (RTM_NEWROUTE or NLMSG_ERROR) in hex
and with what `ip -j route get` printed for it.

The bytes are in host byte order, as the kernel sent them. Standard library only.
"""

import ipaddress
import json
import os
import socket
import struct
import subprocess
import sys

NLMSG_HEADER = struct.Struct("=IHHII")  # nlmsg_len, nlmsg_type, nlmsg_flags, nlmsg_seq, nlmsg_pid
NLMSG_ERROR = 2
NLMSG_DONE = 3
NLM_F_REQUEST = 0x1
NLM_F_DUMP_INTR = 0x10
NLM_F_DUMP = 0x300
RTM_GETLINK = 18
RTM_GETADDR = 22
RTM_GETROUTE = 26
RTM_GETRULE = 34
RTA_DST = 1
RTA_SRC = 2
RTA_IIF = 3
RTA_OIF = 4
RTA_MARK = 16
RTM_F_LOOKUP_TABLE = 0x1000
RTM_F_FIB_MATCH = 0x2000

# The requests' fixed headers, all zero: every family, every interface.
IFINFOMSG = bytes(16)
IFADDRMSG = bytes(8)

RECEIVE_BUFFER = 1 << 20
MAX_DATAGRAMS = 1000
ROUTE_QUERY_SEQUENCE = 100


def family_header(family):
    """struct rtmsg or struct fib_rule_hdr (both 12 bytes) with only the family set: every table, every rule."""
    return bytes([family]) + bytes(11)


def dump(sock, message_type, sequence, header):
    request = NLMSG_HEADER.pack(NLMSG_HEADER.size + len(header), message_type,
                                NLM_F_REQUEST | NLM_F_DUMP, sequence, 0) + header
    sock.sendto(request, (0, 0))

    datagrams = []
    while len(datagrams) < MAX_DATAGRAMS:
        datagram = sock.recv(RECEIVE_BUFFER)
        datagrams.append(datagram)
        offset = 0
        while offset + NLMSG_HEADER.size <= len(datagram):
            length, kind, flags, seq, _ = NLMSG_HEADER.unpack_from(datagram, offset)
            if length < NLMSG_HEADER.size or offset + length > len(datagram):
                raise RuntimeError(f"malformed message at offset {offset} of datagram {len(datagrams) - 1}")
            if seq == sequence:
                if flags & NLM_F_DUMP_INTR:
                    raise RuntimeError("the dump was interrupted by a concurrent change; record again")
                if kind == NLMSG_ERROR:
                    (error,) = struct.unpack_from("=i", datagram, offset + NLMSG_HEADER.size)
                    raise OSError(-error, os.strerror(-error))
                if kind == NLMSG_DONE:
                    return datagrams
            offset += (length + 3) & ~3
    raise RuntimeError(f"no NLMSG_DONE after {MAX_DATAGRAMS} datagrams")


def write_datagrams(output, name, datagrams):
    for stale in [f for f in os.listdir(output) if f.startswith(name + "-") and f.endswith(".bin")]:
        os.remove(os.path.join(output, stale))
    for number, datagram in enumerate(datagrams):
        with open(os.path.join(output, f"{name}-{number}.bin"), "wb") as f:
            f.write(datagram)
    print(f"{name}: {len(datagrams)} datagrams, {sum(map(len, datagrams))} bytes")


def attribute(kind, value):
    # Every value here is 4 or 16 bytes, so no padding is needed.
    return struct.pack("=HH", 4 + len(value), kind) + value


def route_query(arguments, sequence):
    """The RTM_GETROUTE request `ip route get ARGUMENTS` sends (iproute2 6.1, checked with strace)."""
    options = {}
    words = iter(arguments)
    for word in words:
        if word == "fibmatch":
            options[word] = True
        elif word in ("from", "iif", "oif", "mark"):
            options[word] = next(words)
        else:
            options["to"] = word
    destination = ipaddress.ip_address(options["to"])
    family = socket.AF_INET if destination.version == 4 else socket.AF_INET6
    source = ipaddress.ip_address(options["from"]) if "from" in options else None
    flags = (RTM_F_LOOKUP_TABLE if family == socket.AF_INET else 0) | (RTM_F_FIB_MATCH if "fibmatch" in options else 0)
    payload = struct.pack("=BBBBBBBBI", family, destination.max_prefixlen, source.max_prefixlen if source else 0,
                          0, 0, 0, 0, 0, flags)
    payload += attribute(RTA_DST, destination.packed)
    if source:
        payload += attribute(RTA_SRC, source.packed)
    if "iif" in options:
        payload += attribute(RTA_IIF, struct.pack("=i", socket.if_nametoindex(options["iif"])))
    if "oif" in options:
        payload += attribute(RTA_OIF, struct.pack("=i", socket.if_nametoindex(options["oif"])))
    if "mark" in options:
        payload += attribute(RTA_MARK, struct.pack("=I", int(options["mark"], 0)))
    return NLMSG_HEADER.pack(NLMSG_HEADER.size + len(payload), RTM_GETROUTE, NLM_F_REQUEST, sequence, 0) + payload


def ask(sock, request, sequence):
    """Sends one request and returns the datagram that answers it."""
    sock.sendto(request, (0, 0))
    for _ in range(MAX_DATAGRAMS):
        datagram = sock.recv(RECEIVE_BUFFER)
        if len(datagram) >= NLMSG_HEADER.size and NLMSG_HEADER.unpack_from(datagram, 0)[3] == sequence:
            return datagram
    raise RuntimeError(f"no answer to request {sequence}")


def read_queries(queries_file):
    with open(queries_file) as f:
        return [words for words in (line.split("#", 1)[0].split() for line in f) if words]


def record_route_queries(sock, output, queries):
    manifest = []
    for number, arguments in enumerate(queries):
        sequence = ROUTE_QUERY_SEQUENCE + number
        request = route_query(arguments, sequence)
        answer = ask(sock, request, sequence)
        ip = subprocess.run(["ip", "-j", "route", "get"] + arguments, capture_output=True, text=True)
        manifest.append({
            "query": " ".join(arguments),
            "request": request.hex(),
            "answer": answer.hex(),
            "ip": json.loads(ip.stdout) if ip.returncode == 0 else None,
            "ip_error": ip.stderr.strip() if ip.returncode != 0 else None,
        })
    with open(os.path.join(output, "routeget.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(f"routeget: {len(queries)} queries")


def main():
    arguments = sys.argv[1:]
    routes = arguments[:1] == ["--routes"]
    if routes:
        arguments = arguments[1:]
    if len(arguments) != 1 and not (routes and len(arguments) == 2):
        sys.exit(__doc__)
    output = arguments[0]
    # Read before anything is recorded, so that a bad file leaves the fixtures as they were.
    queries = read_queries(arguments[1]) if routes and len(arguments) == 2 else None
    os.makedirs(output, exist_ok=True)

    if routes:
        requests = [(f"{kind}-{name}", message_type, sequence, family_header(family))
                    for sequence, (kind, message_type, name, family) in enumerate([
                        ("getroute", RTM_GETROUTE, "inet", socket.AF_INET),
                        ("getroute", RTM_GETROUTE, "inet6", socket.AF_INET6),
                        ("getrule", RTM_GETRULE, "inet", socket.AF_INET),
                        ("getrule", RTM_GETRULE, "inet6", socket.AF_INET6)], start=1)]
    else:
        requests = [("getlink", RTM_GETLINK, 1, IFINFOMSG), ("getaddr", RTM_GETADDR, 2, IFADDRMSG)]

    with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE) as sock:
        sock.settimeout(5)
        sock.bind((0, 0))
        for name, message_type, sequence, header in requests:
            write_datagrams(output, name, dump(sock, message_type, sequence, header))
        if queries is not None:
            record_route_queries(sock, output, queries)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Record the kernel's raw answers to an RTM_GETLINK and an RTM_GETADDR dump.

Usage: record-netlink.py OUTPUT_DIRECTORY

Every datagram received for a dump, up to and including the one that carries NLMSG_DONE, is written
unchanged to OUTPUT_DIRECTORY/<dump>-<n>.bin (dump is "getlink" or "getaddr", n counts from 0).
The bytes are in host byte order, as the kernel sent them. Standard library only.
"""

import os
import socket
import struct
import sys

NLMSG_HEADER = struct.Struct("=IHHII")  # nlmsg_len, nlmsg_type, nlmsg_flags, nlmsg_seq, nlmsg_pid
NLMSG_ERROR = 2
NLMSG_DONE = 3
NLM_F_REQUEST = 0x1
NLM_F_DUMP_INTR = 0x10
NLM_F_DUMP = 0x300
RTM_GETLINK = 18
RTM_GETADDR = 22

# The requests' fixed headers, all zero: every family, every interface.
IFINFOMSG = bytes(16)
IFADDRMSG = bytes(8)

RECEIVE_BUFFER = 1 << 20
MAX_DATAGRAMS = 1000


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


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    output = sys.argv[1]
    os.makedirs(output, exist_ok=True)

    with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE) as sock:
        sock.settimeout(5)
        sock.bind((0, 0))
        for name, message_type, sequence, header in (("getlink", RTM_GETLINK, 1, IFINFOMSG),
                                                     ("getaddr", RTM_GETADDR, 2, IFADDRMSG)):
            datagrams = dump(sock, message_type, sequence, header)
            for stale in [f for f in os.listdir(output) if f.startswith(name + "-") and f.endswith(".bin")]:
                os.remove(os.path.join(output, stale))
            for number, datagram in enumerate(datagrams):
                with open(os.path.join(output, f"{name}-{number}.bin"), "wb") as f:
                    f.write(datagram)
            print(f"{name}: {len(datagrams)} datagrams, {sum(map(len, datagrams))} bytes")


if __name__ == "__main__":
    main()

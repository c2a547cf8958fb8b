#!/usr/bin/env python3
"""Record real kernel answers to the netlink questions picoflow asks
(--egress: RTM_GETROUTE; --nat: IPCTNL_MSG_CT_GET; --offload-flows: a
conntrack dump and a destroy event) and print them as C arrays, for
tests/unit/test_nl_route.c and test_nl_ct.c.

    nlrecord.py route NAME FAMILY DST [SRC IIF]    (run as root, in the
    nlrecord.py ct NAME ORIG|REPLY PROTO SRC DST SPORT DPORT   router's netns)
    nlrecord.py ctdump NAME         (the first datagram of an IPv4 dump)
    nlrecord.py ctdestroy NAME      (the next destroy event, e.g. of a
                                     "conntrack -D" run meanwhile)

Each call prints one "static const uint8_t NAME[] = { ... };" with the
answer's bytes, byte for byte as the kernel sent them, and a comment with
the question.  It was run once in the namespaces of tests/integration/nat.sh;
the arrays are committed, so the unit tests need no kernel.
"""
import socket
import struct
import sys

NETLINK_NETFILTER = 12
RTM_GETROUTE = 26
RTA_DST, RTA_SRC, RTA_IIF = 1, 2, 3
NLM_F_REQUEST = 1
CT_GET = (1 << 8) | 1
CTA_TUPLE_ORIG, CTA_TUPLE_REPLY = 1, 2
CTA_TUPLE_IP, CTA_TUPLE_PROTO = 1, 2
CTA_IP_V4_SRC, CTA_IP_V4_DST = 1, 2
CTA_PROTO_NUM, CTA_PROTO_SRC_PORT, CTA_PROTO_DST_PORT = 1, 2, 3
NLA_F_NESTED = 0x8000


def attr(t, payload):
    a = struct.pack("=HH", 4 + len(payload), t) + payload
    return a + b"\0" * (-len(a) % 4)


def msg(mtype, body, seq=1):
    return struct.pack("=IHHII", 16 + len(body), mtype, NLM_F_REQUEST, seq,
                       0) + body


def ask(bus, req):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, bus)
    s.bind((0, 0))
    s.send(req)
    return s.recv(65536)


def route(family, dst, src=None, iif=None):
    fam = socket.AF_INET if family == "4" else socket.AF_INET6
    alen = 4 if fam == socket.AF_INET else 16
    body = struct.pack("=BBBBBBBBI", fam, alen * 8, alen * 8 if iif else 0,
                       0, 0, 0, 0, 0, 0)
    body += attr(RTA_DST, socket.inet_pton(fam, dst))
    if iif:
        body += attr(RTA_SRC, socket.inet_pton(fam, src))
        body += attr(RTA_IIF, struct.pack("=I", socket.if_nametoindex(iif)))
    return ask(socket.NETLINK_ROUTE, msg(RTM_GETROUTE, body))


def ct(which, proto, src, dst, sport, dport):
    ip = attr(CTA_IP_V4_SRC, socket.inet_aton(src)) + \
        attr(CTA_IP_V4_DST, socket.inet_aton(dst))
    pr = attr(CTA_PROTO_NUM, struct.pack("B", int(proto))) + \
        attr(CTA_PROTO_SRC_PORT, struct.pack("!H", int(sport))) + \
        attr(CTA_PROTO_DST_PORT, struct.pack("!H", int(dport)))
    tup = attr(CTA_TUPLE_IP | NLA_F_NESTED, ip) + \
        attr(CTA_TUPLE_PROTO | NLA_F_NESTED, pr)
    t = CTA_TUPLE_ORIG if which == "ORIG" else CTA_TUPLE_REPLY
    body = struct.pack("=BBH", socket.AF_INET, 0, 0) + \
        attr(t | NLA_F_NESTED, tup)
    return ask(NETLINK_NETFILTER, msg(CT_GET, body))


def ctdump():
    body = struct.pack("=BBH", socket.AF_INET, 0, 0)
    m = struct.pack("=IHHII", 16 + len(body), CT_GET, NLM_F_REQUEST | 0x300,
                    1, 0) + body
    return ask(NETLINK_NETFILTER, m)


def ctdestroy():
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    s.bind((0, 1 << 2))     # NFNLGRP_CONNTRACK_DESTROY (3)
    return s.recv(65536)


def main():
    kind, name, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    if kind == "ctdump":
        data = ctdump()
    elif kind == "ctdestroy":
        data = ctdestroy()
    else:
        data = route(*args) if kind == "route" else ct(*args)
    print("/* %s %s: %d bytes */" % (kind, " ".join(args), len(data)))
    print("static const uint8_t %s[] = {" % name)
    for i in range(0, len(data), 12):
        print("\t" + " ".join("0x%02x," % b for b in data[i:i + 12]))
    print("};")


if __name__ == "__main__":
    main()

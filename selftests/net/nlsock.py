#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""nlsock: jvpn requests about one UDP socket this process keeps open.

    nlsock.py (--fd N | --bind ADDR:PORT [--dual-stack]) [--no-mc-loop]
              STEP...

For selftests/net/kernel.sh: what the kernel does to a socket is seen from
the socket's owner, before and after each request. The socket is the
inherited fd N, or a new one bound to ADDR:PORT (an IPv6 one IPV6_V6ONLY
unless --dual-stack); --no-mc-loop clears IP_MULTICAST_LOOP first. Steps:

    new=DEV,ID,REMOTE[,PREFIX]       SESSION_NEW with the socket
    switch=DEV,ID,EXPECT,VERSION,REMOTE
    del=DEV,ID
    get-socket=DEV,ID                prints the fd received and its address
    mc-loop                          prints "mc_loop N"
    flood=DST,ID,COUNT,LEN           COUNT data packets of LEN bytes to DST
                                     for session ID, junk tags, rising
                                     counters, from the socket

REMOTE and DST are 10.1.0.2:51821 or [fd01::2]:51821. A request prints
"accepted STEP" or "refused STEP: ERRNO: extack". Exit 0, or 2 on usage.
"""

import os
import socket
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "tools", "nlgen"))
import nlreq  # noqa: E402

KEY = bytes(range(32))
EP_ADDR4, EP_ADDR6, EP_PORT = 1, 2, 3
AIP_FAMILY, AIP_ADDR, AIP_PREFIX_LEN = 1, 2, 3
JVPN_MSG_DATA, JVPN_PROTO_VERSION, JVPN_TAG_LEN = 0x10, 1, 16


def endpoint(text):
    host, _, port = text.rpartition(":")
    if host.startswith("["):
        return socket.AF_INET6, host[1:-1], int(port)
    return socket.AF_INET, host, int(port)


class Client:
    def __init__(self, sock):
        self.sock = sock
        self.family = nlreq.Family(nlreq.SPEC)
        self.link = nlreq.Link()

    def attr(self, name, value):
        atype, kind = self.family.attrs[name]
        if kind == "binary":
            return nlreq.nla(atype, value)
        if kind == "nest":
            return nlreq.nla(atype | 0x8000, b"".join(value))
        if name == "ifindex":
            value = socket.if_nametoindex(value)
        return nlreq.nla(atype, struct.pack(nlreq.PACK[kind], int(value)))

    def remote(self, text):
        fam, host, port = endpoint(text)
        addr = nlreq.nla(EP_ADDR4 if fam == socket.AF_INET else EP_ADDR6,
                         socket.inet_pton(fam, host))
        return self.attr("remote", [addr, nlreq.nla(EP_PORT,
                                                    struct.pack("=H", port))])

    def prefix(self, text):
        addr, _, plen = text.partition("/")
        fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
        one = [nlreq.nla(AIP_FAMILY, struct.pack("=H", fam)),
               nlreq.nla(AIP_ADDR, socket.inet_pton(fam, addr)),
               nlreq.nla(AIP_PREFIX_LEN, struct.pack("=B", int(plen)))]
        return self.attr("allowed-ips", [self.attr("allowed-ip", one)])

    def request(self, op, attrs):
        """(errno, extack text, reply attributes)."""
        fid = self.link.family_id(self.family.name)
        req = self.link.send(fid, nlreq.NLM_F_REQUEST | nlreq.NLM_F_ACK,
                             self.family.cmds[op], self.family.version, attrs)
        got = {}
        for mtype, flags, payload in self.link.replies():
            if mtype == nlreq.NLMSG_ERROR:
                err = -struct.unpack_from("=i", payload)[0]
                tlvs = payload[4 + nlreq.NLMSG_HDRLEN:]
                return err, nlreq.describe(self.family, req, flags, tlvs), got
            for atype, value in nlreq.attributes(payload[nlreq.GENL_HDRLEN:]):
                got[atype] = value
        return 0, "", got

    def report(self, step, err, text):
        if not err:
            print("accepted %s" % step, flush=True)
            return
        name = nlreq.ERRNO_NAMES.get(err, "errno %d" % err)
        print("refused %s: %s: %s" % (step, name, text), flush=True)

    def common(self, dev, sid):
        return [self.attr("ifindex", dev), self.attr("session-id", sid)]

    def new(self, dev, sid, remote, prefix=None):
        attrs = self.common(dev, sid) + [
            self.attr("socket-fd", self.sock.fileno()), self.remote(remote),
            self.attr("tx-key", KEY), self.attr("rx-key", KEY)]
        if prefix:
            attrs.append(self.prefix(prefix))
        return self.request("session-new", attrs)

    def switch(self, dev, sid, expect, version, remote):
        attrs = self.common(dev, sid) + [
            self.attr("socket-fd", self.sock.fileno()), self.remote(remote),
            self.attr("expected-version", expect),
            self.attr("state-version", version)]
        return self.request("session-switch", attrs)

    def delete(self, dev, sid):
        return self.request("session-del", self.common(dev, sid))

    def get_socket(self, dev, sid):
        err, text, got = self.request("session-get-socket",
                                      self.common(dev, sid))
        atype = self.family.attrs["socket-fd"][0]
        if not err and atype in got:
            fd = struct.unpack("=i", got[atype])[0]
            s = socket.socket(fileno=fd)
            print("fd %d local %s" % (fd, s.getsockname()[:2]), flush=True)
            s.detach()
        return err, text, got


def mc_loop(sock):
    if sock.family == socket.AF_INET6:
        return sock.getsockopt(socket.IPPROTO_IPV6,
                               socket.IPV6_MULTICAST_LOOP)
    return sock.getsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP)


def flood(sock, dst, sid, count, length):
    fam, host, port = endpoint(dst)
    junk = os.urandom(max(int(length) - 20, JVPN_TAG_LEN))
    for n in range(int(count)):
        hdr = struct.pack(">BBBBQQ", JVPN_MSG_DATA, JVPN_PROTO_VERSION, 0, 0,
                          int(sid), n + 1)
        sock.sendto(hdr + junk, (host, port))
    print("flooded %s" % count, flush=True)


def open_socket(args):
    if args[0] == "--fd":
        return socket.socket(fileno=int(args[1])), args[2:]
    fam, host, port = endpoint(args[1])
    sock = socket.socket(fam, socket.SOCK_DGRAM)
    rest = args[2:]
    if fam == socket.AF_INET6:
        dual = rest[:1] == ["--dual-stack"]
        rest = rest[1:] if dual else rest
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, int(not dual))
    sock.bind((host, port))
    return sock, rest


def main(args):
    if len(args) < 3 or args[0] not in ("--fd", "--bind"):
        sys.stderr.write(__doc__)
        return 2
    sock, steps = open_socket(args)
    if steps[:1] == ["--no-mc-loop"]:
        steps = steps[1:]
        if sock.family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP, 0)
        else:
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
    client = Client(sock)
    ops = {"new": client.new, "switch": client.switch, "del": client.delete,
           "get-socket": client.get_socket}
    for step in steps:
        name, _, rest = step.partition("=")
        params = rest.split(",") if rest else []
        if name == "mc-loop":
            print("mc_loop %d" % mc_loop(sock), flush=True)
        elif name == "flood":
            flood(sock, *params)
        elif name in ops:
            err, text, _ = ops[name](*params)
            client.report(name, err, text)
        else:
            sys.stderr.write("nlsock: no step '%s'\n" % name)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

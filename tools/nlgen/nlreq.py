#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""nlreq: send one request of the jvpn family, built from its spec.

    nlreq.py [--spec FILE] [--show ATTR] [--dump] OP [ATTR[=VALUE]]...
    nlreq.py [--spec FILE] [--show ATTR] -   one request a line, as
                                             [--dump] OP ...

For tests (selftests/net/netlink.sh): any attribute of the spec's top
set in any command, so that the kernel's policies can be tried with
requests no real client would build. OP and ATTR are spec names
(session-del, expected-version). VALUE is a number for an integer
attribute (an interface name for ifindex), hex bytes for a binary one,
nothing for a flag; nests are not supported.

--show ATTR prints, before that line, "ATTR VALUE" for each reply that
carries the top-level attribute ATTR (hex bytes, or a number), so that a
test reads what the kernel returns without trusting the daemon's tools.
Prints "accepted OP", or "refused OP: ERRNO: MESSAGE; at ATTR; missing
ATTR" from the extended ack, naming attributes as the uapi does; a line
per request. Exit status as jvpnk raw: 0 refused (every one), 1 accepted
(any), 4 not sent (any), 2 usage.
"""

import errno
import os
import socket
import struct
import sys

import yaml

SPEC = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                    "..", "..", "docs", "netlink", "jvpn.yaml")
EXIT_REFUSED, EXIT_ACCEPTED, EXIT_USAGE, EXIT_NOT_SENT = 0, 1, 2, 4

NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_CAP_ACK, NETLINK_EXT_ACK = 10, 11
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 0x1, 0x4, 0x300
NLM_F_ACK_TLVS = 0x200
NLMSG_ERROR, NLMSG_DONE = 2, 3
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 0x10, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2
NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS = 1, 2
NLMSGERR_ATTR_MISS_TYPE = 5
NLMSG_HDRLEN, GENL_HDRLEN = 16, 4

# errno's names as C's strerrorname_np() gives them (Python picks aliases)
ERRNO_NAMES = dict(errno.errorcode)
ERRNO_NAMES.update({errno.EOPNOTSUPP: "EOPNOTSUPP", errno.EAGAIN: "EAGAIN",
                    errno.EDEADLK: "EDEADLK"})

PACK = {"u8": "=B", "u16": "=H", "u32": "=I", "u64": "=Q",
        "s8": "=b", "s16": "=h", "s32": "=i", "s64": "=q"}


class Usage(Exception):
    pass


def upper(name):
    return name.upper().replace("-", "_")


class Family:
    """The spec's commands and its top attribute set."""

    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            d = yaml.safe_load(f)
        self.name = d["name"]
        self.version = d["version"]
        top = [s for s in d["attribute-sets"] if s["name"] == self.name][0]
        self.prefix = upper(top["name-prefix"])
        self.attrs, value = {}, 1
        for a in top["attributes"]:
            value = a.get("value", value)
            self.attrs[a["name"]] = (value, a["type"])
            value += 1
        self.cmds, value = {}, 1
        for op in d["operations"]["list"]:
            value = op.get("value", value)
            self.cmds[op["name"]] = value
            value += 1

    def attr_name(self, value):
        for name, (v, _) in self.attrs.items():
            if v == value:
                return self.prefix + upper(name)
        return "attribute %d" % value


def nla(atype, payload):
    head = struct.pack("=HH", 4 + len(payload), atype)
    return head + payload + b"\0" * (-len(payload) % 4)


def encode(family, arg):
    """One ATTR[=VALUE] argument: (type, payload)."""
    name, _, text = arg.partition("=")
    if name not in family.attrs:
        raise Usage("no attribute '%s' in the spec" % name)
    atype, kind = family.attrs[name]
    if kind == "flag":
        return atype, b""
    if kind == "binary":
        return atype, bytes.fromhex(text)
    if kind in PACK:
        if name == "ifindex" and not text.lstrip("-").isdigit():
            return atype, struct.pack("=I", socket.if_nametoindex(text))
        return atype, struct.pack(PACK[kind], int(text, 0))
    raise Usage("attribute '%s' is a %s: not supported" % (name, kind))


def message(mtype, flags, seq, cmd, version, attrs):
    body = struct.pack("=BBH", cmd, version, 0) + b"".join(attrs)
    return struct.pack("=IHHII", NLMSG_HDRLEN + len(body), mtype, flags,
                       seq, 0) + body


def messages(data):
    while len(data) >= NLMSG_HDRLEN:
        length, mtype, flags, seq, _ = struct.unpack_from("=IHHII", data)
        yield mtype, flags, seq, data[NLMSG_HDRLEN:length]
        data = data[(length + 3) & ~3:]


def attributes(data):
    while len(data) >= 4:
        length, atype = struct.unpack_from("=HH", data)
        if length < 4:
            return
        yield atype & 0x3fff, data[4:length]
        data = data[(length + 3) & ~3:]


class Link:
    def __init__(self):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                  NETLINK_GENERIC)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sock.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.sock.bind((0, 0))
        self.seq = 0
        self.ids = {}

    def send(self, mtype, flags, cmd, version, attrs):
        self.seq += 1
        req = message(mtype, flags, self.seq, cmd, version, attrs)
        self.sock.send(req)
        return req

    def replies(self):
        """(type, flags, payload) of our sequence until the last one."""
        while True:
            for mtype, flags, seq, payload in messages(
                    self.sock.recv(65536)):
                if seq != self.seq:
                    continue
                yield mtype, flags, payload
                if mtype in (NLMSG_ERROR, NLMSG_DONE):
                    return

    def family_id(self, name):
        if name not in self.ids:
            self.ids[name] = self.resolve(name)
        return self.ids[name]

    def resolve(self, name):
        self.send(GENL_ID_CTRL, NLM_F_REQUEST, CTRL_CMD_GETFAMILY, 1,
                  [nla(CTRL_ATTR_FAMILY_NAME, name.encode() + b"\0")])
        for mtype, _, payload in self.replies():
            if mtype == NLMSG_ERROR:
                err = -struct.unpack_from("=i", payload)[0]
                if err:
                    raise OSError(err, "family %s: %s"
                                  % (name, os.strerror(err)))
                continue
            for atype, value in attributes(payload[GENL_HDRLEN:]):
                if atype == CTRL_ATTR_FAMILY_ID:
                    return struct.unpack("=H", value)[0]
        raise OSError(errno.ENOENT, "family %s: no id in the reply" % name)


def attr_at(family, req, offset):
    """The top-level attribute of req that starts at offset."""
    pos = NLMSG_HDRLEN + GENL_HDRLEN
    for atype, value in attributes(req[pos:]):
        if pos == offset:
            return family.attr_name(atype)
        pos += (4 + len(value) + 3) & ~3
    return "byte %d" % offset


def describe(family, req, flags, tlvs):
    """The extended ack as one line, naming attributes."""
    parts = []
    if not flags & NLM_F_ACK_TLVS:
        return ""
    for atype, value in attributes(tlvs):
        if atype == NLMSGERR_ATTR_MSG:
            parts.insert(0, value.rstrip(b"\0").decode())
        elif atype == NLMSGERR_ATTR_OFFS:
            offset = struct.unpack("=I", value)[0]
            parts.append("at " + attr_at(family, req, offset))
        elif atype == NLMSGERR_ATTR_MISS_TYPE:
            missing = struct.unpack("=I", value)[0]
            parts.append("missing " + family.attr_name(missing))
    return "; ".join(parts)


def show_attr(family, name, payload):
    """The VALUE text of each top-level attribute name in one reply."""
    atype, kind = family.attrs[name]
    for t, value in attributes(payload[GENL_HDRLEN:]):
        if t != atype:
            continue
        if kind in PACK and struct.calcsize(PACK[kind]) == len(value):
            yield str(struct.unpack(PACK[kind], value)[0])
        else:
            yield value.hex()


def outcome(family, link, req, show=None):
    """(errno, extack text) of the request just sent."""
    for mtype, flags, payload in link.replies():
        if show and mtype not in (NLMSG_ERROR, NLMSG_DONE):
            for text in show_attr(family, show, payload):
                print("%s %s" % (show, text), flush=True)
        if mtype == NLMSG_ERROR:
            err = -struct.unpack_from("=i", payload)[0]
            # with NETLINK_CAP_ACK: the error, our header, then the TLVs
            tlvs = payload[4 + NLMSG_HDRLEN:]
            return err, describe(family, req, flags, tlvs)
        if mtype == NLMSG_DONE:
            err = -struct.unpack_from("=i", payload)[0]
            return err, describe(family, req, flags, payload[4:])
    return 0, ""


def parse_request(family, words):
    """[--dump] OP ATTR...: (dump, OP, attributes)."""
    dump = bool(words) and words[0] == "--dump"
    words = words[1:] if dump else words
    if not words:
        raise Usage("no command")
    if words[0] not in family.cmds:
        raise Usage("no command '%s' in the spec" % words[0])
    return dump, words[0], [nla(*encode(family, a)) for a in words[1:]]


def run(family, link, dump, op, attrs, show=None):
    """Sends one request: (exit status, the line that says how it went)."""
    try:
        fid = link.family_id(family.name)
        flags = NLM_F_REQUEST | NLM_F_ACK | (NLM_F_DUMP if dump else 0)
        req = link.send(fid, flags, family.cmds[op], family.version, attrs)
        err, text = outcome(family, link, req, show)
    except OSError as e:
        return EXIT_NOT_SENT, "not sent %s: %s" % (op, e)
    if not err:
        return EXIT_ACCEPTED, "accepted %s" % op
    name = ERRNO_NAMES.get(err, "errno %d" % err)
    return EXIT_REFUSED, "refused %s: %s%s" % (op, name,
                                               ": " + text if text else "")


def requests(family, args):
    """The requests of the command line, or of stdin for "-"."""
    if args != ["-"]:
        return [parse_request(family, args)]
    return [parse_request(family, line.split())
            for line in sys.stdin if line.strip()]


def main(argv):
    args, spec, show = argv[1:], SPEC, None
    if args[:1] == ["--spec"] and len(args) > 1:
        spec, args = args[1], args[2:]
    if args[:1] == ["--show"] and len(args) > 1:
        show, args = args[1], args[2:]
    try:
        family = Family(spec)
        if show is not None and show not in family.attrs:
            raise Usage("no attribute '%s' in the spec" % show)
        todo = requests(family, args)
    except (Usage, ValueError, OSError) as e:
        sys.stderr.write("nlreq: %s\n" % e)
        sys.stderr.write("usage: nlreq.py [--spec FILE] [--show ATTR] "
                         "{[--dump] OP [ATTR[=VALUE]]... | -}\n")
        return EXIT_USAGE
    worst = EXIT_REFUSED
    try:
        link = Link()
    except OSError as e:
        sys.stderr.write("nlreq: a generic netlink socket: %s\n" % e)
        return EXIT_NOT_SENT
    for dump, op, attrs in todo:
        status, line = run(family, link, dump, op, attrs, show)
        print(line, flush=True)
        worst = max(worst, status)
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
# Host-side check of dist/wireshark/jvpn.lua against uapi/jvpn/messages.h,
# the one home of the wire format: every type of enum jvpn_msg_type is
# decoded under its name at the length messages.h gives it (compiled from
# the header's own macros), without an expert warning, both on the default
# port and through the heuristic on another port; a message one byte short
# is flagged malformed. tools/dist-check.sh runs it; tshark's -T fields
# output is what is compared. Exit 0 when all hold; prints each failure.
import os, re, struct, subprocess, sys, tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LUA = os.path.join(REPO, "dist/wireshark/jvpn.lua")
HDR = os.path.join(REPO, "uapi/jvpn/messages.h")

# The exact length of each message, as an expression of messages.h's
# macros; DATA is variable: its header and tag plus a 40-byte ciphertext.
LENGTH_EXPR = {
    "HANDSHAKE_INIT": "JVPN_HS_INIT_LEN",
    "HANDSHAKE_RESP": "JVPN_HS_RESP_LEN",
    "HANDSHAKE_REJECT": "JVPN_HS_REJECT_LEN",
    "REATTACH_REQUEST": "JVPN_CP_MSG_LEN(JVPN_REATTACH_REQUEST_BODY)",
    "REATTACH_CHALLENGE": "JVPN_CP_MSG_LEN(JVPN_REATTACH_CHALLENGE_BODY)",
    "REATTACH_RESPONSE": "JVPN_CP_MSG_LEN(JVPN_REATTACH_CHALLENGE_BODY)",
    "REATTACH_ACK": "JVPN_CP_MSG_LEN(JVPN_REATTACH_ACK_BODY)",
    "REATTACH_REJECT": "JVPN_CP_MSG_LEN(JVPN_REATTACH_REJECT_BODY)",
    "PATH_CHALLENGE": "JVPN_CP_MSG_LEN(JVPN_PATH_BODY)",
    "PATH_RESPONSE": "JVPN_CP_MSG_LEN(JVPN_PATH_BODY)",
    "PROBE": "JVPN_CP_MSG_LEN(JVPN_PROBE_BODY)",
    "PROBE_ACK": "JVPN_CP_MSG_LEN(JVPN_PROBE_BODY)",
    "REKEY": "JVPN_REKEY_LEN",
    "REKEY_ACK": "JVPN_REKEY_LEN",
    "DATA": "JVPN_DATA_OVERHEAD + 40",
    "DATA_MIN": "JVPN_DATA_OVERHEAD",
}


def msg_types():
    text = open(HDR).read()
    body = re.search(r"enum jvpn_msg_type \{(.*?)\};", text, re.S).group(1)
    return {m.group(1): int(m.group(2), 0)
            for m in re.finditer(r"JVPN_MSG_(\w+)\s*=\s*(0x[0-9a-fA-F]+|\d+)", body)}


def lengths(names):
    known = [n for n in names if n in LENGTH_EXPR]
    with tempfile.TemporaryDirectory() as d:
        src, exe = os.path.join(d, "len.c"), os.path.join(d, "len")
        with open(src, "w") as f:
            f.write("#include <stdio.h>\n#include <jvpn/messages.h>\nint main(void){\n")
            for n in known:
                f.write('printf("%%s %%u\\n", "%s", (unsigned)(%s));\n' % (n, LENGTH_EXPR[n]))
            f.write("return 0;}\n")
        subprocess.run(["cc", "-I" + os.path.join(REPO, "uapi"), "-o", exe, src], check=True)
        out = subprocess.run([exe], check=True, capture_output=True, text=True).stdout
    return {n: int(v) for n, v in (l.split() for l in out.splitlines())}


def short_len(name, lens):
    # a variable message's shortest is its header and tag: one byte less
    return lens["DATA_MIN"] - 1 if name == "DATA" else lens[name] - 1


def udp_frame(payload, sport, dport):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                     bytes([10, 1, 0, 2]), bytes([10, 0, 0, 1]))
    return b"\x00" * 12 + b"\x08\x00" + ip + udp


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1000 + i, 0, len(fr), len(fr)) + fr)


def payload(code, length):
    # distinct, nonzero bytes, type first; DATA needs version 1
    p = bytearray((i * 7 + 3) & 0xFF or 1 for i in range(length))
    p[0] = code
    if length > 1:
        p[1] = 1
    return bytes(p)


def tshark(pcap):
    out = subprocess.run(
        ["tshark", "-n", "-r", pcap, "-X", "lua_script:" + LUA, "-o", "jvpn.udp_port:51820",
         "-T", "fields", "-E", "separator=|", "-e", "frame.number", "-e", "_ws.col.Info",
         "-e", "_ws.expert.message", "-e", "jvpn.session_id"],
        capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("tshark failed: " + out.stderr)
    return [l.split("|") for l in out.stdout.splitlines()]


def main():
    types = msg_types()
    lens = lengths(list(types) + ["DATA_MIN"])
    cases, frames, fails = [], [], []
    for name, code in sorted(types.items(), key=lambda kv: kv[1]):
        if name not in lens:
            # no length known here: at least the dissector must name it
            cases.append((name, "named", None))
            frames.append(udp_frame(bytes([code]), 40000, 51820))
            continue
        p = payload(code, lens[name])
        cases += [(name, "port", p), (name, "heuristic", p), (name, "short", p)]
        frames += [udp_frame(p, 40000, 51820), udp_frame(p, 40000, 40001),
                   udp_frame(p[:short_len(name, lens)], 40000, 51820)]
    with tempfile.TemporaryDirectory() as d:
        pcap = os.path.join(d, "all.pcap")
        write_pcap(pcap, frames)
        rows = tshark(pcap)
    if len(rows) != len(cases):
        sys.exit("tshark printed %d rows for %d frames" % (len(rows), len(cases)))
    for (name, how, p), (_, info, experts, sid) in zip(cases, rows):
        ok = True
        if how in ("port", "heuristic"):
            ok = info.startswith(name) and "bad length" not in info and not experts
            if ok and name not in ("HANDSHAKE_INIT", "HANDSHAKE_REJECT"):
                ok = sid == "0x" + p[4:12].hex()
        elif how == "short":
            ok = info == name + " (bad length)" and "bytes, this one" in experts
        else:
            ok = info.startswith(name)
        print("%s %s %s: info=%r experts=%r session=%r" % (
            "ok" if ok else "FAIL", name, how, info, experts, sid))
        if not ok:
            fails.append(name + " " + how)
    print("%d cases, %d failed" % (len(cases), len(fails)))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())

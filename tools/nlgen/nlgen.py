#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""nlgen: C from the YNL-style spec of a generic-netlink family.

    nlgen.py SPEC uapi            the uapi header: defines and enums
    nlgen.py SPEC kernel-header   kernel/netlink-gen.h
    nlgen.py SPEC kernel-source   kernel/netlink-gen.c: per-command
                                  policies and the genl_ops table

The output goes to stdout. tools/nlgen/regen.sh writes every file,
tools/nlgen/check.sh fails when a checked-in one differs from what the
spec generates. A spec error exits 1 with a message naming what is wrong.
Targets Linux 6.1: struct genl_ops carries one policy per command, shared
by its do and its dump, and the family has one pre_doit/post_doit pair.
"""

import os
import sys
import textwrap

import yaml

TOOL = "tools/nlgen/nlgen.py"
REGEN = "tools/nlgen/regen.sh"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
WIDTH = 80
COMMENT_COL = 40    # trailing comments of enum entries and defines
DEFINE_COL = 32     # values of #defines

INT_TYPES = {"u8": "NLA_U8", "u16": "NLA_U16", "u32": "NLA_U32",
             "u64": "NLA_U64", "s8": "NLA_S8", "s16": "NLA_S16",
             "s32": "NLA_S32", "s64": "NLA_S64"}
S16_MIN, S16_MAX = -32768, 32767
OP_FLAGS = {"admin-perm": "GENL_ADMIN_PERM",
            "uns-admin-perm": "GENL_UNS_ADMIN_PERM"}


class SpecError(Exception):
    pass


def upper(name):
    return name.upper().replace("-", "_")


def lower(name):
    return name.lower().replace("-", "_")


# ---- the spec, indexed ----

class Const:
    def __init__(self, family, d):
        self.name = d["name"]
        self.c_name = upper(family + "-" + self.name)
        self.value = d["value"]
        self.header = d.get("header")
        self.doc = d.get("doc")


class Enum:
    def __init__(self, family, d):
        self.name = d["name"]
        self.c_enum = d.get("enum-name", lower(family + "-" + self.name))
        prefix = d.get("name-prefix", family + "-" + self.name + "-")
        self.doc = d.get("doc")
        self.entries = []       # (C name, value, doc)
        value = d.get("value-start", 0)
        for e in d["entries"]:
            if isinstance(e, str):
                e = {"name": e}
            value = e.get("value", value)
            self.entries.append((upper(prefix + e["name"]), value,
                                 e.get("doc")))
            value += 1
        if not d.get("render-max"):
            raise SpecError("enum %s: render-max is required (the policies "
                            "bound it by its MAX)" % self.name)
        self.max_name = upper(prefix + "max")
        self.max_value = max(v for _, v, _ in self.entries)


class Attr:
    def __init__(self, aset, d, value):
        self.set = aset
        self.name = d["name"]
        self.type = d["type"]
        self.value = d.get("value", value)
        self.short = upper(self.name)
        self.c_name = aset.prefix + self.short
        self.checks = d.get("checks", {})
        self.enum = d.get("enum")
        self.nested = d.get("nested-attributes")
        self.doc = d.get("doc")


class AttrSet:
    def __init__(self, d):
        self.name = d["name"]
        self.doc = d.get("doc")
        self.subset_of = d.get("subset-of")
        self.raw = d
        self.attrs = []
        if self.subset_of:
            return
        self.prefix = upper(d["name-prefix"])
        self.c_enum = d["enum-name"]
        value = 1
        for a in d["attributes"]:
            attr = Attr(self, a, value)
            self.attrs.append(attr)
            value = attr.value + 1

    def attr(self, name, where):
        for a in self.attrs:
            if a.name == name:
                return a
        raise SpecError("%s: no attribute '%s' in set %s"
                        % (where, name, self.name))

    @property
    def max_c_name(self):
        return self.prefix + "MAX"

    @property
    def policy_size(self):
        if self.subset_of:
            return max(self.attrs, key=lambda a: a.value).c_name + " + 1"
        return self.max_c_name + " + 1"


class Op:
    def __init__(self, spec, d, value):
        self.name = d["name"]
        self.value = d.get("value", value)
        self.c_name = spec.op_prefix + upper(self.name)
        self.doc = d.get("doc")
        self.mcgrp = d.get("mcgrp")
        self.flags = d.get("flags", [])
        self.do = d.get("do")
        self.dump = d.get("dump")
        self.set = None
        if self.do or self.dump:
            self.set = spec.set(d.get("attribute-set"),
                                "operation " + self.name)
        for f in self.flags:
            if f not in OP_FLAGS:
                raise SpecError("operation %s: unknown flag '%s'"
                                % (self.name, f))

    def request(self, kind):
        part = getattr(self, kind)
        if not part:
            return []
        names = part.get("request", {}).get("attributes", [])
        where = "operation %s %s request" % (self.name, kind)
        return [self.set.attr(n, where) for n in names]

    def accepted(self):
        """6.1: one policy serves the do and the dump of a command."""
        seen = {a.name: a for a in self.request("do") + self.request("dump")}
        return sorted(seen.values(), key=lambda a: a.value)

    def dump_differs(self):
        return bool(self.dump) and \
            [a.name for a in self.request("dump")] != \
            [a.name for a in self.accepted()]


class Spec:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            d = yaml.safe_load(f)
        self.path = os.path.relpath(os.path.abspath(path), REPO)
        self.family = d["name"]
        self.doc = d.get("doc")
        self.version = d["version"]
        self.c_family_name = upper(d["c-family-name"])
        self.c_version_name = upper(d["c-version-name"])
        self.uapi_header = d["uapi-header"]
        kf = d.get("kernel-family", {})
        self.internal_flags = [(f["name"], f.get("doc"))
                               for f in kf.get("internal-flags", [])]
        self.consts, self.enums = [], []
        for x in d.get("definitions", []):
            if x["type"] == "const":
                self.consts.append(Const(self.family, x))
            elif x["type"] == "enum":
                self.enums.append(Enum(self.family, x))
            else:
                raise SpecError("definition %s: type %s is not supported"
                                % (x["name"], x["type"]))
        self.sets = [AttrSet(s) for s in d["attribute-sets"]]
        for s in self.sets:
            if s.subset_of:
                parent = self.set(s.subset_of, "set " + s.name)
                s.prefix, s.c_enum = parent.prefix, None
                s.attrs = [parent.attr(a["name"], "set " + s.name)
                           for a in s.raw["attributes"]]
        ops = d["operations"]
        self.op_prefix = upper(ops["name-prefix"])
        self.op_enum = ops["enum-name"]
        self.ops, value = [], 1
        for o in ops["list"]:
            op = Op(self, o, value)
            self.ops.append(op)
            value = op.value + 1
        self.mcgrps = [(g["name"], upper(g.get("c-define-name",
                                               self.family + "-mcgrp-" +
                                               g["name"])))
                       for g in d.get("mcast-groups", {}).get("list", [])]
        self.check()

    def set(self, name, where):
        for s in self.sets:
            if s.name == name:
                return s
        raise SpecError("%s: no attribute set '%s'" % (where, name))

    def enum(self, name, where):
        for e in self.enums:
            if e.name == name:
                return e
        raise SpecError("%s: no enum '%s'" % (where, name))

    def const(self, name, where):
        for c in self.consts:
            if c.name == name:
                return c
        raise SpecError("%s: no const '%s'" % (where, name))

    def check(self):
        for s in self.sets:
            for a in s.attrs:
                where = "attribute %s of set %s" % (a.name, s.name)
                if a.enum:
                    self.enum(a.enum, where)
                if a.nested:
                    self.set(a.nested, where)
                for v in a.checks.values():
                    if isinstance(v, str):
                        self.const(v, where)
        flags = [f for f, _ in self.internal_flags]
        for op in self.ops:
            op.accepted()       # every request attribute exists
            for f in (op.do or {}).get("internal-flags", []):
                if f not in flags:
                    raise SpecError("operation %s: internal flag '%s' is "
                                    "not in kernel-family" % (op.name, f))
            if op.mcgrp and op.mcgrp not in [g for g, _ in self.mcgrps]:
                raise SpecError("operation %s: no mcast group '%s'"
                                % (op.name, op.mcgrp))

    def top(self):
        return [s for s in self.sets if s.name == self.family][0]

    def requested(self):
        """Names of the top-level attributes some command accepts."""
        return {a.name for op in self.ops for a in op.accepted()}

    def value_of(self, v, where):
        """A check's value: (C text, number)."""
        if isinstance(v, int):
            return str(v), v
        c = self.const(v, where)
        return c.c_name, c.value


# ---- C text ----

def col_of(text):
    """The column a line ends at, tabs being 8 wide."""
    col = 0
    for ch in text:
        col = (col // 8 + 1) * 8 if ch == "\t" else col + 1
    return col


def pad(text, col):
    """Tabs after text up to col, at least one."""
    text += "\t"
    while col_of(text) < col:
        text += "\t"
    return text


def block_comment(doc, indent=""):
    """A kernel-style block comment; paragraphs and "- " items kept."""
    lead = indent + " * "
    width = WIDTH - col_of(lead)
    out = [indent + "/*"]
    for n, para in enumerate(doc.strip().split("\n\n")):
        if n:
            out.append(indent + " *")
        items, cur = [], None
        for line in para.splitlines():
            line = line.strip()
            if line.startswith("- ") or cur is None:
                cur = [line]
                items.append(cur)
            else:
                cur.append(line)
        for item in items:
            text = " ".join(item)
            hang = "  " if text.startswith("- ") else ""
            for line in textwrap.wrap(text, width,
                                      subsequent_indent=hang,
                                      break_on_hyphens=False):
                out.append(lead + line)
    out.append(indent + " */")
    return out


def commented(code, doc, indent="\t"):
    """code with doc as a trailing comment, or a block comment above."""
    if not doc:
        return [code]
    one = " ".join(doc.split())
    line = pad(code, COMMENT_COL) + "/* " + one + " */"
    if col_of(line) <= WIDTH and "\n" not in doc.strip():
        return [line]
    above = indent + "/* " + one + " */"
    if col_of(above) <= WIDTH and "\n" not in doc.strip():
        return [above, code]
    return block_comment(doc, indent) + [code]


def enum_lines(c_enum, doc, entries, max_base):
    """entries: (C name, value, doc) or a str, a group comment."""
    out = []
    if doc:
        one = "/* " + " ".join(doc.split()) + " */"
        out += [one] if len(one) <= WIDTH and "\n" not in doc.strip() \
            else block_comment(doc)
    out.append("enum %s {" % c_enum)
    expect = 0
    for e in entries:
        if isinstance(e, str):
            out += ["", "\t/* %s */" % e]
            continue
        name, value, edoc = e
        code = "\t%s%s," % (name, "" if value == expect else " = %d" % value)
        out += commented(code, edoc)
        expect = value + 1
    out += ["", "\t__%s," % max_base,
            "\t%s = __%s - 1" % (max_base, max_base), "};", ""]
    return out


def notice(spec, kind):
    return ["/* Generated by: %s %s %s */" % (TOOL, spec.path, kind),
            "/* Do not edit: change the spec, then run %s. */" % REGEN]


# ---- uapi ----

def uniform_type(s):
    """The one scalar type of every attribute of s, or None."""
    types = {a.type for a in s.attrs if a.type != "pad"}
    if len(types) == 1 and types <= set(INT_TYPES):
        return types.pop()
    return None


def set_doc(s):
    t = uniform_type(s)
    if not t:
        return s.doc
    return ((s.doc or "").strip() + " Every attribute is a %s." % t).strip()


def attr_comment(spec, a):
    """What the uapi says of an attribute: its type, then its doc."""
    if a.type == "pad":
        return None
    if uniform_type(a.set):
        return a.doc
    words = [a.type]
    if a.enum:
        words.append("enum " + spec.enum(a.enum, a.name).c_enum)
    if a.type == "binary" and "exact-len" in a.checks:
        v = a.checks["exact-len"]
        words.append(spec.const(v, a.name).c_name if isinstance(v, str)
                     else "%d bytes" % v)
    if a.type == "nest":
        nested = spec.set(a.nested, a.name)
        if nested.subset_of:
            words = ["nest of " + ", ".join(x.c_name for x in nested.attrs)]
        else:
            words.append("enum " + nested.c_enum)
    text = ", ".join(words)
    return text + ", " + a.doc.strip() if a.doc else text


def uapi(spec):
    guard = "_UAPI_" + upper(spec.uapi_header.replace("/", "_")
                             .replace(".", "_"))
    out = ["/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) "
           "OR MIT */"] + notice(spec, "uapi")
    if spec.doc:
        out += block_comment(spec.doc)
    out += ["#ifndef " + guard, "#define " + guard, ""]
    out.append(pad("#define " + spec.c_family_name, DEFINE_COL) +
               '"%s"' % spec.family)
    out.append(pad("#define " + spec.c_version_name, DEFINE_COL) +
               str(spec.version))
    for name, c_name in spec.mcgrps:
        out.append(pad("#define " + c_name, DEFINE_COL) + '"%s"' % name)
    out.append("")
    for c in spec.consts:
        if c.header:
            continue    # the kernel defines it (kernel/<header>)
        out += commented(pad("#define " + c.c_name, DEFINE_COL) +
                         str(c.value), c.doc, "")
    out.append("")
    entries, group = [(spec.op_prefix + "UNSPEC", 0, None)], None
    for op in spec.ops:
        if op.mcgrp != group:
            group = op.mcgrp
            define = dict(spec.mcgrps).get(group)
            entries.append("multicast notifications on " + define)
        entries.append((op.c_name, op.value, op.doc))
    out += enum_lines(spec.op_enum, None, entries, spec.op_prefix + "MAX")
    for s in spec.sets:
        if s.subset_of:
            continue
        entries = [(s.prefix + "UNSPEC", 0, None)]
        entries += [(a.c_name, a.value, attr_comment(spec, a))
                    for a in s.attrs]
        out += enum_lines(s.c_enum, set_doc(s), entries, s.max_c_name)
    for e in spec.enums:
        out += enum_lines(e.c_enum, e.doc, e.entries, e.max_name)
    out.append("#endif /* %s */" % guard)
    return out


# ---- kernel policies ----

def range_name(a):
    return lower(a.c_name) + "_range"


def int_policy(spec, a, where):
    """NLA_POLICY_* of an integer attribute; a range struct if needed."""
    nla = INT_TYPES[a.type]
    lo = a.checks.get("min")
    hi = a.checks.get("max")
    if hi is None and a.enum:
        e = spec.enum(a.enum, where)
        hi = (e.max_name, e.max_value)
    elif hi is not None:
        hi = spec.value_of(hi, where)
    if lo is not None:
        lo = spec.value_of(lo, where)
    if lo is None and hi is None:
        return "{ .type = %s }" % nla, None
    wide = any(x is not None and not S16_MIN <= x[1] <= S16_MAX
               for x in (lo, hi))
    if wide:
        signed = a.type.startswith("s")
        struct = "netlink_range_validation" + ("_signed" if signed else "")
        body = ["static struct %s %s = {" % (struct, range_name(a))]
        if lo is not None:
            body.append("\t.min = %s," % lo[0])
        if hi is not None:
            body.append("\t.max = %s," % hi[0])
        body += ["};", ""]
        macro = "NLA_POLICY_FULL_RANGE" + ("_SIGNED" if signed else "")
        return "%s(%s, &%s)" % (macro, nla, range_name(a)), body
    if lo is not None and hi is not None:
        return "NLA_POLICY_RANGE(%s, %s, %s)" % (nla, lo[0], hi[0]), None
    if lo is not None:
        return "NLA_POLICY_MIN(%s, %s)" % (nla, lo[0]), None
    return "NLA_POLICY_MAX(%s, %s)" % (nla, hi[0]), None


def binary_policy(spec, a, where):
    c = {k: spec.value_of(v, where)[0] for k, v in a.checks.items()}
    if "exact-len" in c:
        return "NLA_POLICY_EXACT_LEN(%s)" % c["exact-len"]
    if "min-len" in c and "max-len" in c:
        return "NLA_POLICY_RANGE(NLA_BINARY, %s, %s)" % (c["min-len"],
                                                         c["max-len"])
    if "min-len" in c:
        return "NLA_POLICY_MIN_LEN(%s)" % c["min-len"]
    if "max-len" in c:
        return "{ .type = NLA_BINARY, .len = %s }" % c["max-len"]
    return "{ .type = NLA_BINARY }"


def policy_of(spec, a):
    """(initializer, range struct lines or None) of an accepted attr."""
    where = "attribute %s of set %s" % (a.name, a.set.name)
    if a.type in INT_TYPES:
        return int_policy(spec, a, where)
    if a.type == "binary":
        return binary_policy(spec, a, where), None
    if a.type == "flag":
        return "{ .type = NLA_FLAG }", None
    if a.type == "nest":
        inner = spec.set(a.nested, where)
        return "NLA_POLICY_NESTED(%s)" % set_policy_name(spec, inner), None
    raise SpecError("%s: type %s cannot be accepted" % (where, a.type))


def refusal(spec, a):
    """The entry of an attribute a command does not take."""
    if a.name in spec.requested() or a.type == "pad":
        return 'JVPN_NL_FOREIGN("%s")' % a.short
    for s in spec.sets:
        if s.subset_of and a in s.attrs:
            for outer in spec.top().attrs:
                if outer.nested == s.name:
                    return 'JVPN_NL_REJECT("%s belongs inside %s")' \
                        % (a.short, outer.short)
    return 'JVPN_NL_REPORTED("%s")' % a.short


def set_policy_name(spec, s):
    return "%s_%s_policy" % (lower(spec.family), lower(s.name))


def nested_sets(spec):
    """The sets a command's attribute nests, innermost first."""
    order = []

    def visit(attrs):
        for a in attrs:
            inner = spec.set(a.nested, a.name) if a.type == "nest" else None
            if inner and inner not in order:
                visit(inner.attrs)
                order.append(inner)

    visit([a for a in spec.top().attrs if a.name in spec.requested()])
    return order


def entry(key, value):
    line = "\t[%s] = %s," % (key, value)
    if col_of(line) <= WIDTH:
        return [line]
    return ["\t[%s] =" % key, "\t\t%s," % value]


def policy_lines(name, size, entries, static=True):
    out = ["%sconst struct nla_policy %s[%s] = {"
           % ("static " if static else "", name, size)]
    for key, value in entries:
        out += entry(key, value)
    return out + ["};", ""]


def op_policy_name(spec, op, kind="do"):
    return "%s_%s%s_policy" % (lower(spec.family), lower(op.name),
                               "_dump" if kind == "dump" else "")


def op_policy(spec, op, accepted, kind):
    """A command's policy: its attributes, every other one refused."""
    names = {a.name for a in accepted}
    entries = []
    for a in spec.top().attrs:
        value = policy_of(spec, a)[0] if a.name in names \
            else refusal(spec, a)
        entries.append((a.c_name, value))
    title = "/* %s%s */" % (op.c_name, " - dump" if kind == "dump" else "")
    # a dump's own policy is checked by its handler (netlink.c)
    return [title] + policy_lines(op_policy_name(spec, op, kind),
                                  op.set.policy_size, entries,
                                  static=kind == "do")


def handler(spec, op, kind):
    return "%s_nl_%s_%sit" % (lower(spec.family), lower(op.name), kind)


def commands(spec):
    return [op for op in spec.ops if op.do or op.dump]


def ops_table(spec):
    cmds = commands(spec)
    out = ["/* The commands: policy, handlers, what pre_doit looks up */",
           "const struct genl_ops %s_nl_ops[%d] = {" % (lower(spec.family),
                                                        len(cmds))]
    for op in cmds:
        flags = " | ".join(OP_FLAGS[f] for f in op.flags) or "0"
        iflags = " | ".join("%s_NL_FLAG_%s" % (upper(spec.family), upper(f))
                            for f in (op.do or {}).get("internal-flags", []))
        out += ["\t{", "\t\t.cmd = %s," % op.c_name,
                "\t\t.flags = %s," % flags]
        if iflags:
            out.append("\t\t.internal_flags = %s," % iflags)
        if op.do:
            out.append("\t\t.doit = %s," % handler(spec, op, "do"))
        if op.dump:
            out.append("\t\t.dumpit = %s," % handler(spec, op, "dump"))
        out += ["\t\t.policy = %s," % op_policy_name(spec, op),
                "\t\t.maxattr = %s," % op.set.max_c_name, "\t},"]
    return out + ["};"]


def kernel_source(spec):
    fam = upper(spec.family)
    out = ["// SPDX-License-Identifier: GPL-2.0"] + \
        notice(spec, "kernel-source")
    out.append("#include <linux/build_bug.h>")
    headers = sorted({c.header for c in spec.consts if c.header})
    out += ['#include "%s"' % h for h in headers]
    out += ['#include "netlink-gen.h"', ""]
    kept = [c for c in spec.consts if c.header]
    if kept:
        out.append("/* The kernel's constants have the spec's values */")
        out += ["static_assert(%s == %d);" % (c.c_name, c.value)
                for c in kept]
        out.append("")
    out += [
        "/* Attributes a request does not take: refused, and named */",
        "#define %s_NL_REJECT(msg) { .type = NLA_REJECT, "
        ".reject_message = msg }" % fam,
        "#define %s_NL_FOREIGN(name) \\" % fam,
        '\t%s_NL_REJECT(name " does not belong to this request")' % fam,
        "#define %s_NL_REPORTED(name) \\" % fam,
        '\t%s_NL_REJECT(name " is reported by the kernel, never accepted")'
        % fam, ""]
    sets = nested_sets(spec)
    accepted = [a for s in sets for a in s.attrs] + \
        [a for a in spec.top().attrs if a.name in spec.requested()]
    seen = set()
    for a in accepted:
        body = policy_of(spec, a)[1]
        if body and a.c_name not in seen:
            seen.add(a.c_name)
            out += body
    out.append("/* Nested attribute sets */")
    for s in sets:
        out += policy_lines(set_policy_name(spec, s), s.policy_size,
                            [(a.c_name, policy_of(spec, a)[0])
                             for a in s.attrs if a.type != "pad"],
                            static=False)
    for op in commands(spec):
        out += op_policy(spec, op, op.accepted(), "do")
        if op.dump_differs():
            out += op_policy(spec, op, op.request("dump"), "dump")
    out += ops_table(spec)
    return out


def kernel_header(spec):
    fam = upper(spec.family)
    guard = "_%s_NETLINK_GEN_H" % fam
    out = ["/* SPDX-License-Identifier: GPL-2.0 */"] + \
        notice(spec, "kernel-header")
    out += ["#ifndef " + guard, "#define " + guard, "",
            "#include <linux/bits.h>", "#include <net/genetlink.h>",
            "#include <%s>" % spec.uapi_header, ""]
    out.append("/* genl_ops.internal_flags: what the family's pre_doit "
               "looks up */")
    for bit, (name, doc) in enumerate(spec.internal_flags):
        code = pad("#define %s_NL_FLAG_%s" % (fam, upper(name)), DEFINE_COL)
        out += commented(code + "BIT(%d)" % bit, doc, "")
    out += ["", "/* Nested attribute sets */"]
    for s in nested_sets(spec):
        out += declaration("extern const struct nla_policy", "%s[%s];"
                           % (set_policy_name(spec, s), s.policy_size))
    dumps = [op for op in commands(spec) if op.dump_differs()]
    if dumps:
        out += ["", "/* Dumps that take less than their command's do */"]
        for op in dumps:
            out += declaration("extern const struct nla_policy",
                               "%s[%s];" % (op_policy_name(spec, op, "dump"),
                                            op.set.policy_size))
    out += ["", "extern const struct genl_ops %s_nl_ops[%d];"
            % (lower(spec.family), len(commands(spec))), ""]
    for op in commands(spec):
        if op.do:
            out += declaration("int", "%s(struct sk_buff *skb, "
                               "struct genl_info *info);"
                               % handler(spec, op, "do"))
        if op.dump:
            out += declaration("int", "%s(struct sk_buff *skb, "
                               "struct netlink_callback *cb);"
                               % handler(spec, op, "dump"))
    out += ["", "#endif /* %s */" % guard]
    return out


def indent_to(col):
    return "\t" * (col // 8) + " " * (col % 8)


def declaration(lead, rest):
    """One declaration; a long one wrapped at its arguments or type."""
    line = lead + " " + rest
    if col_of(line) <= WIDTH:
        return [line]
    if "(" not in rest:
        return [lead, "\t" + rest]
    head, args = rest.split("(", 1)
    first = lead + " " + head + "("
    parts = args.split(", ")
    out, cur = [], first + parts[0]
    for part in parts[1:]:
        if col_of(cur + ", " + part) <= WIDTH:
            cur += ", " + part
        else:
            out.append(cur + ",")
            cur = indent_to(col_of(first)) + part
    return out + [cur]


KINDS = {"uapi": uapi, "kernel-source": kernel_source,
         "kernel-header": kernel_header}


def main(argv):
    if len(argv) != 3 or argv[2] not in KINDS:
        sys.stderr.write("usage: %s SPEC {%s}\n"
                         % (TOOL, "|".join(KINDS)))
        return 2
    try:
        spec = Spec(argv[1])
        text = "\n".join(KINDS[argv[2]](spec)) + "\n"
    except (SpecError, KeyError, OSError, yaml.YAMLError) as e:
        what = "missing key %s" % e if isinstance(e, KeyError) else e
        sys.stderr.write("nlgen: %s: %s\n" % (argv[1], what))
        return 1
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
# Host-side check of the shipped monitoring files against docs/metrics.md,
# the reference of every exported metric: the Grafana dashboard is valid
# JSON of the expected shape (unique panel ids, each target an expr, a
# grid position), and every jvpn_/jvpnd_ metric named in an expression of
# the dashboard or of the alert rules is one docs/metrics.md documents
# (a histogram's _bucket/_sum/_count are its own). Both files must cover
# the quantities issue 15 asks for. Exit 0 when all hold.
import json, os, re, sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DASH = os.path.join(REPO, "dist/grafana/jvpn-dashboard.json")
RULES = os.path.join(REPO, "dist/prometheus/jvpn-alerts.yml")
DOC = os.path.join(REPO, "docs/metrics.md")

# sessions by state, switch and reject rates, reattach latency, outlet
# losses, kernel drops
MUST_COVER = ["jvpnd_sessions", "jvpnd_switches_total", "jvpnd_rejects_total",
              "jvpnd_reattach_latency_seconds", "jvpnd_events_lost_total",
              "jvpn_drops_total"]
METRIC = re.compile(r"\bjvpnd?_[a-z0-9_]+\b")


def documented():
    names = set()
    for line in open(DOC):
        if line.startswith("|"):
            names.update(re.findall(r"`(jvpnd?_[a-z0-9_]+)`", line.split("|")[1]))
    return names


def base(name):
    return re.sub(r"_(bucket|sum|count)$", "", name)


def dashboard_exprs(errors):
    try:
        dash = json.load(open(DASH))
    except ValueError as e:
        errors.append("%s: not JSON: %s" % (DASH, e))
        return []
    exprs, ids = [], set()
    for k in ("title", "uid", "panels", "schemaVersion"):
        if k not in dash:
            errors.append("dashboard has no %s" % k)
    for p in dash.get("panels", []):
        if p.get("id") in ids:
            errors.append("panel id %s twice" % p.get("id"))
        ids.add(p.get("id"))
        if not {"x", "y", "w", "h"} <= set(p.get("gridPos", {})):
            errors.append("panel %r has no full gridPos" % p.get("title"))
        if not p.get("targets"):
            errors.append("panel %r has no targets" % p.get("title"))
        for t in p.get("targets", []):
            if not t.get("expr"):
                errors.append("panel %r: a target without expr" % p.get("title"))
            exprs.append(t.get("expr", ""))
    return exprs


def rule_exprs():
    # the rules file is YAML; its expressions are the `expr:` lines
    return [m.group(1) for m in re.finditer(r"^\s*expr:\s*(.+)$", open(RULES).read(), re.M)]


def main():
    errors, docs = [], documented()
    if not docs:
        errors.append("no metric found in " + DOC)
    for what, exprs in (("dashboard", dashboard_exprs(errors)), ("alert rules", rule_exprs())):
        used = {base(n) for e in exprs for n in METRIC.findall(e)}
        for n in sorted(used - docs):
            errors.append("%s: %s is not in docs/metrics.md" % (what, n))
        for n in MUST_COVER:
            if n not in used:
                errors.append("%s: nothing shows %s" % (what, n))
        print("%s: %d expressions, %d metrics, all documented: %s" % (
            what, len(exprs), len(used), not (used - docs)))
    for e in errors:
        print("FAIL " + e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

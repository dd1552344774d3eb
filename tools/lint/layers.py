#!/usr/bin/env python3
"""The layering rule, checked on object files (run through layers.sh).

Reads every *.o under OBJDIR (a tree that mirrors the sources) with nm,
joins each undefined symbol to the object that defines it, and checks each
such reference against the layers of the rules file (layers.txt):

  - an object may use a symbol of an object in its own layer, or of one in a
    layer of strictly lower rank; a higher rank is an upward call, an equal
    rank in another layer a sibling call;
  - in a layer marked `acyclic`, the object-level graph has no cycle;
  - no global symbol is defined (strongly) by two objects;
  - every object belongs to a layer.

Undefined symbols defined by no object (libc, libsodium...) are ignored.
The last line printed is "N passed, N failed", counted over objects.
"""

import argparse
import os
import signal
import subprocess
import sys
from collections import defaultdict, deque

# nm type letters (binutils): global definitions, weak definitions, and
# references. Lowercase letters other than these are local symbols.
STRONG = set("ABCDGRSTiu")
WEAK = set("VW")
UNDEF = set("Uvw")
MAX_SYMS = 8		# symbols shown per edge of a cycle


def say(msg):
	print("layers: " + msg)


def die(msg):
	print("layers: error: " + msg, file=sys.stderr)
	print("0 passed, 0 failed")
	sys.exit(2)


class Layer:
	def __init__(self, name, rank, acyclic):
		self.name, self.rank, self.acyclic = name, rank, acyclic


def norm(path):
	path = os.path.normpath(path)
	if path.startswith("/") or path.startswith(".."):
		raise ValueError("not a relative path inside the tree: " + path)
	return path


def parse_rules(path):
	"""Returns ({layer name: Layer}, {dir: name}, {object: name})."""
	layers, dirs, objs = {}, {}, {}
	try:
		lines = open(path).read().splitlines()
	except OSError as e:
		die("%s: %s" % (path, e.strerror))
	for num, line in enumerate(lines, 1):
		words = line.split("#", 1)[0].split()
		if not words:
			continue
		where = "%s:%d" % (path, num)
		if len(words) < 3:
			die(where + ": want LAYER RANK DIR... [acyclic]")
		name, rank, paths = words[0], words[1], words[2:]
		if name in layers:
			die(where + ": layer %s defined twice" % name)
		if not rank.isdigit():
			die(where + ": rank %r is not a number" % rank)
		acyclic = "acyclic" in paths
		paths = [p for p in paths if p != "acyclic"]
		if not paths:
			die(where + ": layer %s has no directory" % name)
		layers[name] = Layer(name, int(rank), acyclic)
		for p in paths:
			try:
				p = norm(p)
			except ValueError as e:
				die("%s: %s" % (where, e))
			table = objs if p.endswith(".o") else dirs
			if p in table:
				die("%s: %s is already in layer %s" % (where, p, table[p]))
			table[p] = name
	if not layers:
		die(path + ": no layers")
	return layers, dirs, objs


def layer_of(obj, dirs, objs):
	"""A named object wins over its directory; a directory holds only the
	objects directly in it."""
	if obj in objs:
		return objs[obj]
	return dirs.get(os.path.dirname(obj) or ".")


def find_objects(objdir):
	found = []
	for top, subdirs, files in os.walk(objdir):
		subdirs.sort()
		for f in sorted(files):
			if f.endswith(".o"):
				found.append(os.path.relpath(os.path.join(top, f), objdir))
	return found


def read_symbols(nm, objdir, obj):
	"""Returns (strong definitions, weak definitions, references)."""
	try:
		out = subprocess.run([nm, "-P", os.path.join(objdir, obj)],
				     check=True, capture_output=True,
				     text=True).stdout
	except (OSError, subprocess.CalledProcessError) as e:
		err = getattr(e, "stderr", None) or str(e)
		die("nm %s: %s" % (obj, err.strip()))
	strong, weak, undef = set(), set(), set()
	for line in out.splitlines():
		f = line.split()
		if len(f) < 2:
			continue
		sym, kind = f[0], f[1]
		if kind in STRONG:
			strong.add(sym)
		elif kind in WEAK:
			weak.add(sym)
		elif kind in UNDEF:
			undef.add(sym)
	return strong, weak, undef


def build_graph(nm, objdir, objects):
	"""Returns (edges {(from, to): set of symbols}, {symbol: [definers]})."""
	syms = {o: read_symbols(nm, objdir, o) for o in objects}
	strong, weak = defaultdict(list), defaultdict(list)
	for o in objects:
		for s in syms[o][0]:
			strong[s].append(o)
		for s in syms[o][1]:
			weak[s].append(o)
	edges = defaultdict(set)
	for o in objects:
		for s in syms[o][2]:
			for t in strong.get(s) or weak.get(s) or []:
				if t != o:
					edges[(o, t)].add(s)
	return edges, strong


def tarjan(nodes, succ):
	"""Strongly connected components, iteratively (no recursion limit)."""
	index, low, onstack, stack, sccs = {}, {}, set(), [], []
	counter = 0
	for root in nodes:
		if root in index:
			continue
		work = [(root, iter(succ[root]))]
		index[root] = low[root] = counter
		counter += 1
		stack.append(root)
		onstack.add(root)
		while work:
			v, it = work[-1]
			w = next(it, None)
			if w is None:
				work.pop()
				if work:
					u = work[-1][0]
					low[u] = min(low[u], low[v])
				if low[v] == index[v]:
					scc = []
					while True:
						x = stack.pop()
						onstack.discard(x)
						scc.append(x)
						if x == v:
							break
					sccs.append(sorted(scc))
			elif w not in index:
				index[w] = low[w] = counter
				counter += 1
				stack.append(w)
				onstack.add(w)
				work.append((w, iter(succ[w])))
			elif w in onstack:
				low[v] = min(low[v], index[w])
	return sccs


def shortest_path(src, dst, succ, within):
	prev, queue = {src: None}, deque([src])
	while queue:
		v = queue.popleft()
		if v == dst:
			path = []
			while v is not None:
				path.append(v)
				v = prev[v]
			return path[::-1]
		for w in succ[v]:
			if w in within and w not in prev:
				prev[w] = v
				queue.append(w)
	return None


def cycles_of(scc, succ):
	"""Cycles that together use every edge inside the component: for each
	edge u->v not yet shown, u->v and then the shortest way back to u."""
	members, shown, cycles = set(scc), set(), []
	for u in scc:
		for v in succ[u]:
			if v not in members or (u, v) in shown:
				continue
			cycle = [u] + shortest_path(v, u, succ, members)
			shown.update(zip(cycle, cycle[1:]))
			cycles.append(cycle)
	return cycles


def sym_list(syms):
	syms = sorted(syms)
	more = len(syms) - MAX_SYMS
	text = ", ".join(syms[:MAX_SYMS])
	return text + (" (+%d more)" % more if more > 0 else "")


class Checker:
	def __init__(self, layers, dirs, objs, objects):
		self.layers = layers
		self.where = {o: layer_of(o, dirs, objs) for o in objects}
		self.objects = objects
		self.failed = set()

	def fail(self, objs, msg):
		self.failed.update(objs)
		say(msg)

	def label(self, o):
		return "%s (%s)" % (o, self.where[o])

	def unlayered(self, rules):
		for o in self.objects:
			if self.where[o] is None:
				self.fail([o], "%s: in no layer of %s" % (o, rules))

	def references(self, edges):
		for (o, t), syms in sorted(edges.items()):
			lo, lt = self.where[o], self.where[t]
			if lo is None or lt is None or lo == lt:
				continue
			ro, rt = self.layers[lo].rank, self.layers[lt].rank
			if rt < ro:
				continue
			why = "upward call" if rt > ro else "sibling call"
			for s in sorted(syms):
				self.fail([o], "%s calls %s in %s: %s" %
					  (self.label(o), s, self.label(t), why))

	def duplicates(self, strong):
		for s, definers in sorted(strong.items()):
			if len(definers) > 1:
				self.fail(definers, "%s defined in %s: duplicate "
					  "definition" % (s, ", ".join(sorted(definers))))

	def cycles(self, edges):
		for name, layer in sorted(self.layers.items()):
			if layer.acyclic:
				self.layer_cycles(name, edges)

	def layer_cycles(self, name, edges):
		nodes = sorted(o for o in self.objects if self.where[o] == name)
		succ = {o: [] for o in nodes}
		for (o, t) in sorted(edges):
			if o in succ and t in succ:
				succ[o].append(t)
		for scc in tarjan(nodes, succ):
			if len(scc) < 2:
				continue
			say("acyclic layer %s: %d objects depend on each other: %s"
			    % (name, len(scc), " ".join(scc)))
			for cycle in cycles_of(scc, succ):
				self.fail(cycle, "cycle in acyclic layer %s: %s" %
					  (name, " -> ".join(cycle)))
				for o, t in zip(cycle, cycle[1:]):
					say("    %s -> %s: %s" %
					    (o, t, sym_list(edges[(o, t)])))


def main():
	signal.signal(signal.SIGPIPE, signal.SIG_DFL)	# quiet under | head
	ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
	ap.add_argument("--rules", required=True)
	ap.add_argument("--nm", default=os.environ.get("NM", "nm"))
	ap.add_argument("objdir")
	args = ap.parse_args()
	if not os.path.isdir(args.objdir):
		die(args.objdir + ": not a directory")
	layers, dirs, objs = parse_rules(args.rules)
	objects = find_objects(args.objdir)
	if not objects:
		die("no *.o under " + args.objdir)
	edges, strong = build_graph(args.nm, args.objdir, objects)

	check = Checker(layers, dirs, objs, objects)
	check.unlayered(args.rules)
	check.references(edges)
	check.duplicates(strong)
	check.cycles(edges)

	failed = len(check.failed)
	print("%d passed, %d failed" % (len(objects) - failed, failed))
	return 1 if failed else 0


if __name__ == "__main__":
	sys.exit(main())

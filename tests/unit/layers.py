#!/usr/bin/env python3
"""layers.py SRC LIBUNROOT_A - the pipeline's shape, checked on the sources and the objects.

1. The engine drives: no reader (lib/dockerfile, lib/k8s, lib/helm, lib/image), identity
   (lib/identity) or rule (lib/rules) file includes the engine's run header or names a
   function of the engine (run_*, lint_run_*, workers_*, reader_for_kind, ...).
2. include/unroot/ holds the public API only: each header there is one meson.build
   installs.
3. No cycles: the headers include one another without a cycle, and no two objects of
   libunroot.a call into each other, directly or through others (nm's defined and undefined
   symbols give each object's calls).

Prints what breaks a rule; exits 1 when something does.
"""
import collections
import os
import re
import subprocess
import sys

SRC, LIB = sys.argv[1], sys.argv[2]
LIBDIR = os.path.join(SRC, 'lib')
# The installed headers: those meson.build's install_headers() names under include/unroot/.
_meson = open(os.path.join(SRC, 'meson.build'), encoding='utf-8').read()
PUBLIC = {os.path.basename(h)
          for call in re.findall(r'install_headers\((.*?)\)', _meson, re.S)
          for h in re.findall(r"'include/unroot/([^']+)'", call)}
BELOW_ENGINE = ['dockerfile', 'k8s', 'helm', 'image', 'identity', 'rules']
ENGINE_CALLS = re.compile(
    r'\b(lint_run_\w+|run_(parse_error|add_suppression|rules|ctx_init|scratch|pair|image_side|'
    r'detect|note_input|read_text|rule_disabled)|workers_\w+|reader_for_kind|reader_table)\s*\(')
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
fails = 0


def fail(msg):
    global fails
    fails += 1
    print('FAIL: ' + msg)


def sources(top):
    for root, _, files in os.walk(top):
        for f in sorted(files):
            if f.endswith(('.c', '.h')):
                yield os.path.join(root, f)


def strip_comments(text):
    return re.sub(r'/\*.*?\*/|//[^\n]*', ' ', text, flags=re.S)


# 1. Nothing below the engine reaches up into it.
for area in BELOW_ENGINE:
    for path in sources(os.path.join(LIBDIR, area)):
        text = open(path, encoding='utf-8', errors='replace').read()
        rel = os.path.relpath(path, SRC)
        for inc in INCLUDE.findall(text):
            if inc.startswith('engine/') or inc in ('unroot/run.h', 'run.h'):
                fail(f'{rel} includes the engine header {inc}')
        m = ENGINE_CALLS.search(strip_comments(text))
        if m:
            fail(f'{rel} calls into the engine: {m.group(1)}()')

# 2. The public headers are the installed ones.
pubdir = os.path.join(SRC, 'include', 'unroot')
for h in sorted(os.listdir(pubdir)):
    if h not in PUBLIC:
        fail(f'include/unroot/{h} is not public API: it belongs beside its code under lib/')

# 3a. The include graph has no cycle.
def resolve(inc, here):
    for base in (os.path.dirname(here), os.path.join(SRC, 'include'), LIBDIR):
        p = os.path.normpath(os.path.join(base, inc))
        if os.path.exists(p):
            return p
    return None


graph = collections.defaultdict(set)
for top in (os.path.join(SRC, 'include'), LIBDIR):
    for path in sources(top):
        if not path.endswith('.h'):
            continue
        for inc in INCLUDE.findall(open(path, encoding='utf-8', errors='replace').read()):
            target = resolve(inc, path)
            if target:
                graph[path].add(target)


def cycles(g):
    """Strongly connected components of more than one node (Tarjan, iterative)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]
    for start in list(g):
        if start in index:
            continue
        work = [(start, iter(sorted(g[start])))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on.add(start)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(g[w]))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1 or v in g[v]:
                    out.append(sorted(comp))
    return out


for comp in cycles(graph):
    fail('headers include one another in a cycle: ' + ', '.join(os.path.relpath(p, SRC) for p in comp))

# 3b. The objects of the library call one another without a cycle.
def nm(*args):
    return subprocess.run(['nm', '-A', *args, LIB], capture_output=True, text=True, check=True).stdout


defined = {}
for line in nm('--defined-only', '-g').splitlines():
    parts = line.split()
    if len(parts) >= 3:
        defined[parts[-1]] = parts[0].split(':')[-2]
calls = collections.defaultdict(set)
why = {}
for line in nm('-u').splitlines():
    parts = line.split()
    obj, sym = parts[0].split(':')[-2], parts[-1]
    if sym in defined and defined[sym] != obj:
        calls[obj].add(defined[sym])
        why.setdefault((obj, defined[sym]), sym)


def name(obj):
    return re.sub(r'^lib_|\.c\.o$', '', os.path.basename(obj)).replace('_', '/', 1)


for comp in cycles(calls):
    inside = set(comp)
    edges = sorted(f'{name(a)} -> {name(b)} ({why[(a, b)]})'
                   for a in comp for b in calls[a] if b in inside)
    fail('files call one another in a cycle:\n    ' + '\n    '.join(edges))

print(f'{fails} problem(s)' if fails else 'ok: the engine drives, the public headers are the API, no cycles')
sys.exit(1 if fails else 0)

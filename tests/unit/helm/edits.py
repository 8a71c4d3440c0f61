#!/usr/bin/env python3
"""NR301's and NR302's edits on Helm charts, proven with the real helm.

    edits.py UNROOT HELM

For the charts in edits/ and every chart of the real-world cases (each side
of the commit cases too) whose NR301 or NR302 findings carry edits: apply the
edits (a template's literal securityContext block becomes
`{{- with .Values.KEY }}` ... `toYaml`, a workload with none gets one fed
from `KEY: {}`, and values.yaml gets KEY), then check that

- edits of different findings never overlap unless equal;
- `helm template` gives the same manifests as before under the default
  values (the defaults hold what the literals said): the same objects, read
  as YAML, as toYaml writes keys in its own order, apart from what the chart
  makes up anew on each render (generated certificates and passwords);
- the chart still reads, NR301 and NR302 no longer report what moved,
  and linting again gives none of their edits;
- for the charts in edits/, with the values an OpenShift user sets
  (runAsUser and fsGroup unset), `unroot lint --platform openshift` of the
  chart rendered by helm finds no NR2xx error: restricted-v2 admits it; and
  with values that take the branches the defaults skip, helm template gives
  the same manifests before and after the edits too;
- for the charts in edits/ that say so, values.yaml gets the keys named
  (a named template's blocks move when every include passes the root
  context; a workload that reads its settings from a sub-tree gets its keys
  there, or is fed from a key the sub-tree has already), keeps every line it
  had, and a block of a named template included with a dict stays manual
  with that reason.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:
    yaml = None

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, '..', '..', 'realworld', 'cases')
RULES = ('NR301', 'NR302')
# What an OpenShift user sets on each fixture once its contexts come from values.
OPENSHIFT_VALUES = {
    'web': ['--set', 'podSecurityContext.runAsUser=null',
            '--set', 'podSecurityContext.fsGroup=null',
            '--set', 'securityContext.runAsUser=null'],
    'jobs': ['--set', 'appSecurityContext.runAsUser=null'],
    'named-once': ['--set', 'podSecurityContext.runAsUser=null',
                   '--set', 'podSecurityContext.runAsGroup=null',
                   '--set', 'podSecurityContext.fsGroup=null',
                   '--set', 'securityContext.runAsUser=null'],
    'named-twice': ['--set', 'podSecurityContext.runAsUser=null',
                    '--set', 'podSecurityContext.fsGroup=null',
                    '--set', 'securityContext.runAsUser=null'],
    'named-dict': ['--set', 'podSecurityContext.runAsUser=null'],
    'nested': ['--set', 'controller.podSecurityContext.runAsUser=null',
               '--set', 'controller.podSecurityContext.runAsGroup=null',
               '--set', 'controller.podSecurityContext.fsGroup=null',
               '--set', 'controller.metrics.securityContext.runAsUser=null',
               '--set', 'webhook.podSecurityContext.runAsUser=null',
               '--set', 'webhook.securityContext.runAsUser=null'],
}
# The values keys the edits must give (dotted paths), and keys they must not add.
KEYS = {
    'named-once': (['podSecurityContext', 'securityContext'], []),
    'named-twice': (['podSecurityContext', 'securityContext'], []),
    'named-dict': (['podSecurityContext', 'securityContext'], []),
    'nested': (['controller.podSecurityContext', 'controller.containerSecurityContext',
                'controller.metrics.securityContext',
                'webhook.podSecurityContext', 'webhook.securityContext'],
               ['podSecurityContext', 'securityContext']),
}
# Findings that must stay manual, with the reason `unroot fix` gives for them.
MANUAL = {
    'named-dict': ('NR301', 'templates/_helpers.tpl', 'passes "named-dict.pod" something other '
                   "than the chart's root context"),
}
# Values that take the branches the defaults skip, rendered before and after the edits too.
BRANCHES = {
    'jobs': [['--set', 'volumePermissions.enabled=true'], ['--set', 'hardened=false']],
}


def lint(unroot, chart, extra=()):
    p = subprocess.run([unroot, 'lint', '-f', 'json', '--no-config', '--fail-on', 'none',
                        *extra, chart], capture_output=True, text=True,
                       env=dict(os.environ, NO_COLOR='1'))
    if p.returncode not in (0, 1, 2):
        raise RuntimeError(f'unroot exited {p.returncode}: {p.stderr}')
    return json.loads(p.stdout)['diagnostics']


def left_to_fix(unroot, chart, extra=()):
    """The lines of what `unroot fix` lists on stderr to fix by hand, with why."""
    p = subprocess.run([unroot, 'fix', '--no-config', '--fail-on', 'none', *extra, chart],
                       capture_output=True, text=True, env=dict(os.environ, NO_COLOR='1'))
    if p.returncode not in (0, 1):
        raise RuntimeError(f'unroot fix exited {p.returncode}: {p.stderr}')
    return p.stderr.splitlines()


def render(helm, chart, values=()):
    """The objects helm template makes of the chart, or None when it fails."""
    for extra in ([], ['--kube-version', '1.34.0']):
        p = subprocess.run([helm, 'template', 'rel', chart, *values, *extra],
                           capture_output=True, text=True)
        if p.returncode == 0:
            return list(yaml.safe_load_all(p.stdout))
    return None


def differences(a, b, path=()):
    """The paths of the leaves where two renders differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = set()
        for k in set(a) | set(b):
            out |= differences(a.get(k), b.get(k), path + (k,))
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        out = set()
        for i, (x, y) in enumerate(zip(a, b)):
            out |= differences(x, y, path + (i,))
        return out
    return set() if a == b else {path}


def charts():
    """The fixtures, every real-world chart, and each side of the commit cases that is one."""
    out = [os.path.join(HERE, 'edits', n) for n in sorted(os.listdir(os.path.join(HERE, 'edits')))]
    for name in sorted(os.listdir(CASES)):
        if os.path.exists(os.path.join(CASES, name, 'Chart.yaml')):
            out.append(os.path.join(CASES, name))
    commits = os.path.join(CASES, 'commits')
    for name in sorted(os.listdir(commits)):
        for side in ('before', 'after'):
            if os.path.exists(os.path.join(commits, name, side, 'Chart.yaml')):
                out.append(os.path.join(commits, name, side))
    return out


def get(tree, path):
    for k in path.split('.'):
        if not isinstance(tree, dict) or k not in tree:
            return None
        tree = tree[k]
    return tree


def check_values(name, chart, old_text, problems):
    """The keys KEYS names are there, and every line values.yaml had is still there, in order."""
    text = open(os.path.join(chart, 'values.yaml')).read()
    values = yaml.safe_load(text) or {}
    want, unwanted = KEYS[name]
    for k in want:
        if not isinstance(get(values, k), dict):
            problems.append(f'{name}: values.yaml has no map at {k} after the edits')
    for k in unwanted:
        if get(values, k) is not None and get(yaml.safe_load(old_text) or {}, k) is None:
            problems.append(f'{name}: values.yaml got {k}, which belongs in a sub-tree')
    lines = iter(text.splitlines())
    for line in old_text.splitlines():
        if not any(line == l for l in lines):
            problems.append(f'{name}: values.yaml lost or moved the line {line!r}')
            break


def check(unroot, helm, src, problems):
    name = os.path.relpath(src, CASES) if src.startswith(CASES) else os.path.basename(src)
    with tempfile.TemporaryDirectory() as tmp:
        chart = os.path.join(tmp, os.path.basename(src))
        shutil.copytree(src, chart, symlinks=True)
        before = lint(unroot, chart, ['--helm', 'none'])
        if name in MANUAL:
            rule, where, why = MANUAL[name]
            if not any(d['rule'] == rule and d['path'].endswith(where) and not d.get('edits')
                       for d in before):
                problems.append(f'{name}: no {rule} finding in {where} stays manual')
            listed = left_to_fix(unroot, chart, ['--helm', 'none'])
            if not any(where in l.split(':', 1)[0] and f'(not fixed: ' in l and why in l
                       and f'[{rule} ' in l for l in listed):
                problems.append(f'{name}: unroot fix does not list {rule} in {where} as not '
                                f'fixed because {why!r}')
        old_values = open(os.path.join(chart, 'values.yaml')).read()
        moved = [d for d in before if d['rule'] in RULES and d.get('edits')]
        if not moved:
            if name in KEYS:
                problems.append(f'{name}: no NR301 or NR302 finding has edits')
            return 0
        edits = {}
        for d in before:
            for e in d.get('edits', []):
                edits.setdefault(e['path'], set()).add((e['offset'], e['length'], e['text']))
        rendered = render(helm, chart)
        branches = [(b, render(helm, chart, b)) for b in BRANCHES.get(name, [])]
        # what a chart makes up anew on each render (generated certificates, passwords)
        randomly = differences(rendered, render(helm, chart)) if rendered else set()
        for path, es in edits.items():
            spans = sorted(es)
            for a, b in zip(spans, spans[1:]):
                if a[0] + a[1] > b[0] or (a[0] == b[0] and a[1] == 0 == b[1]):
                    problems.append(f'{name}: {path}: edits overlap: {a} and {b}')
            data = open(path, 'rb').read()
            for off, length, text in sorted(spans, reverse=True):
                data = data[:off] + text.encode() + data[off + length:]
            open(path, 'wb').write(data)
        if rendered is None:
            problems.append(f'{name}: helm template fails before the edits')
        else:
            changed = differences(rendered, render(helm, chart)) - randomly
            if changed:
                problems.append(f'{name}: helm template renders other manifests after the '
                                f'edits, at {sorted(map(str, changed))[:3]}')
        for values, objs in branches:
            if objs is None or render(helm, chart, values) != objs:
                problems.append(f'{name}: with {" ".join(values)}, helm template renders '
                                f'other manifests after the edits (or fails)')
        if name in KEYS:
            check_values(name, chart, old_values, problems)
        after = lint(unroot, chart, ['--helm', 'none'])
        for d in after:
            if d['rule'] == 'NR000':
                problems.append(f'{name}: the edited chart does not read: {d["message"]}')
            if d['rule'] in RULES and d.get('edits'):
                problems.append(f'{name}: {d["rule"]} has edits again after the edits')
        for r in RULES:
            had = sum(d['rule'] == r for d in before)
            left = sum(d['rule'] == r for d in after)
            fixed = sum(d['rule'] == r for d in moved)
            if left > had - fixed:
                problems.append(f'{name}: {r} still reported after its edits ({left} of {had})')
        if name in OPENSHIFT_VALUES:
            ocp = lint(unroot, chart, ['--helm', helm, '--platform', 'openshift',
                                       *OPENSHIFT_VALUES[name]])
            bad = [d for d in ocp if d['rule'].startswith('NR2') and d['severity'] == 'error']
            for d in bad:
                problems.append(f'{name}: with OpenShift values: {d["rule"]}: {d["message"]}')
            if any(d['rule'] == 'NR003' for d in ocp):
                problems.append(f'{name}: the rendered checks did not run')
        return len(moved)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    if yaml is None:
        print('FAIL: python3-yaml is needed (scripts/install-deps.sh --test)')
        return 1
    unroot, helm = os.path.abspath(sys.argv[1]), sys.argv[2]
    problems = []
    n = 0
    checked = 0
    for c in charts():
        k = check(unroot, helm, c, problems)
        n += k
        checked += bool(k)
    if checked < 2 + len(KEYS):
        problems.append(f'only {checked} charts had NR301/NR302 edits to check')
    for p in problems:
        print(p)
    print(f'helm edits: {checked} charts, {n} findings moved to values, {len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/env python3
"""Apply the edits of every finding and check what they give.

    edits.py UNROOT [FOLDER...]

Each FOLDER (default: every real-world case, and the Dockerfiles and the
manifests of the corpus when UNROOT_CORPUS names it) is copied into a scratch folder and
linted. Then, for each file:

- the edits of different findings never overlap, unless they are the same
  edit (two findings that ask for the same line);
- every finding of a Dockerfile rule (NR1xx) that has a fix has it as
  edits too;
- every USER line the edits, fixes and messages suggest names the same user
  (one user per image), and none is suggested for an image that a finding
  says must run as root;
- with all the edits applied, the file still reads (no new NR000), and the
  findings that carried edits are gone: a rule reports no more than the
  findings it had without edits;
- the edits are idempotent: linting the edited manifests (NR2xx) gives no
  edits again.

Exits 1 and says what failed when one of these does not hold.
"""
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

from units import units

HERE = os.path.dirname(os.path.abspath(__file__))




def lint(unroot, root):
    env = dict(os.environ, NO_COLOR='1', PATH='/usr/bin:/bin')
    p = subprocess.run([unroot, 'lint', '-f', 'json', '--no-config', '--fail-on', 'none',
                        'unit'], cwd=root, capture_output=True, text=True, env=env)
    if p.returncode not in (0, 1, 2) or not p.stdout.strip():
        raise RuntimeError(f'unroot exited {p.returncode}: {p.stderr.strip()}')
    return json.loads(p.stdout)['diagnostics']


def user_of(text):
    m = re.match(r'\s*USER\s+(\S+)', text, re.I)
    return m.group(1) if m else None


def check_unit(unroot, src, problems):
    with tempfile.TemporaryDirectory() as tmp:
        unit = os.path.join(tmp, 'unit')
        shutil.copytree(src, unit, symlinks=True)
        before = lint(unroot, tmp)
        name = os.path.relpath(src, HERE)
        edits = collections.defaultdict(dict)  # path -> {(offset, length, text): finding}
        users = collections.defaultdict(set)
        root_only = set()
        with_edits = collections.Counter()
        total = collections.Counter()
        for d in before:
            total[(d['path'], d['rule'])] += 1
            for e in d.get('edits', []):
                edits[e['path']][(e['offset'], e['length'], e['text'])] = d
                u = user_of(e['text'])
                if u:
                    users[e['path']].add(u.replace('${', '{'))
            if d.get('edits'):
                with_edits[(d['path'], d['rule'])] += 1
            elif d.get('fix') and d['rule'].startswith('NR1'):
                problems.append(f'{name}: {d["path"]}:{d["line"]}: {d["rule"]} has a fix '
                                f'and no edits: {d["fix"]}')
            u = user_of(d.get('fix') or '')
            if u and d['path'].rsplit('/', 1)[-1].lower().find('dockerfile') >= 0:
                users[d['path']].add(u)
            for u in re.findall(r"'USER (\d+:0)'", d['message']):
                users[d['path']].add(u)
            if 'a USER line would break it' in d['message']:
                root_only.add(d['path'])
        for path, us in users.items():
            nums = {u for u in us if re.fullmatch(r'\d+:0', u)}
            if nums and path in root_only:
                problems.append(f'{name}: {path}: a finding says the image must run as '
                                f'root, others suggest {", ".join(sorted(nums))}')
            if len(nums) > 1:
                problems.append(f'{name}: {path}: findings suggest different users: '
                                f'{", ".join(sorted(nums))}')
        for path, es in edits.items():
            spans = sorted(es)
            for a, b in zip(spans, spans[1:]):
                if a[0] + a[1] > b[0] or (a[0] == b[0] and a[1] == 0 == b[1]):
                    problems.append(f'{name}: {path}: edits overlap: {es[a]["rule"]} '
                                    f'{a} and {es[b]["rule"]} {b}')
            data = open(os.path.join(tmp, path), 'rb').read()
            for off, length, text in sorted(spans, reverse=True):
                data = data[:off] + text.encode() + data[off + length:]
            with open(os.path.join(tmp, path), 'wb') as f:
                f.write(data)
        if not edits:
            return 0
        after = lint(unroot, tmp)
        nr000 = sum(d['rule'] == 'NR000' for d in after) - \
            sum(d['rule'] == 'NR000' for d in before)
        if nr000 > 0:
            bad = [d for d in after if d['rule'] == 'NR000']
            problems.append(f'{name}: the edited files no longer read: {bad[0]["message"]}')
        for d in after:
            if d.get('edits') and d['rule'].startswith('NR2'):
                problems.append(f'{name}: {d["path"]}:{d["line"]}: {d["rule"]} has edits '
                                f'again after the edits were applied')
        left = collections.Counter((d['path'], d['rule']) for d in after)
        for k, n in with_edits.items():
            if left[k] > total[k] - n:
                problems.append(f'{name}: {k[0]}: {k[1]} still reported after its edits '
                                f'({left[k]} left of {total[k]}, {n} with edits)')
        return sum(len(v) for v in edits.values())


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    unroot = os.path.abspath(sys.argv[1])
    folders = [os.path.abspath(p) for p in sys.argv[2:]] or units(('dockerfiles', 'k8s'))
    problems = []
    applied = 0
    for f in folders:
        applied += check_unit(unroot, f, problems)
    for p in problems:
        print(p)
    print(f'edits: {len(folders)} folders, {applied} edits applied, {len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())

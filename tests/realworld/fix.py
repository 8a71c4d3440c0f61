#!/usr/bin/env python3
"""Run the real `unroot fix` on every real-world case and corpus, and check it.

    fix.py [--every N] UNROOT [FOLDER...]

Each FOLDER (default: every real-world case, and the Dockerfiles, manifests
and charts of the corpus when UNROOT_CORPUS names it) is copied twice into a
scratch folder. Then:

- `unroot fix --write` changes exactly the bytes the findings' edits name:
  every file equals its original with the JSON report's edits applied (equal
  edits once), byte for byte, and every other file is unchanged;
- `unroot fix` (the diff) applied with `git apply` to the second copy gives
  the same files;
- fixing again changes nothing (`unroot fix --check` exits 0) and leaves the
  files as they are: fix is idempotent;
- every fixed file still reads (no new NR000), and the findings whose edits
  were applied are gone.

`--every N` checks every Nth folder only: the sanitizer builds run each
process many times slower, and the full set runs in the plain build.

Exits 1 and says what failed when one of these does not hold.
"""
import collections
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile

from units import units

HERE = os.path.dirname(os.path.abspath(__file__))
ENV = dict(os.environ, NO_COLOR='1', PATH='/usr/bin:/bin')




def run(unroot, cwd, *args):
    return subprocess.run([unroot, *args, '--no-config', 'unit'], cwd=cwd,
                          capture_output=True, env=ENV)


def lint(unroot, cwd):
    p = run(unroot, cwd, 'lint', '-f', 'json', '--fail-on', 'none')
    if p.returncode not in (0, 1, 2) or not p.stdout.strip():
        raise RuntimeError(f'unroot lint exited {p.returncode}: {p.stderr.decode()}')
    return json.loads(p.stdout)['diagnostics']


def files(root):
    out = {}
    for d, _, names in os.walk(root):
        for n in names:
            p = os.path.join(d, n)
            if not os.path.islink(p):
                out[os.path.relpath(p, root)] = open(p, 'rb').read()
    return out


def expected(tmp, diags):
    """Each file with its findings' edits applied, equal edits once."""
    edits = collections.defaultdict(set)
    for d in diags:
        for e in d.get('edits', []):
            edits[e['path']].add((e['offset'], e['length'], e['text']))
    out = {}
    for path, es in edits.items():
        data = open(os.path.join(tmp, path), 'rb').read()
        # insertions before replacements at one offset, as the fix applies them
        for off, length, text in sorted(es, key=lambda e: (e[0], e[1] > 0), reverse=True):
            data = data[:off] + text.encode() + data[off + length:]
        out[os.path.normpath(os.path.relpath(path, 'unit'))] = data
    return out


def check_unit(unroot, src, problems):
    name = os.path.relpath(src, HERE)
    with tempfile.TemporaryDirectory() as tmp:
        a, b = os.path.join(tmp, 'a'), os.path.join(tmp, 'b')
        for side in (a, b):
            shutil.copytree(src, os.path.join(side, 'unit'), symlinks=True)
            # the corpus is kept read-only; the copies are to be written
            for d, _, names in os.walk(os.path.join(side, 'unit')):
                for n in names:
                    if not os.path.islink(os.path.join(d, n)):
                        os.chmod(os.path.join(d, n), 0o644)
        before_files = files(os.path.join(a, 'unit'))
        before = lint(unroot, a)
        want = expected(a, before)
        nedits = sum(len(d.get('edits', [])) for d in before)

        w = run(unroot, a, 'fix', '--write', '-q')
        if w.returncode not in (0, 1, 2) or (w.returncode == 2 and not any(
                d['rule'] == 'NR000' for d in before)):
            problems.append(f'{name}: unroot fix --write exited {w.returncode}: '
                            f'{w.stderr.decode()[-300:]}')
            return 0
        after_files = files(os.path.join(a, 'unit'))
        for path, data in before_files.items():
            got = after_files.get(path)
            if got != want.get(path, data):
                problems.append(f'{name}: {path}: fix --write wrote other bytes than its edits')
        if set(after_files) != set(before_files):
            problems.append(f'{name}: fix --write added or removed files: '
                            f'{sorted(set(after_files) ^ set(before_files))}')

        d = run(unroot, b, 'fix', '-q')
        if d.stdout:
            p = subprocess.run(['git', 'apply', '-'], cwd=b, input=d.stdout,
                               capture_output=True, env=ENV)
            if p.returncode:
                problems.append(f'{name}: git apply refused the diff: {p.stderr.decode()}')
        cmp = filecmp.dircmp(os.path.join(a, 'unit'), os.path.join(b, 'unit'))
        if diff_files(cmp):
            problems.append(f'{name}: the diff applied differs from --write: {diff_files(cmp)}')

        c = run(unroot, a, 'fix', '--check', '-q')
        if c.returncode == 1:
            again = run(unroot, a, 'fix', '-q').stdout.decode()
            problems.append(f'{name}: not idempotent: fixing the fixed files changes them:\n'
                            f'{again[:600]}')
        if files(os.path.join(a, 'unit')) != after_files:
            problems.append(f'{name}: fix --check changed files')

        if not nedits:
            return 0
        after = lint(unroot, a)
        new_nr000 = sum(x['rule'] == 'NR000' for x in after) - \
            sum(x['rule'] == 'NR000' for x in before)
        if new_nr000 > 0:
            bad = [x for x in after if x['rule'] == 'NR000']
            problems.append(f'{name}: a fixed file no longer reads: {bad[0]["message"]}')
        total = collections.Counter((x['path'], x['rule']) for x in before)
        fixed = collections.Counter((x['path'], x['rule']) for x in before if x.get('edits'))
        left = collections.Counter((x['path'], x['rule']) for x in after)
        for k, n in fixed.items():
            if left[k] > total[k] - n:
                problems.append(f'{name}: {k[0]}: {k[1]} still reported after fix '
                                f'({left[k]} left of {total[k]}, {n} fixed)')
        return nedits


def diff_files(cmp):
    out = list(cmp.diff_files) + list(cmp.left_only) + list(cmp.right_only)
    for sub in cmp.subdirs.values():
        out += diff_files(sub)
    return out


def main():
    args = sys.argv[1:]
    every = 1
    if len(args) >= 2 and args[0] == '--every':
        every = int(args[1])
        args = args[2:]
    if not args:
        sys.exit(__doc__)
    unroot = os.path.abspath(args[0])
    folders = [os.path.abspath(p) for p in args[1:]] or units(('dockerfiles', 'k8s', 'helm'))
    folders = folders[::every]
    problems = []
    applied = 0
    for f in folders:
        applied += check_unit(unroot, f, problems)
    for p in problems:
        print(p)
    print(f'fix: {len(folders)} folders, {applied} edits, {len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/env python3
"""The Kubernetes rules' edits, applied to small manifests of every style.

    edits.py UNROOT [--update]

For each manifest NAME.yaml or NAME.json in edits/ (with extra arguments,
one a line, in NAME.args): lint it with -f json, apply the edits of all
findings, and compare the result with NAME.fixed.yaml (or .json) byte for
byte. Then lint the result: it must read, have no edits left, and have no
finding of a rule whose findings had edits. --update writes the .fixed
files from what the edits give (read them before committing).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'edits')


def lint(unroot, path, args):
    env = dict(os.environ, NO_COLOR='1')
    p = subprocess.run([unroot, 'lint', '-f', 'json', '--no-config', '--fail-on', 'none']
                       + args + [os.path.basename(path)], cwd=os.path.dirname(path),
                       capture_output=True, env=env)
    if p.returncode not in (0, 1):
        raise RuntimeError(f'{path}: unroot exited {p.returncode}: {p.stderr.decode()}')
    return json.loads(p.stdout)['diagnostics']


def apply(data, diags):
    edits = set()
    for d in diags:
        for e in d.get('edits', []):
            edits.add((e['offset'], e['length'], e['text']))
    spans = sorted(edits)
    for a, b in zip(spans, spans[1:]):
        if a[0] + a[1] > b[0] or (a[0] == b[0] and a[1] == 0 == b[1]):
            raise RuntimeError(f'edits overlap: {a} and {b}')
    for off, length, text in sorted(spans, reverse=True):
        data = data[:off] + text.encode() + data[off + length:]
    return data


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    unroot = os.path.abspath(sys.argv[1])
    update = '--update' in sys.argv[2:]
    failed = 0
    names = sorted(n for n in os.listdir(HERE)
                   if n.endswith(('.yaml', '.json')) and '.fixed.' not in n)
    for name in names:
        stem, ext = os.path.splitext(name)
        argf = os.path.join(HERE, stem + '.args')
        args = open(argf).read().split('\n') if os.path.exists(argf) else []
        args = [a for a in args if a]
        want_path = os.path.join(HERE, stem + '.fixed' + ext)
        problems = []
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, name)
            shutil.copy(os.path.join(HERE, name), path)
            before = lint(unroot, path, args)
            data = open(path, 'rb').read()
            try:
                got = apply(data, before)
            except RuntimeError as e:
                problems.append(str(e))
                got = data
            if update:
                open(want_path, 'wb').write(got)
            want = open(want_path, 'rb').read() if os.path.exists(want_path) else None
            if got != want:
                problems.append(f'the edits give\n{got.decode()}\nnot\n'
                                f'{want.decode() if want else "(no " + want_path + ")"}')
            if not any(d.get('edits') for d in before):
                problems.append('no finding has edits')
            open(path, 'wb').write(got)
            after = lint(unroot, path, args)
            fixed = {d['rule'] for d in before if d.get('edits')}
            for d in after:
                if d['rule'] == 'NR000':
                    problems.append(f'the fixed file does not read: {d["message"]}')
                elif d.get('edits'):
                    problems.append(f'edits left after fixing: {d["rule"]} line {d["line"]}')
                elif d['rule'] in fixed:
                    problems.append(f'{d["rule"]} still reported after its edits, line '
                                    f'{d["line"]}: {d["message"]}')
        for p in problems:
            print(f'FAIL {name}: {p}')
        if not problems:
            print(f'ok {name}')
        failed += bool(problems)
    print(f'{len(names)} manifests, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())

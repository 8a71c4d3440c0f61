#!/usr/bin/env python3
"""Every rendered finding on a real-world chart points at a template line that rendered.

    lines.py UNROOT [--helm BIN]

For each chart under cases/ (commits' before/ and after/ included), unroot lints
it with helm; each finding of the rendered checks that points into a template
(not values.yaml) is checked against helm itself: a copy of the chart gets a
YAML comment `# unroot-line-N` just above each of those lines, at the line's
indentation, and is rendered as unroot renders it (plain, and with
--api-versions security.openshift.io/v1). A line whose comment is not in the
output did not render with the chart's defaults: the finding is on a look-alike
line in a branch the defaults skip, or in a template comment. A finding on a
`spec:` line whose rendered line is not `spec:` is reported too: it belongs
inside what the includer pasted in.

Exit 0 when every line rendered, 1 otherwise, 77 when there is no helm.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, 'cases')
DEFAULT_HELM = os.path.join(HERE, '..', '.tools', 'helm', 'helm')
OPENSHIFT = ['--api-versions', 'security.openshift.io/v1']
RENDERS = re.compile(r'\(helm template( --api-versions security\.openshift\.io/v1)? renders `([^`]*)`')


def charts():
    """The chart folders under cases/, relative to it, subcharts left to their parent."""
    out = []
    for root, dirs, files in os.walk(CASES):
        dirs.sort()
        if 'Chart.yaml' in files:
            out.append(os.path.relpath(root, CASES))
            dirs[:] = []
    return sorted(out)


def render(helm, chart, env, extra):
    """helm template as unroot runs it, with the kubeVersion the chart asks for."""
    args = [helm, 'template', 'unroot', chart] + extra
    r = subprocess.run(args, capture_output=True, text=True, env=env)
    m = re.search(r'chart requires kubeVersion: [^0-9<!]*([0-9][0-9.]*)', r.stderr)
    if r.returncode and m:
        r = subprocess.run(args + ['--kube-version', m.group(1).rstrip('.')],
                           capture_output=True, text=True, env=env)
    return r.stdout if r.returncode == 0 else None


def check(unroot, helm, chart):
    """The problems of one chart, as lines of text."""
    env = dict(os.environ, PATH=os.path.dirname(os.path.abspath(helm)) + ':' + os.environ.get('PATH', ''))
    r = subprocess.run([unroot, 'lint', '--no-config', '-f', 'json', '--helm', helm, chart],
                       cwd=CASES, capture_output=True, text=True, env=env)
    try:
        diags = json.loads(r.stdout)['diagnostics']
    except (ValueError, KeyError):
        return ['%s: unroot gave no JSON (exit %d)' % (chart, r.returncode)]
    where = {}
    for d in diags:
        m = RENDERS.search(d['message'])
        if not m or os.path.basename(d['path']) == 'values.yaml' or '!' in d['path']:
            continue
        where.setdefault((d['path'], d['line']), []).append('%s `%s`' % (d['rule'], m.group(2)))
    if not where:
        return []
    problems = []
    tmp = tempfile.mkdtemp()
    try:
        env['HOME'] = tmp
        copy = os.path.join(tmp, os.path.basename(chart))
        shutil.copytree(os.path.join(CASES, chart), copy)
        marks = {}
        for path in sorted({p for p, _ in where}):
            rel = os.path.relpath(path, chart)
            with open(os.path.join(copy, rel)) as f:
                lines = f.read().split('\n')
            for line in sorted({l for p, l in where if p == path}, reverse=True):
                text = lines[line - 1]
                if re.match(r'^\s*-?\s*spec:\s*$', text):
                    for what in where[(path, line)]:
                        if not re.search(r'`-?\s*spec:', what):
                            problems.append('%s:%d: on a spec: line: %s' % (path, line, what))
                mark = 'unroot-line-%d' % len(marks)
                marks[mark] = (path, line)
                indent = len(text) - len(text.lstrip(' '))
                lines.insert(line - 1, ' ' * indent + '# ' + mark)
            with open(os.path.join(copy, rel), 'w') as f:
                f.write('\n'.join(lines))
        out = [render(helm, copy, env, []), render(helm, copy, env, OPENSHIFT)]
        if out[0] is None and out[1] is None:
            return ['%s: the marked copy does not render' % chart]
        text = ''.join(o or '' for o in out)
        for mark, (path, line) in marks.items():
            if not re.search(re.escape(mark) + r'(?![0-9])', text):
                problems.append('%s:%d: did not render: %s' % (path, line, ', '.join(where[(path, line)])))
    finally:
        shutil.rmtree(tmp)
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('unroot')
    ap.add_argument('--helm', default=DEFAULT_HELM)
    a = ap.parse_args()
    if not os.access(a.helm, os.X_OK):
        print('no helm at %s' % a.helm)
        return 77
    unroot = os.path.abspath(a.unroot)
    bad = 0
    found = charts()
    for chart in found:
        for p in check(unroot, a.helm, chart):
            print(p)
            bad += 1
    print('%d charts: %d rendered findings on lines that did not render or on spec:' % (len(found), bad))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/env python3
"""Run unroot on the real-world cases and compare its findings with the verdicts.

    eval.py UNROOT                 report: precision and recall per rule, false
                                   findings, misses, unjudged findings
    eval.py --check UNROOT         for the test suite: exit 1 when a finding judged
                                   true is gone or a fixed false alarm is back
    eval.py --sheet UNROOT         every finding with its source line and message,
                                   and its verdict if it has one (for judging)
    eval.py --mark-fixed UNROOT    rewrite verdicts.tsv: false findings no longer
                                   reported become 'fixed', so they cannot come back

Options: --helm BIN renders the charts with BIN (the report's default is
tests/.tools/helm/helm when present; --check renders only when given --helm,
and otherwise leaves out the verdicts of what only rendering finds: the
Kubernetes rules and render errors on charts; a render leaves out the note
NR003 that says charts were not rendered), --helm '' renders nothing,
--jobs N, --case SUBSTRING (only matching cases).

A case is a folder under cases/ that unroot reads as a whole (a Dockerfile with
its build context, a chart, manifests); each commit under cases/commits/ gives
two, before/ and after/.  unroot runs with cases/ as working directory, so every
path is relative to it.

verdicts.tsv: path, line, rule, where, verdict, reason.  `where` is the
finding's object kind and container ("Deployment/app"), or "-" when it has none,
so one rule on one line can be judged per container.  verdict is true, false
(a false alarm unroot still gives) or fixed (a false alarm that is gone and must
stay gone).  misses.tsv: path, line, rule, description: what unroot should
report and does not (rule NEW: no rule covers it yet); a miss counts as found
when a finding with the same path, line and rule appears.  commits.tsv: case,
before, after, cause: for each commit that fixed a non-root or OpenShift
failure, the finding (path:line:rule, inside before/) that names the cause, and
the one that must be gone in after/ (line * = anywhere in that file).
"""
import argparse
import collections
import concurrent.futures
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, 'cases')
VERDICTS = os.path.join(HERE, 'verdicts.tsv')
MISSES = os.path.join(HERE, 'misses.tsv')
COMMITS = os.path.join(HERE, 'commits.tsv')
DEFAULT_HELM = os.path.join(HERE, '..', '.tools', 'helm', 'helm')


def case_dirs():
    """Every folder unroot is run on, relative to cases/."""
    out = []
    for name in sorted(os.listdir(CASES)):
        if name == 'commits':
            for c in sorted(os.listdir(os.path.join(CASES, name))):
                for side in ('before', 'after'):
                    if os.path.isdir(os.path.join(CASES, name, c, side)):
                        out.append(f'{name}/{c}/{side}')
        elif os.path.isdir(os.path.join(CASES, name)):
            out.append(name)
    return out


def run_case(unroot, helm, cases):
    cmd = [unroot, 'lint', '-f', 'json', '--no-config', '--fail-on', 'none']
    if helm:
        cmd += ['--helm', helm]
    cmd += cases
    case = cases[0] if len(cases) == 1 else 'cases'

    env = dict(os.environ, NO_COLOR='1')
    if not helm:
        # Without --helm, unroot would take any helm on PATH: keep runs alike.
        env['PATH'] = '/usr/bin:/bin'
    p = subprocess.run(cmd, cwd=CASES, capture_output=True, text=True, env=env)
    if p.returncode not in (0, 1, 2) or not p.stdout.strip():
        raise RuntimeError(f'{case}: unroot exited {p.returncode}: {p.stderr.strip()}')
    return json.loads(p.stdout)['diagnostics']


def where(d):
    """The finding's object kind and container: "Deployment/app".  The
    object's name is left out: rendered charts name objects after the release
    and some after random strings."""
    kind = d.get('object', '').split('/')[0]
    parts = [kind, d.get('container', '')]
    w = '/'.join(p for p in parts if p)
    # Chart tests name their pods and containers with `randAlpha 5`.
    w = re.sub(r'-[a-z]{5}-test', '-*-test', w)
    return w or '-'


def keys(findings):
    """One key per finding; the second finding with the same path, line, rule
    and object gets '#2' after its `where`, and so on, so duplicates are judged
    one by one."""
    count = collections.Counter()
    out = []
    for d in findings:
        k = (d['path'], str(d['line']), d['rule'], where(d))
        count[k] += 1
        if count[k] > 1:
            k = k[:3] + (f'{k[3]}#{count[k]}',)
        out.append(k)
    return out


def read_tsv(path, ncols):
    rows = []
    if not os.path.exists(path):
        return rows
    with open(path, encoding='utf-8') as f:
        header = True
        for n, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if header:
                header = False
                continue
            if not line or line.startswith('#'):
                continue
            cols = line.split('\t')
            if len(cols) != ncols:
                sys.exit(f'{path}:{n}: {len(cols)} columns, want {ncols}')
            rows.append(cols)
    return rows


def load_verdicts():
    v = {}
    for path, line, rule, w, verdict, reason in read_tsv(VERDICTS, 6):
        if verdict not in ('true', 'false', 'fixed'):
            sys.exit(f'verdicts.tsv: {path}:{line} {rule}: verdict {verdict!r}')
        k = (path, line, rule, w)
        if k in v:
            sys.exit(f'verdicts.tsv: {path}:{line} {rule} {w} judged twice')
        v[k] = (verdict, reason)
    return v


def load_misses():
    return [tuple(r) for r in read_tsv(MISSES, 4)]


def collect(args):
    cases = [c for c in case_dirs() if not args.case or args.case in c]
    if not args.helm:
        # Static checks only: one run over every case takes well under a second.
        return cases, run_case(args.unroot, '', cases)
    findings = []
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        for diags in pool.map(lambda c: run_case(args.unroot, args.helm, [c]), cases):
            findings.extend(diags)
    return cases, findings


def rendered(k, charts):
    """A finding that only rendering gives: the Kubernetes rules and render
    errors on a chart."""
    return (k[2].startswith('NR2') or k[2] == 'NR000') and in_cases(k[0], charts)


def unrendered(k, charts):
    """A note said only when the charts are not rendered (NR003: no helm)."""
    return k[2] == 'NR003' and in_cases(k[0], charts)


def in_cases(path, cases):
    return any(path == c or path.startswith(c + '/') for c in cases)


def source_line(path, line):
    try:
        with open(os.path.join(CASES, path), encoding='utf-8', errors='replace') as f:
            for n, text in enumerate(f, 1):
                if n == line:
                    return text.strip()
    except OSError:
        pass
    return ''


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('unroot')
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument('--check', action='store_true')
    mode.add_argument('--sheet', action='store_true')
    mode.add_argument('--mark-fixed', action='store_true')
    ap.add_argument('--helm', default=None)
    ap.add_argument('--jobs', type=int, default=(os.cpu_count() or 1) + 1)
    ap.add_argument('--case', default='')
    args = ap.parse_args()
    args.unroot = os.path.abspath(args.unroot)
    if args.helm is None:
        # The report renders the charts with the helm the tests install; the
        # check stays static unless --helm is given, so the suite stays fast.
        use = not args.check and os.access(DEFAULT_HELM, os.X_OK)
        args.helm = os.path.abspath(DEFAULT_HELM) if use else ''
    elif args.helm:
        args.helm = os.path.abspath(args.helm)

    cases, findings = collect(args)
    charts = [c for c in cases if os.path.exists(os.path.join(CASES, c, 'Chart.yaml'))]
    verdicts = {k: v for k, v in load_verdicts().items() if in_cases(k[0], cases)
                and (not rendered(k, charts) if not args.helm
                     else not unrendered(k, charts))}
    # What this run can judge: mark-fixed leaves the rest alone.
    considered = set(verdicts)
    misses = [m for m in load_misses() if in_cases(m[0], cases)
              and (args.helm or not rendered(m, charts))]

    findings.sort(key=lambda d: (d['path'], d['line'], d['column'], d['rule'],
                                 where(d), d['message']))
    fkeys = keys(findings)
    seen = collections.Counter(fkeys)
    by_key = dict(zip(fkeys, findings))
    # Helm test pods may carry random names: when a finding has no verdict,
    # take the only verdict of the same path, line and rule, if that verdict
    # matches no other finding.
    by_loc = collections.defaultdict(list)
    for k in verdicts:
        by_loc[k[:3]].append(k)
    seen_loc = collections.Counter(k[:3] for k in seen)
    for k in list(seen):
        cands = by_loc.get(k[:3], [])
        if k not in verdicts and len(cands) == 1 and seen_loc[k[:3]] == 1 \
                and cands[0] not in seen:
            verdicts[k] = verdicts.pop(cands[0])

    if args.sheet:
        for k in sorted(by_key, key=lambda k: (k[0], int(k[1]), k[2], k[3])):
            d = by_key[k]
            v = verdicts.get(k, ('?', ''))
            print('\t'.join([*k, v[0], source_line(d['path'], d['line'])[:120],
                             d['message'].replace('\n', ' ')[:400]]))
        return 0

    if args.mark_fixed:
        lines = open(VERDICTS, encoding='utf-8').read().split('\n')
        changed = 0
        for i, line in enumerate(lines):
            cols = line.split('\t')
            if len(cols) == 6 and cols[4] == 'false' and tuple(cols[:4]) in considered \
                    and tuple(cols[:4]) not in seen:
                cols[4] = 'fixed'
                lines[i] = '\t'.join(cols)
                changed += 1
        open(VERDICTS, 'w', encoding='utf-8').write('\n'.join(lines))
        print(f'{changed} false findings marked fixed')
        return 0

    tp = collections.Counter()      # judged true, reported
    fp = collections.Counter()      # judged false, reported
    lost = []                       # judged true, not reported
    back = []                       # judged fixed, reported again
    gone = []                       # judged false, not reported any more
    unjudged = []
    false_found = []
    for k, n in seen.items():
        rule = k[2]
        v = verdicts.get(k)
        if v is None:
            unjudged.append(k)
        elif v[0] == 'true':
            tp[rule] += n
        elif v[0] == 'false':
            fp[rule] += n
            false_found.append((k, v[1]))
        else:
            fp[rule] += n
            back.append((k, v[1]))
    for k, (verdict, reason) in verdicts.items():
        if k in seen:
            continue
        if verdict == 'true':
            lost.append((k, reason))
        elif verdict == 'false':
            gone.append((k, reason))

    reported = {(k[0], k[1], k[2]) for k in seen}
    found_miss = collections.Counter()
    open_miss = collections.Counter()
    open_misses = []
    for m in misses:
        if (m[0], m[1], m[2]) in reported:
            found_miss[m[2]] += 1
        else:
            open_miss[m[2]] += 1
            open_misses.append(m)

    def fmt(k):
        return f'{k[0]}:{k[1]}: {k[2]}' + ('' if k[3] == '-' else f' [{k[3]}]')

    if args.check:
        for k, reason in sorted(lost):
            print(f'LOST    {fmt(k)}: judged true, no longer reported')
        for k, reason in sorted(back):
            print(f'BACK    {fmt(k)}: a fixed false alarm is reported again ({reason})')
        for k, reason in sorted(gone):
            print(f'FIXED   {fmt(k)}: false alarm gone; run eval.py --mark-fixed')
        for k in sorted(unjudged):
            print(f'NEW     {fmt(k)}: no verdict yet; judge it in verdicts.tsv')
        for m in sorted(misses):
            if (m[0], m[1], m[2]) in reported:
                print(f'FOUND   {m[0]}:{m[1]}: {m[2]}: a known miss is now reported; '
                      'move it to verdicts.tsv')
        total_tp, total_fp = sum(tp.values()), sum(fp.values())
        print(f'realworld: {len(cases)} cases, {len(findings)} findings, '
              f'{total_tp} true, {total_fp} false, {len(unjudged)} unjudged, '
              f'{len(open_misses)} known misses')
        bad = len(lost) + len(back)
        print(f'{len(seen) - bad} passed, {bad} failed' if bad else 'realworld: ok')
        return 1 if bad else 0

    rules = sorted(set(tp) | set(fp) | set(found_miss) | set(open_miss))
    print(f'{len(cases)} cases, {len(findings)} findings '
          f'({len(unjudged)} unjudged), {len(misses)} known misses\n')
    print(f'{"rule":6} {"true":>5} {"false":>5} {"precision":>9} '
          f'{"misses":>6} {"recall":>7}')
    for r in rules + ['total']:
        t = sum(tp.values()) if r == 'total' else tp[r]
        f = sum(fp.values()) if r == 'total' else fp[r]
        fm = sum(found_miss.values()) if r == 'total' else found_miss[r]
        om = sum(open_miss.values()) if r == 'total' else open_miss[r]
        prec = f'{100 * t / (t + f):8.1f}%' if t + f else '        -'
        rec = f'{100 * (t + fm) / (t + fm + om):6.1f}%' if t + fm + om else '      -'
        print(f'{r:6} {t:5} {f:5} {prec} {om:6} {rec}')
    if false_found or back:
        print('\nfalse findings:')
        for k, reason in sorted(false_found + back):
            print(f'  {fmt(k)}: {reason}')
    if open_misses:
        print('\nmisses:')
        for m in sorted(open_misses):
            print(f'  {m[0]}:{m[1]}: {m[2]}: {m[3]}')
    if lost:
        print('\njudged true, no longer reported:')
        for k, reason in sorted(lost):
            print(f'  {fmt(k)}')
    if gone:
        print('\nfalse alarms no longer reported (eval.py --mark-fixed):')
        for k, reason in sorted(gone):
            print(f'  {fmt(k)}')
    commit_rows = [r for r in read_tsv(COMMITS, 4) if in_cases(r[0] + '/before', cases)]
    if commit_rows:
        named = dropped = with_cause = 0
        lines = []
        for case, before, after, cause in commit_rows:
            if before == '-':
                lines.append(f'  {case}: cause not named: {cause}')
                continue
            with_cause += 1
            bp, bl, br = before.rsplit(':', 2)
            is_named = (f'{case}/before/{bp}', bl, br) in reported
            named += is_named
            gone = True
            if after != '-':
                ap, al, ar = after.rsplit(':', 2)
                apath = f'{case}/after/{ap}'
                gone = not any(k[0] == apath and k[2] == ar and al in ('*', k[1])
                               for k in reported)
            dropped += is_named and gone
            state = ('named, gone after' if is_named and gone else
                     'named, still reported after' if is_named else 'not named')
            lines.append(f'  {case}: {state}: {cause}')
        print(f'\ncommits: {len(commit_rows)}, cause named before the fix in {named}, '
              f'and gone after it in {dropped} (of {with_cause} with a cause unroot can name)')
        for l in sorted(lines):
            print(l)
    if unjudged:
        print('\nunjudged findings:')
        for k in sorted(unjudged):
            print(f'  {fmt(k)}: {by_key[k]["message"][:160]}')
    return 0


if __name__ == '__main__':
    sys.exit(main())

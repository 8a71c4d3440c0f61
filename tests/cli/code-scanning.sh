#!/usr/bin/env bash
# Reports for code scanning (SARIF, github, codeclimate): paths relative to the
# repository's top folder wherever unroot runs in it (--base-dir overrides it), and
# fingerprints that stay when lines move and change when the flagged text does, and
# SARIF fixes that are the findings' exact edits.
. "$(dirname "$0")/lib.sh"

mkdir -p repo/.git repo/deploy repo/sub
printf 'FROM alpine:3.20\nUSER root\n' >repo/deploy/Dockerfile
uri() { sed -n 's/.*"uri": "\([^"]*\)".*/\1/p' "$1" | head -1; }
fp() { sed -n 's/.*"unroot\/v1": "\([0-9a-f]*\)".*/\1/p' "$1" | head -1; }

cd repo/sub || exit 2
status 1 "sarif from a subfolder" lint --no-config -f sarif ../deploy/Dockerfile
ok "sarif uri is relative to the repository" test "$(uri out)" = "deploy/Dockerfile"
fp1=$(fp out)
ok "sarif has a fingerprint" test "${#fp1}" = 32
status 1 "github from a subfolder" lint --no-config -f github ../deploy/Dockerfile
ok "github file= is relative to the repository" has out "::error file=deploy/Dockerfile,"
status 1 "codeclimate from a subfolder" lint --no-config -f codeclimate ../deploy/Dockerfile
ok "codeclimate path is relative to the repository" has out '"path": "deploy/Dockerfile"'
ok "codeclimate and sarif fingerprints agree" has out "\"fingerprint\": \"$fp1\""
status 1 "--base-dir" lint --no-config -f sarif --base-dir .. ../deploy/Dockerfile
ok "--base-dir ..: same uri" test "$(uri out)" = "deploy/Dockerfile"
status 1 "--base-dir ../deploy" lint --no-config -f sarif --base-dir ../deploy ../deploy/Dockerfile
ok "--base-dir ../deploy: uri Dockerfile" test "$(uri out)" = "Dockerfile"
ok "the fingerprint follows the path from the base" test "$(fp out)" != "$fp1"
printf 'base-dir: ../deploy\n' >.unroot.yaml
status 1 "config base-dir" lint -f sarif ../deploy/Dockerfile
ok "config base-dir is taken from the config's folder" test "$(uri out)" = "Dockerfile"
rm .unroot.yaml
# Text and JSON keep the path as it was named.
status 1 "json" lint --no-config -f json ../deploy/Dockerfile
ok "json keeps the path as named" has out '"path": "../deploy/Dockerfile"'
cd ../.. || exit 2

# Lines moved: the same fingerprint. The flagged text changed: another one.
printf '# a comment\n\nFROM alpine:3.20\nRUN true\nUSER   root\n' >repo/deploy/Dockerfile
(cd repo && "$UNROOT" lint --no-config -f sarif deploy/Dockerfile >out 2>/dev/null)
ok "a moved line keeps its fingerprint" test "$(fp repo/out)" = "$fp1"
printf 'FROM alpine:3.20\nUSER 0\n' >repo/deploy/Dockerfile
(cd repo && "$UNROOT" lint --no-config -f sarif deploy/Dockerfile >out 2>/dev/null)
ok "another text, another fingerprint" test "$(fp repo/out)" != "$fp1"

# Outside any repository the folder unroot runs in is the base.
mkdir -p plain/x
printf 'FROM alpine:3.20\nUSER root\n' >plain/x/Dockerfile
(cd plain && "$UNROOT" lint --no-config -f sarif x/Dockerfile >out 2>/dev/null)
ok "no repository: relative to the working folder" test "$(uri plain/out)" = "x/Dockerfile"

# A finding's fix is the exact replacement of its span: JSON carries it as edits, and
# SARIF as fixes (artifactChanges with replacements), the same bytes in both. NR109 on
# COPY --chown points at the flag, and its edit replaces the flag alone, owner as written.
mkdir -p edits/app
printf 'FROM alpine:3.20\nARG APP=app\nCOPY --chown=${APP}:${APP} app /app\nUSER 1001:0\n' >edits/Dockerfile
(cd edits && "$UNROOT" lint --no-config -f json Dockerfile >json 2>/dev/null)
(cd edits && "$UNROOT" lint --no-config -f sarif Dockerfile >sarif 2>/dev/null)
ok "NR109: the JSON edit replaces the flag it points at, and SARIF's fix is the same edit" \
	python3 - edits <<'PY'
import json, sys
d = sys.argv[1]
text = open(d + '/Dockerfile', 'rb').read()
finding = [f for f in json.load(open(d + '/json'))['diagnostics'] if f['rule'] == 'NR109'][0]
edit, = finding['edits']
lines = text.split(b'\n')
start = sum(len(l) + 1 for l in lines[:finding['line'] - 1]) + finding['column'] - 1
assert (edit['path'], edit['offset'], edit['length']) == ('Dockerfile', start, len(b'--chown=${APP}:${APP}')), edit
assert text[edit['offset']:edit['offset'] + edit['length']] == b'--chown=${APP}:${APP}', edit
assert edit['text'] == '--chown=${APP}:0', edit
result = [r for r in json.load(open(d + '/sarif'))['runs'][0]['results'] if r['ruleId'] == 'NR109'][0]
fix, = result['fixes']
change, = fix['artifactChanges']
rep, = change['replacements']
assert change['artifactLocation']['uri'] == 'Dockerfile', change
assert rep['deletedRegion'] == {'byteOffset': edit['offset'], 'byteLength': edit['length']}, rep
assert rep['insertedContent'] == {'text': edit['text']}, rep
PY

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]

#!/usr/bin/env bash
# --output never replaces an input, and a report is written whole or not at all.
. "$(dirname "$0")/lib.sh"

printf 'FROM alpine:3.20\nUSER root\n' >Dockerfile
cp Dockerfile Dockerfile.orig

status 2 "--output naming the input" lint --no-config --output Dockerfile Dockerfile
ok "the input is left as it was" cmp -s Dockerfile Dockerfile.orig
ok "says why" has err "--output 'Dockerfile' is the input 'Dockerfile'"
ln Dockerfile hard.Dockerfile
status 2 "--output naming a hard link to the input" lint --no-config --output hard.Dockerfile Dockerfile
ln -s Dockerfile link
status 2 "--output naming a symlink to the input" lint --no-config --output link Dockerfile
ok "the input is still left as it was" cmp -s Dockerfile Dockerfile.orig
mkdir ctx && cp Dockerfile ctx/Dockerfile
status 2 "--output naming an input found in a folder" lint --no-config --output ctx/Dockerfile ctx
ok "the folder's input is left as it was" cmp -s ctx/Dockerfile Dockerfile.orig
status 2 "simulate --output naming the input" simulate --no-config --output Dockerfile Dockerfile
ok "simulate: the input is left as it was" cmp -s Dockerfile Dockerfile.orig
printf 'x: 1\n' >values.yaml
status 2 "--output naming a --values file" lint --no-config --values values.yaml --output values.yaml Dockerfile

# A new file, an old report replaced whole, a device written in place.
status 1 "a new report file" lint --no-config --output report.txt Dockerfile
ok "the report is there" has report.txt "[NR102 user-root]"
chmod 640 report.txt
status 1 "an old report replaced" lint --no-config -f json --output report.txt Dockerfile
ok "the new report" has report.txt '"rule": "NR102"'
ok "the old report's mode kept" test "$(stat -c %a report.txt)" = 640
ln -s report.txt report-link
status 1 "a symlink to a report: the report it names is replaced" lint --no-config --output report-link Dockerfile
ok "the symlink stays a symlink" test -L report-link
ok "its target holds the text report" has report.txt "[NR102 user-root]"
status 1 "--output /dev/stdout" lint --no-config --output /dev/stdout Dockerfile
ok "/dev/stdout: the report on stdout" has out "[NR102 user-root]"
ok "no temporary file left" test -z "$(find . -name '.*.??????')"

# A report that cannot be written whole leaves the old one as it was, and no temporary file.
{ echo 'FROM alpine:3.20'; for i in $(seq 1 200); do echo "RUN useradd u$i"; done; } >many.Dockerfile
"$UNROOT" lint --no-config -f json --output old.json Dockerfile >/dev/null 2>&1
cp old.json old.json.orig
(
	trap '' XFSZ # a write past the limit then fails with EFBIG instead of killing
	ulimit -f 4
	"$UNROOT" lint --no-config -f json --output old.json many.Dockerfile >out 2>err
	echo $? >rc
)
ok "a failed write: exit 2" test "$(cat rc)" = 2
ok "a failed write: says so" has err "cannot write"
ok "a failed write: the old report is left whole" cmp -s old.json old.json.orig
ok "a failed write: no temporary file left" test -z "$(find . -name '.old.json.*')"
finish

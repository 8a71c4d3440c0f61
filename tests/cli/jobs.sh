#!/usr/bin/env bash
# Many Dockerfiles on several threads give the same report as on one: the same
# findings in the same order, the same suppressions (used and unused), the same
# NR000 for unreadable inputs, the same exit status.
. "$(dirname "$0")/lib.sh"
: "${UNROOT_CORPUS:?}"

mkdir tree
n=0
for f in "$UNROOT_CORPUS"/dockerfiles/*Dockerfile*; do
	[ -f "$f" ] || continue
	for k in 1 2 3 4 5; do
		mkdir -p "tree/d$k"
		cp "$f" "tree/d$k/$n.Dockerfile"
		n=$((n + 1))
	done
done
# A suppression that matches, one that matches nothing, and inputs that cannot be read.
printf 'FROM alpine:3.20\n# unroot ignore=NR102 root on purpose\nUSER root\n' >tree/supp.Dockerfile
printf 'FROM alpine:3.20\n# unroot ignore=NR108 nothing here\nUSER 1001:0\n' >tree/unused.Dockerfile
printf 'FROM alpine\x00\nUSER 1001:0\n' >tree/nul.Dockerfile
printf 'FROM alpine:3.20\nRUN <<EOF\necho\n' >tree/heredoc.Dockerfile
ok "enough inputs for threads ($n)" [ "$n" -ge 100 ]

for fmt in json text; do
	"$UNROOT" lint --no-config -f "$fmt" -j 1 tree >serial 2>serial.err
	s1=$?
	"$UNROOT" lint --no-config -f "$fmt" -j 4 tree >parallel 2>parallel.err
	s4=$?
	ok "$fmt: same exit status ($s1, $s4)" [ "$s1" = "$s4" ]
	ok "$fmt: same report on 1 and 4 threads" cmp -s serial parallel
	ok "$fmt: same summary" cmp -s serial.err parallel.err
done
ok "the suppression was applied" hasnt parallel "supp.Dockerfile:3:1: error"
ok "the unused suppression is NR001" grep -q "unused.Dockerfile:2:.*NR001" parallel
ok "the NUL byte is NR000" grep -q "nul.Dockerfile:1:.*NR000" parallel
ok "exit status 2 for the unreadable input" [ "$s4" = 2 ]

# The default (one thread per CPU) agrees too, and a bad value is a usage error.
"$UNROOT" lint --no-config -f text tree >default 2>/dev/null
ok "default threads: same report" cmp -s serial default
status 2 "--jobs 0 is refused" lint --no-config -j 0 tree
status 2 "--jobs x is refused" lint --no-config --jobs x tree
finish

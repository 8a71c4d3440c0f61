#!/usr/bin/env bash
# Exit status 0, 1 and 2 as DESIGN.md specifies, usage errors, and stdin.
. "$(dirname "$0")/lib.sh"

printf 'FROM alpine:3.20\nUSER 1001:0\n' >clean.Dockerfile
printf 'FROM alpine:3.20\nUSER root\n' >root.Dockerfile

status 0 "version" version
ok "version names the tool" has out "unroot 0."
status 2 "no arguments" 
status 2 "lint without paths" lint --no-config
status 2 "unknown option" lint --no-such-option clean.Dockerfile
status 2 "unknown format" lint -f yaml clean.Dockerfile
status 2 "lint takes no --write" lint --write clean.Dockerfile
status 2 "lint takes no --diff" lint --diff clean.Dockerfile
status 2 "bad --fail-on" lint --fail-on loud clean.Dockerfile
status 2 "bad --platform" lint --platform windows clean.Dockerfile
status 2 "bad --uid-range" lint --uid-range 12 clean.Dockerfile
status 0 "help" lint --help
ok "help lists --fail-on" has out "--fail-on"

status 0 "a clean file" lint --no-config clean.Dockerfile
ok "clean: nothing on stdout" test ! -s out
ok "clean: a summary on stderr" has err "1 input, 0 errors"
status 0 "-q: no summary" lint --no-config -q clean.Dockerfile
ok "-q: stderr empty" test ! -s err

mkdir empty
status 0 "an empty folder" lint --no-config empty
ok "empty folder: no inputs" has err "0 inputs"

status 1 "an error finding" lint --no-config root.Dockerfile
ok "the finding names the rule" has out "[NR102 user-root]"
ok "text format is PATH:LINE:COL: SEVERITY:" has out "root.Dockerfile:2:1: error:"
status 0 "--fail-on none" lint --no-config --fail-on none root.Dockerfile
status 1 "--fail-on error" lint --no-config --fail-on error root.Dockerfile
status 0 "--ignore by code" lint --no-config --ignore NR102,NR104,NR105,NR106,NR107 --fail-on error root.Dockerfile
status 0 "--ignore by name" lint --no-config --ignore user-root --fail-on error root.Dockerfile

# A missing input is exit 2, and the other inputs are still linted.
status 2 "a missing file" lint --no-config nope.Dockerfile root.Dockerfile
ok "missing: NR000 names it" has out "nope.Dockerfile:1:1: error: cannot open"
ok "missing: the other file is linted" has out "root.Dockerfile:2:1"

# stdin
"$UNROOT" lint --no-config --type dockerfile - <root.Dockerfile >out 2>err
ok "stdin is read with --type" test $? = 1
ok "stdin is called -" has out "-:2:1: error:"
"$UNROOT" lint --no-config - <root.Dockerfile >out 2>err
ok "stdin: a Dockerfile is recognised without --type" test $? = 1
printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n  - {name: app, image: x}\n' >pod.txt
"$UNROOT" lint --no-config - <pod.txt >out 2>err
ok "stdin: a manifest is recognised without --type" has out "[NR202 "
echo "hello" >hello.txt
"$UNROOT" lint --no-config - <hello.txt >out 2>err
ok "stdin: unknown content is exit 2" test $? = 2
ok "stdin: unknown content says --type" has out "say it with --type"

# --output
status 1 "--output" lint --no-config -f json --output report.json root.Dockerfile
ok "--output: stdout empty" test ! -s out
ok "--output: the file has the report" has report.json '"rule": "NR102"'

# A report that cannot be written is exit status 2 with a message, also when it is
# written out in pieces (a report of many findings).
if [ -w /dev/full ]; then
	printf 'FROM alpine:3.20\nUSER root\n' >full.Dockerfile
	"$UNROOT" lint --no-config full.Dockerfile >/dev/full 2>err
	ok "write error: exit 2" [ $? = 2 ]
	ok "write error: says so" has err "cannot write the report"
	mkdir -p many
	for i in $(seq 1 400); do cp full.Dockerfile "many/$i.Dockerfile"; done
	"$UNROOT" lint --no-config -f json many >/dev/full 2>err
	ok "write error, long report: exit 2" [ $? = 2 ]
	"$UNROOT" lint --no-config -f json many >many.json 2>/dev/null
	ok "long report: whole JSON" python3 -c "import json,sys; d=json.load(open('many.json')); sys.exit(0 if len(d['diagnostics'])>=400 else 1)"
fi

# explain and rules
status 0 "explain by code" explain NR102
ok "explain shows a bad example" has out "Bad"
status 0 "explain by name" explain user-root
status 2 "explain an unknown rule" explain NR999
status 0 "rules" rules
ok "rules lists NR000" has out "NR000"
status 0 "rules as json" rules --format json
status 0 "rules as markdown" rules --format markdown
ok "markdown has a heading per rule" has out "## NR102 user-root"


# Dockerfile names a folder walk takes (Dockerfile-alpine, Dockerfile_prod,
# Containerfile-chroot, x.dockerfile) and what it leaves (a script beside them);
# a file named on the command line with a name that says nothing is read for
# what it starts with.
mkdir names
for n in Dockerfile-alpine Dockerfile_prod Containerfile-chroot web.dockerfile; do
	printf 'FROM alpine:3.20\nUSER root\n' >"names/$n"
done
printf 'echo build\n' >names/Dockerfile-build.sh
status 1 "Dockerfile variants in a walk" lint --no-config names
ok "walk: the four variants are read" has err "4 inputs"
printf '# syntax=docker/dockerfile:1\nARG BASE=alpine:3.20\nFROM $BASE\nUSER root\n' >recipe
status 1 "a named file that starts as a Dockerfile" lint --no-config recipe
ok "named by content: NR102 on USER root" has out "NR102"
printf 'hello\n' >notes
status 2 "a named file that is nothing unroot reads" lint --no-config notes

finish

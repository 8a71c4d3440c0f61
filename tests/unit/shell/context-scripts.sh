#!/usr/bin/env bash
# context-scripts.sh - entrypoint scripts are read only from inside the build
# context: not through "..", not through a symlink that leads out, not over
# the size limit; --context names another folder.
set -u
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

count() { # DIR [ARGS...]: number of NR112 findings
	"$UNROOT" -f json --no-config "${@:2}" "$1" 2>/dev/null | grep -c '"rule": *"NR112"'
}
check() { # NAME WANT GOT
	if [ "$2" != "$3" ]; then
		echo "FAIL $1: want $2 NR112, got $3"
		fail=1
	else
		echo "ok   $1"
	fi
}

printf '#!/bin/sh\nexec gosu app "$@"\n' > "$work/outside.sh"

mkdir -p "$work/in"
printf 'FROM alpine:3.20\nCOPY entrypoint.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\n' > "$work/in/Dockerfile"
cp "$work/outside.sh" "$work/in/entrypoint.sh"
check "a script inside the context is read" 1 "$(count "$work/in")"

# A folder the walk lists answers "is it there?" from its listing; each way of
# naming the input must find the same script.
check "the Dockerfile named on its own (no listing)" 1 "$(count "$work/in/Dockerfile")"
check "the folder named with a trailing slash" 1 "$(count "$work/in/")"
check "the folder named as ." 1 "$(cd "$work/in" && count .)"
mkdir -p "$work/skipped/vendor"
printf 'FROM alpine:3.20\nCOPY vendor/entrypoint.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\n' > "$work/skipped/Dockerfile"
cp "$work/outside.sh" "$work/skipped/vendor/entrypoint.sh"
check "a script in a folder the walk does not enter" 1 "$(count "$work/skipped")"
mkdir -p "$work/shared"
cp "$work/outside.sh" "$work/shared/entrypoint.sh"
for i in $(seq 1 40); do cp "$work/in/Dockerfile" "$work/shared/$i.Dockerfile"; done
check "40 Dockerfiles sharing a folder, linted on threads" 40 "$(count "$work/shared" -j 4)"
check "the same, one thread" 40 "$(count "$work/shared" -j 1)"

mkdir -p "$work/link"
cp "$work/in/Dockerfile" "$work/link/Dockerfile"
ln -s "$work/outside.sh" "$work/link/entrypoint.sh"
check "a symlink leading out of the context is not followed" 0 "$(count "$work/link")"

mkdir -p "$work/inlink/sub"
cp "$work/in/Dockerfile" "$work/inlink/Dockerfile"
cp "$work/outside.sh" "$work/inlink/sub/real.sh"
ln -s sub/real.sh "$work/inlink/entrypoint.sh"
check "a symlink inside the context is followed" 1 "$(count "$work/inlink")"

mkdir -p "$work/dotdot/ctx"
printf 'FROM alpine:3.20\nCOPY ../outside.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\n' > "$work/dotdot/ctx/Dockerfile"
cp "$work/outside.sh" "$work/dotdot/outside.sh"
check "a path with .. is not read" 0 "$(count "$work/dotdot/ctx")"

mkdir -p "$work/other/ctx" "$work/other/df"
cp "$work/in/Dockerfile" "$work/other/df/Dockerfile"
cp "$work/outside.sh" "$work/other/ctx/entrypoint.sh"
check "without --context the Dockerfile's folder is the context" 0 "$(count "$work/other/df")"
check "--context names the folder" 1 "$(count "$work/other/df" --context "$work/other/ctx")"

mkdir -p "$work/big"
cp "$work/in/Dockerfile" "$work/big/Dockerfile"
{ cat "$work/outside.sh"; head -c 9000000 /dev/zero | tr '\0' '#'; } > "$work/big/entrypoint.sh"
check "a script over the size limit is not read" 0 "$(count "$work/big")"

mkdir -p "$work/bin"
cp "$work/in/Dockerfile" "$work/bin/Dockerfile"
printf 'exec gosu app x\n\0\1\2' > "$work/bin/entrypoint.sh"
check "a binary file is not read as a script" 0 "$(count "$work/bin")"
# Many COPY and RUN lines: every RUN runs a copied script; the lookup must stay
# linear enough to finish well inside the test's timeout. The scripts' NR108 and
# the NR000 for the scripts past the first 64 come first of the Dockerfile's
# findings; its 3,000 NR109 pass the 1,000 unroot reports for one input, which a
# note (NR002) says.
mkdir -p "$work/many"
{
	echo 'FROM alpine:3.20'
	for i in $(seq 1 3000); do
		echo "COPY s$i.sh /s$i.sh"
		echo "RUN /s$i.sh && chown -R app:app /x$i"
	done
	echo 'USER 2000:0'
} > "$work/many/Dockerfile"
for i in $(seq 1 100); do printf 'adduser -D x%s\n' "$i" > "$work/many/s$i.sh"; done
start=$(date +%s)
"$UNROOT" -f json --no-config "$work/many" >"$work/many.json" 2>/dev/null
got=$(grep -c '"rule": *"NR108"' "$work/many.json")
echo "     (3000 COPY+RUN pairs in $(($(date +%s) - start)) s)"
check "scripts run by RUN lines are read at most 64 times, each once" 64 "$got"
check "the scripts past the first 64 are an NR000" 1 \
	"$(grep -c "this runs 's65.sh', a script from the build context past the first 64" "$work/many.json")"
check "the findings past the input's 1,000 are counted in a note" 1 \
	"$(grep -c '2065 more findings in this input were left out' "$work/many.json")"

# 20,000 COPY lines and one RUN running 20,000 of the copied scripts: each program is
# looked up through indexes, not through every COPY (that took 30 s).
mkdir -p "$work/wide"
python3 - "$work/wide" <<'PY'
import sys
d = sys.argv[1]
n = 20000
with open(d + "/Dockerfile", "w") as f:
    f.write("FROM alpine:3.20\n" + "".join("COPY s%d.sh /s%d.sh\n" % (i, i) for i in range(n)))
    f.write("RUN " + " && ".join("/s%d.sh" % i for i in range(n)) + "\nUSER 1001:0\n")
for i in range(n):
    open("%s/s%d.sh" % (d, i), "w").write("useradd u%d\n" % i)
PY
start=$(date +%s)
"$UNROOT" -f json --no-config "$work/wide" >"$work/wide.json" 2>/dev/null
took=$(($(date +%s) - start))
echo "     (20,000 COPY lines and programs in $took s)"
check "20,000 copied scripts: the first 64 read" 64 "$(grep -c '"rule": *"NR108"' "$work/wide.json")"
check "20,000 copied scripts: in well under 20 s" 1 "$((took < 20))"

# Bare names looked for in copied folders: 64 names in 65 folders pass the 4,096 look-ups.
mkdir -p "$work/bare"
{
	echo 'FROM alpine:3.20'
	for i in $(seq 1 65); do mkdir -p "$work/bare/d$i"; echo "COPY d$i/ /opt/d$i/"; done
	printf 'RUN true'
	for i in $(seq 1 64); do printf ' && n%s.sh' "$i"; done
	printf '\nUSER 1001:0\n'
} >"$work/bare/Dockerfile"
"$UNROOT" --no-config "$work/bare" >"$work/bare.out" 2>&1
check "bare names: the look-ups past 4,096 are an NR000" 1 \
	"$(grep -c "unroot looked for 4096 programs in the folders this Dockerfile copies from the build context; 'n64.sh' and the programs after it were not looked for" "$work/bare.out")"
exit $fail

#!/usr/bin/env bash
# Every text-side limit says so when it is hit, and hostile inputs stay small: a RUN chmod
# of 30,000 paths, ARG doubling over 60 lines and many of them on 4 threads each stay under
# 64 MB of peak memory (they took 1 GB and more), shell nesting past the reader's limits is
# an NR000 where it stopped, a Dockerfile over 1 MiB is an NR000, and findings past 1,000
# an input are counted in a note.
# (The run's memory limit and the findings cap of a run: tests/unit/test-limits.c.)
. "$(dirname "$0")/lib.sh"

# peak ARGS...: unroot ARGS; its exit status in $rc, its peak memory in KiB in $kb.
peak() {
	local line
	line=$(python3 - "$UNROOT" "$@" <<'PY'
import resource, subprocess, sys
with open("out", "wb") as o, open("err", "wb") as e:
    rc = subprocess.call(sys.argv[1:], stdout=o, stderr=e)
print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
PY
)
	rc=${line% *}
	kb=${line#* }
}
# AddressSanitizer's shadow memory and its quarantine of freed blocks (256 MB unless told)
# come on top of unroot's own: a smaller quarantine, and three times the bound.
limit_mb=64
if grep -q __asan_init "$UNROOT"; then
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8"
	limit_mb=192
fi
# small NAME: the last run stayed under the bound.
small() {
	if [ "$kb" -lt $((limit_mb * 1024)) ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $1: peak memory $((kb / 1024)) MB, want under $limit_mb MB"
	fi
}

# A RUN chmod of 30,000 paths (229 KB): one NR110 naming them all, in linear time and memory.
python3 -c "open('chmod.Dockerfile','w').write('FROM alpine\nRUN chmod 700 '+' '.join('/p%d'%i for i in range(30000))+'\nUSER 1001:0\n')"
peak lint --no-config -f json chmod.Dockerfile
ok "chmod of 30,000 paths: exit 1" test "$rc" = 1
ok "chmod of 30,000 paths: one NR110" test "$(grep -c '"rule": "NR110"' out)" = 1
ok "chmod of 30,000 paths: the fix names every path" grep -q '"fix": "chmod 770 /p0 /p1 .* /p29999"' out
small "chmod of 30,000 paths"

# ARG doubling: the value that passes 1 MiB (ARG a20, line 22) is an NR000 where it is.
python3 -c "open('arg.Dockerfile','w').write('FROM alpine\nARG a0=xy\n'+''.join('ARG a%d=\${a%d}\${a%d}\n'%(i,i-1,i-1) for i in range(1,61))+'USER \$a60\n')"
peak lint --no-config arg.Dockerfile
ok "ARG doubling: exit 2" test "$rc" = 2
ok "ARG doubling: NR000 at ARG a20" has out "arg.Dockerfile:22:1: error: a value here expands to more than 1 MiB (the limit for one value); unroot does not make it, so this Dockerfile was not checked [NR000 parse-error]"
small "ARG doubling"

# All the values of one Dockerfile: at most 16 MiB. ARG a18 is 512 KiB; 40 copies pass it.
python3 -c "open('total.Dockerfile','w').write('FROM alpine\nARG a0=xy\n'+''.join('ARG a%d=\${a%d}\${a%d}\n'%(i,i-1,i-1) for i in range(1,19))+''.join('ARG b%d=\${a18}\n'%i for i in range(40))+'USER 1001:0\n')"
peak lint --no-config total.Dockerfile
ok "expansions adding up: exit 2" test "$rc" = 2
ok "expansions adding up: NR000 where they pass 16 MiB" grep -q "total.Dockerfile:5[0-9]:1: error: the values this Dockerfile expands add up to more than 16 MiB here (the limit for one Dockerfile)" out
small "expansions adding up"

# ARG doubling on 4 threads (80 copies, and 8 of the chmod): each thread's share of the
# run's memory, not a memory of its own each, and each input says its own.
mkdir many
for i in $(seq -w 1 80); do cp arg.Dockerfile "many/a$i.Dockerfile"; done
for i in $(seq 1 8); do cp chmod.Dockerfile "many/c$i.Dockerfile"; done
peak lint --no-config -j 4 many
ok "-j 4: exit 2" test "$rc" = 2
ok "-j 4: every ARG doubling reported" test "$(grep -c 'expands to more than 1 MiB' out)" = 80
ok "-j 4: every chmod reported" test "$(grep -c 'NR110' out)" = 8
small "-j 4 over 88 inputs"

# 110,000 RUN lines (4.6 MB): more than a Dockerfile may have (1 MiB), said where it passes
# it, without reading the rest.
python3 -c "open('runs.Dockerfile','w').write('FROM alpine\n'+'RUN useradd -u 2000 app && chmod 700 /app\n'*110000+'USER 1001:0\n')"
peak lint --no-config runs.Dockerfile
ok "110,000 RUN lines: exit 2" test "$rc" = 2
ok "110,000 RUN lines: NR000 at 1 MiB" has out "runs.Dockerfile:24967:35: error: this Dockerfile is 4620024 bytes, more than the 1 MiB unroot reads of one (real ones are a few kilobytes): it was not checked [NR000 parse-error]"
small "110,000 RUN lines"

# 20,000 of them (840 KB): 1,000 findings and a note of how many more there were.
python3 -c "open('runs.Dockerfile','w').write('FROM alpine\n'+'RUN useradd -u 2000 app && chmod 700 /app\n'*20000+'USER 1001:0\n')"
peak lint --no-config runs.Dockerfile
ok "20,000 RUN lines: exit 1" test "$rc" = 1
ok "20,000 RUN lines: 1,000 findings" test "$(grep -c 'NR108\|NR110' out)" = 1000
ok "20,000 RUN lines: the note" has out "runs.Dockerfile:1:1: info: 39000 more findings in this input were left out: unroot reports at most 1000 an input; fix those above and run it again [NR002 findings-capped]"
ok "20,000 RUN lines: a report of under 1 MB" test "$(wc -c <out)" -lt 1000000
small "20,000 RUN lines"

# Shell nesting: the reader gives up past 15 substitutions or 64 open subshells, and says where.
dollars=$(printf '$(%.0s' $(seq 16)) closes=$(printf ')%.0s' $(seq 16))
printf 'FROM alpine\nRUN echo %suseradd x%s\nUSER 1001:0\n' "$dollars" "$closes" >nest.Dockerfile
status 2 "16 levels of \$(" lint --no-config nest.Dockerfile
ok "16 levels of \$(: NR000 at the 16th" has out "nest.Dockerfile:2:40: error: more than 15 command substitutions (\$(...), \`...\`) and sh -c strings inside one another: unroot's shell reader gives up on this RUN line, so its commands were not checked [NR000 parse-error]"
# every RUN line is read whole, so one that names no command unroot reports on gives up too
printf 'FROM alpine\nRUN echo %strue%s\nUSER 1001:0\n' "$dollars" "$closes" >nest-plain.Dockerfile
status 2 "16 levels of \$( around no command of interest" lint --no-config nest-plain.Dockerfile
ok "16 levels of \$( around true: NR000 at the 16th" has out "nest-plain.Dockerfile:2:40: error: more than 15 command substitutions"
printf 'FROM alpine\nRUN echo %suseradd x%s\nUSER 1001:0\n' "${dollars:2}" "${closes:1}" >nest15.Dockerfile
status 1 "15 levels of \$(: read" lint --no-config nest15.Dockerfile
ok "15 levels of \$(: NR108" has out "[NR108 user-created-in-run]"
printf 'FROM alpine\nRUN sh -c "echo %suseradd x%s"\nUSER 1001:0\n' "${dollars:2}" "${closes:1}" >shc.Dockerfile
status 2 "15 levels of \$( inside sh -c" lint --no-config shc.Dockerfile
ok "inside sh -c: NR000 at its place in the string" has out "shc.Dockerfile:2:45: error: more than 15 command substitutions"
printf 'FROM alpine\nRUN %suseradd x%s\nUSER 1001:0\n' "$(printf '( %.0s' $(seq 65))" "$(printf ' )%.0s' $(seq 65))" >sub.Dockerfile
status 2 "65 subshells" lint --no-config sub.Dockerfile
ok "65 subshells: NR000" has out "sub.Dockerfile:2:133: error: more than 64 subshells and case statements open at once: unroot's shell reader gives up on this RUN line"
printf 'FROM alpine\nRUN %suseradd x%s\nUSER 1001:0\n' "$(printf '( %.0s' $(seq 64))" "$(printf ' )%.0s' $(seq 64))" >sub64.Dockerfile
status 1 "64 subshells: read" lint --no-config sub64.Dockerfile
ok "64 subshells: NR108" has out "[NR108 user-created-in-run]"

# The file size limit and the YAML limits name their numbers.
{ echo "FROM alpine"; head -c 9000000 /dev/zero | tr '\0' '#'; } >huge.Dockerfile
status 2 "a file over 8 MiB" lint --no-config huge.Dockerfile
ok "file size: the message" has out "huge.Dockerfile:1:1: error: cannot read 'huge.Dockerfile': file is larger than the size limit of 8 MiB [NR000 parse-error]"
python3 -c "print('a: ' + '['*250 + ']'*250)" >deep.yaml
status 2 "YAML nested 250 deep" lint --no-config --type k8s deep.yaml
ok "YAML depth: the message" has out "error: nesting is deeper than the limit of 200 levels"
python3 -c "print('a: &a x\nb: [' + ','.join(['*a']*10001) + ']')" >aliases.yaml
status 2 "10,001 aliases" lint --no-config --type k8s aliases.yaml
ok "YAML aliases: the message" has out "error: too many aliases: more than 10000 in one document (the limit)"
python3 -c "
s='a0: &a0 [' + ','.join(['x']*10) + ']\n'
for i in range(1, 8): s += 'a%d: &a%d [' % (i, i) + ','.join(['*a%d' % (i-1)]*10) + ']\n'
open('bomb.yaml','w').write(s)"
status 2 "an alias bomb" lint --no-config --type k8s bomb.yaml
ok "YAML nodes: the message" has out "error: document expands to too many nodes: more than 2000000 with its aliases expanded (the limit; an alias bomb?)"
finish

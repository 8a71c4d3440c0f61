#!/usr/bin/env bash
# A run over many inputs reads them in batches through io_uring where the system allows it,
# and one at a time where it does not (or on one thread): the report is the same either way,
# for files the batches read, and for those they leave to the usual way (larger than the
# room of one read) and for the odd ones (empty, a NUL byte).
. "$(dirname "$0")/lib.sh"

mkdir tree
for i in $(seq 0 119); do
	case $((i % 4)) in
	0) printf 'FROM alpine:3.%d\nUSER %d:0\n' "$i" "$((1000 + i))" ;;
	1) printf 'FROM debian:12\nRUN useradd -u %d app && chown -R app /srv\nUSER app\n' "$i" ;;
	2) printf 'FROM node:20\nCOPY --chown=%d:%d . /app\nRUN chmod 700 /app\n' "$i" "$i" ;;
	3) printf 'FROM ubuntu\n# unroot ignore=NR101 on purpose\nRUN echo %d\n' "$i" ;;
	esac >"tree/$i.Dockerfile"
done
# Larger than one read's room (60 KiB): read again the usual way, with its finding at the end.
{
	echo 'FROM alpine:3.20'
	for i in $(seq 1 3000); do echo "# padding line $i of a large Dockerfile"; done
	echo 'USER root'
} >tree/large.Dockerfile
# Larger than a batch's room for one file (16 KiB): read the usual way too.
{
	echo 'FROM alpine:3.20'
	for i in $(seq 1 600); do echo "# padding line $i of a middling Dockerfile"; done
	echo 'USER 0'
} >tree/middling.Dockerfile
: >tree/empty.Dockerfile
printf 'FROM alpine\x00\nUSER 1001:0\n' >tree/nul.Dockerfile
ok "the large input is larger than one read" [ "$(wc -c <tree/large.Dockerfile)" -gt 61440 ]
ok "the middling one is over 16 KiB" [ "$(wc -c <tree/middling.Dockerfile)" -gt 16384 ]

"$UNROOT" lint --no-config -f json -j 1 tree >serial 2>serial.err
s1=$?
"$UNROOT" lint --no-config -f json -j 3 tree >batched 2>batched.err
s3=$?
ok "same exit status on 1 and 3 threads ($s1, $s3)" [ "$s1" = "$s3" ]
ok "same report on 1 and 3 threads" cmp -s serial batched
ok "same summary" cmp -s serial.err batched.err
ok "the large input's finding is there" grep -q '"path": "tree/large.Dockerfile"' batched

if command -v strace >/dev/null; then
	# Where io_uring is forbidden (container runtimes' seccomp profiles), every file is read
	# the usual way: the same report. (LeakSanitizer cannot run under a tracer.)
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
	strace -f -o /dev/null -e trace=none -e inject=io_uring_setup:error=EPERM \
		"$UNROOT" lint --no-config -f json -j 3 tree >forbidden 2>forbidden.err
	sf=$?
	ok "same exit status without io_uring ($sf)" [ "$sf" = "$s1" ]
	ok "same report without io_uring" cmp -s serial forbidden
	# And where it can be used, it is: the inputs are opened in the ring, not with openat.
	strace -f -o trace -e trace=io_uring_setup,openat \
		"$UNROOT" lint --no-config -f json -j 3 tree >/dev/null 2>&1
	if ! "$UNROOT" version | grep -q liburing; then
		echo "note: unroot was built without liburing; only the usual way was tested"
	elif grep -q 'io_uring_setup(.*) = [0-9]' trace; then
		opened=$(grep -c 'openat(.*tree/[0-9]*\.Dockerfile' trace)
		ok "batched inputs are not opened one by one ($opened)" [ "$opened" -eq 0 ]
		ok "the large input is read the usual way" grep -q 'openat(.*tree/large.Dockerfile' trace
		ok "so is the middling one" grep -q 'openat(.*tree/middling.Dockerfile' trace
	else
		ok "io_uring was asked for" grep -q 'io_uring_setup(' trace
		echo "note: this system does not allow io_uring; only the usual way was tested"
	fi
else
	fail=$((fail + 1))
	echo "FAIL: strace is needed to run without io_uring (scripts/install-deps.sh --test)"
fi
finish

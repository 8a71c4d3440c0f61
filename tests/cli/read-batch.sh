#!/usr/bin/env bash
# A run over many inputs lints them on several threads: the report is the same as on one
# thread, for small files, for one larger than the room of one read, and for the odd ones
# (empty, a NUL byte).
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
: >tree/empty.Dockerfile
printf 'FROM alpine\x00\nUSER 1001:0\n' >tree/nul.Dockerfile
ok "the large input is larger than one read" [ "$(wc -c <tree/large.Dockerfile)" -gt 61440 ]

"$UNROOT" lint --no-config -f json -j 1 tree >serial 2>serial.err
s1=$?
"$UNROOT" lint --no-config -f json -j 3 tree >batched 2>batched.err
s3=$?
ok "same exit status on 1 and 3 threads ($s1, $s3)" [ "$s1" = "$s3" ]
ok "same report on 1 and 3 threads" cmp -s serial batched
ok "same summary" cmp -s serial.err batched.err
ok "the large input's finding is there" grep -q '"path": "tree/large.Dockerfile"' batched

finish

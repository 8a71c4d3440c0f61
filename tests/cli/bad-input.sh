#!/usr/bin/env bash
# Hostile Dockerfiles: each is NR000 with a position or read correctly; never a crash.
. "$(dirname "$0")/lib.sh"

printf 'FROM alpine:3.20\nUSER 1001:0\n' >good.Dockerfile

printf 'FROM alpine\x00\x01\x02\nUSER 1001:0\n' >nul.Dockerfile
status 2 "NUL bytes" lint --no-config nul.Dockerfile good.Dockerfile
ok "NUL: NR000 with a position" grep -qE "nul.Dockerfile:1:[0-9]+: error: .*NR000" out

head -c 100000 /dev/urandom >binary.Dockerfile
status 2 "a binary file" lint --no-config binary.Dockerfile
ok "binary: NR000" has out "[NR000 parse-error]"

# Over the 8 MiB limit.
{ echo "FROM alpine"; head -c 9000000 /dev/zero | tr '\0' '#'; } >huge.Dockerfile
status 2 "a file over the size limit" lint --no-config huge.Dockerfile good.Dockerfile
ok "huge: says the limit" has out "size limit"
ok "huge: the other file still linted" has err "2 inputs"

# 70,000 lines, just under the 1 MiB a Dockerfile may have; with 30,000 more it is over.
{ echo "FROM alpine:3.20"; for i in $(seq 1 70000); do echo "RUN echo $i"; done; echo "USER 1001:0"; } >long.Dockerfile
status 0 "70,000 lines" lint --no-config long.Dockerfile
{ echo "FROM alpine:3.20"; for i in $(seq 1 100000); do echo "RUN echo $i"; done; echo "USER 1001:0"; } >longer.Dockerfile
status 2 "100,000 lines" lint --no-config longer.Dockerfile
ok "100,000 lines: NR000 where the 1 MiB ends" has out "longer.Dockerfile:70646:6: error: this Dockerfile is 1488924 bytes, more than the 1 MiB unroot reads of one (real ones are a few kilobytes): it was not checked [NR000 parse-error]"

printf 'FROM alpine:3.20\nLABEL x="\xff\xfe\xc3("\nUSER 1001:0\n' >utf8.Dockerfile
status 0 "invalid UTF-8 is read" lint --no-config utf8.Dockerfile

printf 'FROM alpine:3.20\nUSER \xff\xfe\n' >utf8user.Dockerfile
"$UNROOT" lint --no-config -f json utf8user.Dockerfile >out 2>err
ok "invalid UTF-8 in a message still gives JSON" grep -q '"summary"' out

printf 'FROM alpine:3.20\r\nUSER root\r\n' >crlf.Dockerfile
status 1 "CRLF" lint --no-config crlf.Dockerfile
ok "CRLF: position of USER" has out "crlf.Dockerfile:2:1:"

printf 'FROM alpine:3.20\nRUN <<EOF\necho open\n' >heredoc.Dockerfile
status 2 "unterminated heredoc" lint --no-config heredoc.Dockerfile
ok "heredoc: NR000 at the opener" has out "heredoc.Dockerfile:2:"

printf '# escape=x\nFROM alpine:3.20\nUSER 1001:0\n' >escape.Dockerfile
status 2 "invalid escape directive" lint --no-config escape.Dockerfile
ok "escape: NR000 on line 1" has out "escape.Dockerfile:1:"

printf 'FROM alpine:3.20\nUSER 1001:0\nCMD ["a", \n' >json.Dockerfile
status 0 "broken JSON form is shell form" lint --no-config json.Dockerfile

printf 'FROM alpine:3.20\nUSER 1001:0\nRUN echo \\\n' >cont.Dockerfile
status 0 "continuation to the end" lint --no-config cont.Dockerfile

: >empty.Dockerfile
"$UNROOT" lint --no-config empty.Dockerfile >out 2>err
ok "an empty file does not crash" test $? -lt 3

# Folders: only Dockerfiles are read, symlinks are not followed, depth is bounded.
mkdir -p tree/a/b tree/node_modules
cp good.Dockerfile tree/a/b/Dockerfile
printf 'FROM alpine\nUSER root\n' >tree/node_modules/Dockerfile
printf 'not a dockerfile\n' >tree/a/notes.txt
ln -s / tree/a/root-link
status 0 "a folder" lint --no-config tree
ok "folder: one input" has err "1 input,"

# Files found in a folder are read in one go when they are small: a large one, and one over
# the limit, are still read whole or refused.
mkdir -p big
cp long.Dockerfile big/Dockerfile
printf 'USER root\n' >>big/Dockerfile
status 1 "a 1 MB Dockerfile in a folder is read to its end" lint --no-config big
ok "big: the last line is seen" has out "big/Dockerfile:70003:"
cp huge.Dockerfile big/Dockerfile
status 2 "a file over the limit in a folder" lint --no-config big
ok "big: says the limit" has out "size limit"

# A pipe named like a Dockerfile in a folder is not a file to read: reading it would wait
# for a writer forever.
mkdir -p pipes
mkfifo pipes/Dockerfile
cp good.Dockerfile pipes/Dockerfile.good
timeout 20 "$UNROOT" lint --no-config pipes >out 2>err
ok "a pipe in a folder is passed over" test $? -eq 0
ok "pipe: the file next to it is linted" has err "1 input,"

d=deep; for i in $(seq 1 80); do d=$d/d; done; mkdir -p "$d"; cp good.Dockerfile "$d/Dockerfile"
status 2 "a folder deeper than the limit" lint --no-config deep
# A root filesystem deeper than its limit (256 folders): the error names the path (it
# was read after the memory holding it was freed, and crashed).
d=deeprootfs; for i in $(seq 1 260); do d=$d/d; done; mkdir -p "$d"
status 2 "a root filesystem deeper than the limit" image --no-config --rootfs deeprootfs
ok "rootfs too deep: says so" has out "is nested more than 256 folders deep, the limit"
finish

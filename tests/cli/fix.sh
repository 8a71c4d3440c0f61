#!/usr/bin/env bash
# unroot fix: the diff git apply and patch -p1 take, --write and what it keeps, --check, the
# exit status, --rule, and the list of what is left to fix by hand.
. "$(dirname "$0")/lib.sh"

# A Dockerfile with fixable findings (--chown, chmod, USER name, gosu) and one that is not
# mechanical (an account created in a RUN).
dockerfile() {
	printf 'FROM alpine:3.20\n# the app\nRUN addgroup -S app && adduser -S -G app app\nCOPY --chown=app:app . /app\nRUN chmod 700 /app/data\nUSER app\nENTRYPOINT ["gosu", "app", "/app/run"]\n'
}
fixable() {
	printf 'FROM alpine:3.20\nCOPY --chown=1001:1001 . /app\nUSER 1001\nCMD ["/app/run"]\n'
}
clean() {
	printf 'FROM alpine:3.20\nCOPY --chown=1001:0 . /app\nUSER 1001:0\nCMD ["/app/run"]\n'
}

# --- the diff --------------------------------------------------------------------------
mkdir -p repo/sub
dockerfile >repo/sub/Dockerfile
fixable >repo/Containerfile
(cd repo && git init -q . && git add . && git -c user.name=t -c user.email=t@t commit -qm base)
cp -r repo plain
cd repo || exit 2
status 1 "diff: the default; a finding left to a person" fix --no-config .
cp out ../fix.patch
cp err ../fix.err
ok "diff: a/ and b/ paths" has ../fix.patch "--- a/sub/Dockerfile"
ok "diff: b/ path" has ../fix.patch "+++ b/sub/Dockerfile"
ok "diff: the --chown edit" has ../fix.patch "+COPY --chown=app:0 . /app"
ok "diff: the USER edit" has ../fix.patch "+USER 1001:0"
ok "diff: the privilege drop unwrapped" has ../fix.patch '+ENTRYPOINT ["/app/run"]'
ok "diff: nothing but the diff on stdout" test "$(grep -cvE '^(--- |\+\+\+ |@@ |[ +-])' ../fix.patch)" = 0
ok "diff: the file is not changed" git diff --quiet
ok "diff: git apply takes it" git apply --check ../fix.patch
ok "diff: what is left is on stderr" has ../fix.err "to fix by hand"
ok "diff: with the rule and the advice" has ../fix.err "[NR108 user-created-in-run]"
ok "diff: and the counts" has ../fix.err "unroot fix: would apply"
git apply ../fix.patch
cd .. || exit 2
cp -r plain patched
(cd patched && patch -s -p1 <../fix.patch)
ok "diff: patch -p1 takes it" diff -r -x .git -x out -x err repo patched
cp -r plain written
(cd written && "$UNROOT" fix --no-config --write . >/dev/null 2>&1)
ok "diff: git apply gives what --write writes" diff -r -x .git -x out -x err repo written

# absolute paths inside the current folder are written relative to it
status 1 "diff: an absolute path" fix --no-config "$T/plain/sub/Dockerfile"
ok "diff: absolute path made relative" has out "--- a/plain/sub/Dockerfile"
# outside the current folder: relative to the root, as git diff --no-index names it
mkdir -p elsewhere abs
fixable >abs/Dockerfile
(cd elsewhere && "$UNROOT" fix --no-config "$T/abs/Dockerfile" >../abs.patch 2>/dev/null)
ok "diff: an absolute path outside has no a//" has abs.patch "--- a/${T#/}/abs/Dockerfile"
ok "diff: git apply takes it from /" sh -c "cd / && git apply --check '$T/abs.patch'"
ok "diff: patch -p1 takes it from /" sh -c "cd / && patch -s -p1 --dry-run <'$T/abs.patch' >/dev/null"

# --- exit status and --check -------------------------------------------------------------
fixable >f.Dockerfile
clean >c.Dockerfile
status 0 "diff: everything fixable is exit 0" fix --no-config f.Dockerfile
ok "diff: fixable has a diff" has out "+USER 1001:0"
status 1 "check: an edit would be made" fix --no-config --check f.Dockerfile
ok "check: nothing on stdout" test ! -s out
ok "check: file unchanged" cmp f.Dockerfile <(fixable)
status 0 "check: a clean file" fix --no-config --check c.Dockerfile
status 0 "diff: a clean file" fix --no-config c.Dockerfile
ok "diff: a clean file has no diff" test ! -s out
dockerfile >m.Dockerfile
status 1 "check: manual findings and edits" fix --no-config --check m.Dockerfile
status 0 "diff: --fail-on none" fix --no-config --fail-on none m.Dockerfile
status 0 "diff: --fail-on error leaves warnings to a person" fix --no-config --fail-on error m.Dockerfile
ok "diff: the warnings are still listed" has err "[NR108 user-created-in-run]"

# --- --rule and --platform ---------------------------------------------------------------
status 0 "rule: only NR109" fix --no-config --rule NR109 m.Dockerfile
ok "rule: the --chown edit" has out "+COPY --chown=app:0 . /app"
ok "rule: no USER edit" hasnt out "+USER"
ok "rule: no other finding listed" hasnt err "NR108"
status 0 "rule: by name" fix --no-config --rule=chown-group-not-root m.Dockerfile
ok "rule: by name, the edit" has out "+COPY --chown=app:0 . /app"
status 2 "rule: an unknown rule" fix --no-config --rule NR999 m.Dockerfile
ok "rule: says which" has err "no rule 'NR999'"
printf 'FROM alpine:3.20\nUSER 1001\n' >g.Dockerfile
status 0 "platform: openshift wants group 0" fix --no-config --platform openshift g.Dockerfile
ok "platform: openshift: ':0' added" has out "+USER 1001:0"

# --- usage -------------------------------------------------------------------------------
status 2 "usage: no paths" fix --no-config
status 2 "usage: two modes" fix --no-config --diff --write f.Dockerfile
status 2 "usage: --rule without a value" fix --no-config f.Dockerfile --rule
status 0 "usage: --help" fix --help
ok "usage: help names --write" has out "--write"
status 2 "usage: --write to stdin" fix --no-config --write --type dockerfile -
status 0 "stdin: a diff" fix --no-config --type dockerfile - <f.Dockerfile
ok "stdin: the diff names -" has out "+USER 1001:0"
status 2 "a missing file" fix --no-config nosuch.Dockerfile
status 2 "from-image: no paths besides" fix --no-config --from-image x f.Dockerfile
status 2 "from-image: no --write" fix --no-config --write --from-image x
status 2 "from-image: not an image" fix --no-config --from-image f.Dockerfile
ok "from-image: says so" has err "could not be read as an image"

# --- --write -----------------------------------------------------------------------------
fixable >w.Dockerfile
chmod 0640 w.Dockerfile
status 0 "write: fixes the file" fix --no-config --write w.Dockerfile
ok "write: nothing on stdout" test ! -s out
ok "write: the new text" has w.Dockerfile "USER 1001:0"
ok "write: the mode kept" test "$(stat -c %a w.Dockerfile)" = 640
ok "write: no temporary file left" test -z "$(ls -A | grep unroot-)"
status 0 "write: idempotent (check after write)" fix --no-config --check w.Dockerfile
cp w.Dockerfile w.before
status 0 "write: again" fix --no-config --write w.Dockerfile
ok "write: again changes nothing" cmp w.Dockerfile w.before

# owner and group kept (root can give the file away)
if [ "$(id -u)" = 0 ]; then
	fixable >o.Dockerfile
	chown 1234:5678 o.Dockerfile
	status 0 "write: owned by another user" fix --no-config --write o.Dockerfile
	ok "write: owner and group kept" test "$(stat -c %u:%g o.Dockerfile)" = 1234:5678
fi

# a POSIX ACL kept (written as the kernel's xattr, without setfacl)
fixable >acl.Dockerfile
if python3 - acl.Dockerfile <<'EOF' 2>/dev/null; then
import os, struct, sys
e = lambda tag, perm, id: struct.pack('<HHI', tag, perm, id)
acl = struct.pack('<I', 2) + e(1, 6, 0xffffffff) + e(2, 4, 1234) + e(4, 4, 0xffffffff) \
    + e(0x10, 4, 0xffffffff) + e(0x20, 0, 0xffffffff)
os.setxattr(sys.argv[1], 'system.posix_acl_access', acl)
EOF
	python3 -c 'import os,sys; print(os.getxattr(sys.argv[1], "system.posix_acl_access").hex())' acl.Dockerfile >acl.before
	status 0 "write: a file with an ACL" fix --no-config --write acl.Dockerfile
	python3 -c 'import os,sys; print(os.getxattr(sys.argv[1], "system.posix_acl_access").hex())' acl.Dockerfile >acl.after
	ok "write: the ACL kept" cmp acl.before acl.after
	ok "write: ACL file fixed" has acl.Dockerfile "USER 1001:0"
else
	echo "note: this file system takes no POSIX ACL; the ACL case did not run"
fi

# a symbolic link is followed: the target gets the text, the link stays a link
mkdir -p real
fixable >real/Dockerfile
ln -s real/Dockerfile link.Dockerfile
status 0 "write: through a symbolic link" fix --no-config --write link.Dockerfile
ok "write: the link is still a link" test -L link.Dockerfile
ok "write: its target is fixed" has real/Dockerfile "USER 1001:0"

# a read-only file is left as it is, exit 2
fixable >ro.Dockerfile
chmod 0444 ro.Dockerfile
status 2 "write: a read-only file" fix --no-config --write ro.Dockerfile
ok "write: read-only says so" has err "read-only"
ok "write: read-only untouched" cmp ro.Dockerfile <(fixable)

# a file size limit: write(2) fails with EFBIG, the original stays, exit 2
{ fixable; for i in $(seq 200); do echo "# padding line $i of a long file"; done; } >big.Dockerfile
cp big.Dockerfile big.before
"$UNROOT" fix --no-config --write big.Dockerfile >/dev/null 2>err &&
	prlimit_failed=0 || prlimit_failed=1
cp big.before big.Dockerfile
prlimit --fsize=4096 "$UNROOT" fix --no-config --write big.Dockerfile >out 2>err
got=$?
ok "write: over the file size limit exits 2 (got $got)" test "$got" = 2
ok "write: the limit is named" has err "File too large"
ok "write: over the limit, untouched" cmp big.Dockerfile big.before
ok "write: over the limit, no temporary file" test -z "$(ls -A | grep unroot-)"
ok "write: the same file writes without the limit" test "$prlimit_failed" = 0

# a full disk: a small tmpfs, filled
mkdir -p full
if mount -t tmpfs -o size=64k tmpfs full 2>/dev/null; then
	fixable >full/Dockerfile
	for i in $(seq 200); do echo "# padding line $i of a long file" >>full/Dockerfile; done
	cp full/Dockerfile full.before
	dd if=/dev/zero of=full/filler bs=4k 2>/dev/null
	status 2 "write: a full disk" fix --no-config --write full/Dockerfile
	ok "write: full disk says so" has err "No space left on device"
	ok "write: full disk, untouched" cmp full/Dockerfile full.before
	ok "write: full disk, no temporary file" test -z "$(ls -A full | grep unroot-)"
	umount full
else
	echo "note: no tmpfs could be mounted here; the full-disk case did not run"
fi

# --- suppressed findings contribute no edit --------------------------------------------
# NR210 is suppressed on the container: NR211's capabilities go into its securityContext, but
# not the allowPrivilegeEscalation key the two would otherwise add in one edit.
mkdir -p supp
printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    # unroot ignore=NR210 the entrypoint needs setuid\n    - name: c\n      image: x\n      securityContext:\n        runAsNonRoot: true\n' >supp/pod.yaml
status 0 "suppressed: a manifest fixed" fix --no-config supp/pod.yaml
ok "suppressed: the other finding's key is added" has out "+            - ALL"
ok "suppressed: the suppressed finding's key is not" hasnt out "allowPrivilegeEscalation"
status 0 "suppressed: --ignore on the command line too" fix --no-config --ignore NR210 supp/pod.yaml
ok "ignored: the ignored finding's key is not added" hasnt out "allowPrivilegeEscalation"
# NR108 on the adduser is suppressed: the addgroup it joins stays too, or the build would fail
printf 'FROM alpine:3.20\nRUN addgroup -S -g 1001 app\n# unroot ignore=NR108 kept for the base scripts\nRUN adduser -S -u 1001 -G app app\nUSER 1001:0\n' >supp/Dockerfile
status 1 "suppressed: one account command of two" fix --no-config supp/Dockerfile
ok "suppressed: the other account command stays" hasnt out "-RUN addgroup"
ok "suppressed: and is listed to fix by hand" has err "NR108"
ok "suppressed: with the reason" has err "(not fixed: its edits go with those of a finding a suppression keeps"

# --- why a finding is left to a person --------------------------------------------------
# Every finding listed to fix by hand says why no edit was made, decided where the edit was
# withheld.
mkdir -p why/chart/templates
printf 'FROM alpine:3.20\nRUN setcap cap_net_bind_service=+ep /bin/busybox\nUSER 1001:0\n' >why/Dockerfile
printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    seccomp.security.alpha.kubernetes.io/pod: unconfined\nspec:\n  hostNetwork: true\n  securityContext:\n    runAsNonRoot: true\n  containers:\n  - name: c\n    image: x\n    securityContext:\n      allowPrivilegeEscalation: false\n      capabilities:\n        drop: [ALL]\n' >why/pod.yaml
printf 'apiVersion: v2\nname: web\nversion: 0.1.0\n' >why/chart/Chart.yaml
printf 'image: x\n' >why/chart/values.yaml
printf '{{- define "web.pod" }}\nsecurityContext:\n  runAsUser: 1000\ncontainers:\n  - name: web\n    image: {{ .Values.image }}\n{{- end }}\n' >why/chart/templates/_pod.tpl
printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  template:\n    spec:\n      {{- include "web.pod" (dict "Values" .Values) | nindent 6 }}\n' >why/chart/templates/deployment.yaml
PATH=/usr/bin:/bin status 1 "why: findings left to a person" fix --no-config why
listed=$(grep -cE ': (error|warning|info): ' err)
ok "why: several findings are listed" test "$listed" -ge 5
ok "why: every listed finding has a reason" test "$(grep -cE ': (error|warning|info): .*\(not fixed: [^)]' err)" = "$listed"
ok "why: a rule with no exact edit" has err "(not fixed: no exact edit for this rule) [NR115"
ok "why: what the pod asks of the node" has err "(not fixed: whether the pod needs this access to the node is a person's call) [NR208"
ok "why: a seccomp annotation that differs" has err "(not fixed: the annotation says unconfined"
ok "why: a block in a named template" has err "(not fixed: templates/deployment.yaml:8 passes \"web.pod\" something other than the chart's root context"
ok "why: a note about the run" has err "(not fixed: a note about the run, not about a line of a file) [NR003"

finish

#!/usr/bin/env bash
# Integration tests for how unroot fits into workflows. One mode a test:
#   docs-fresh       docs/rules.md and the docs' rule tables are what `unroot rules` writes now
#   explain-text     `unroot explain` and docs/rules.md say the same about every rule
#   man-page         docs/unroot.1 renders without a warning and covers every command and format
#   output-file      --output writes the report to a file; chatter stays on stderr; -q
#   terminal         caret and colour only on a terminal, never with NO_COLOR
#   completion-bash  bash completion offers commands, every format, rule codes
#   completion-zsh   zsh completion parses and lists every format
#   completion-fish  fish completion offers commands, every format and option, rule codes
#   self-lint        the project's own Dockerfile passes every rule
#   install          the install target puts the man page, the three completions, libunroot with
#                    its headers and pkg-config file in place; docs/library.md's program
#                    builds against the installed library, shared and static, and finds
#                    what the CLI finds
#   integration      .pre-commit-hooks.yaml, as pre-commit reads it
#   docs-behaviour   what the docs say about config keys, options and stdin is what unroot does
# Needs UNROOT and UNROOT_SRC (set by tests/meson.build).
set -uo pipefail
mode=$1
src=$UNROOT_SRC
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# The format names the binary knows, from its --help.
formats() {
	"$UNROOT" lint --help | sed -n 's/^ *-f, --format FMT *//p' | sed 's/ (default)//; s/, / /g'
}

case $mode in
docs-fresh)
	"$UNROOT" rules --format markdown >"$tmp/rules.md" || bad "unroot rules --format markdown failed"
	bash "$src/scripts/docs.sh" "$UNROOT" --check || bad "generated docs are stale: run 'make docs'"
	for kind in dockerfile k8s helm image; do
		grep -q "^<!-- rules table: $kind " "$src"/docs/*.md || bad "no doc has the $kind rules table"
	done
	# --output writes the same bytes.
	"$UNROOT" rules --format markdown --output "$tmp/out.md" && cmp -s "$tmp/out.md" "$tmp/rules.md" ||
		bad "rules --output differs from stdout"
	;;
explain-text)
	# Every rule's description, remediation and examples appear in both, whitespace aside.
	"$UNROOT" rules --format json >"$tmp/rules.json" || bad "rules --format json failed"
	node - "$tmp/rules.json" "$src/docs/rules.md" "$UNROOT" <<'JS' || fail=1
const fs = require('fs');
const { execFileSync } = require('child_process');
const [rulesFile, mdFile, unroot] = process.argv.slice(2);
const rules = JSON.parse(fs.readFileSync(rulesFile, 'utf8'));
const md = fs.readFileSync(mdFile, 'utf8');
const flat = (s) => s.replace(/\s+/g, ' ').trim();
let bad = 0;
for (const r of rules) {
  const ex = execFileSync(unroot, ['explain', r.code], { encoding: 'utf8' });
  // Names may repeat across input kinds (NR104 and NR204 are both uid-too-low).
  if (rules.filter((o) => o.name === r.name).length === 1) {
    const byName = execFileSync(unroot, ['explain', r.name], { encoding: 'utf8' });
    if (ex !== byName) { bad++; console.log(`${r.code}: explain by code and by name differ`); }
  }
  const start = md.indexOf(`\n## ${r.code} ${r.name}\n`);
  if (start < 0) { bad++; console.log(`${r.code}: no section in docs/rules.md`); continue; }
  const next = md.indexOf('\n## ', start + 1);
  const section = md.slice(start, next < 0 ? undefined : next);
  if (!md.includes(`](#${r.anchor})`)) { bad++; console.log(`${r.code}: the table does not link #${r.anchor}`); }
  for (const [what, text] of [['description', r.description], ['remediation', r.remediation]]) {
    if (!flat(ex).includes(flat(text))) { bad++; console.log(`${r.code}: explain lacks the ${what}`); }
    if (!flat(section).includes(flat(text))) { bad++; console.log(`${r.code}: docs/rules.md lacks the ${what}`); }
  }
  for (const [what, text] of [['bad', r.bad], ['good', r.good]]) {
    for (const line of text.split('\n').filter((l) => l.trim())) {
      if (!ex.includes(`    ${line}\n`)) { bad++; console.log(`${r.code}: explain lacks ${what} line ${line}`); }
      if (!section.includes(`${line}\n`)) { bad++; console.log(`${r.code}: docs/rules.md lacks ${what} line ${line}`); }
    }
  }
  for (const p of r.platforms) if (!ex.includes(p) || !section.includes(p)) { bad++; console.log(`${r.code}: platform ${p} missing`); }
}
console.log(`${rules.length} rules checked, ${bad} problems`);
process.exit(bad ? 1 : 0);
JS
	"$UNROOT" explain NR999 >/dev/null 2>&1; [ $? -eq 2 ] || bad "explain of an unknown rule must exit 2"
	;;
man-page)
	command -v man >/dev/null || { echo "SKIP: man-db is not installed"; exit 77; }
	command -v groff >/dev/null || { echo "SKIP: groff is not installed"; exit 77; }
	man -l "$src/docs/unroot.1" >"$tmp/man.txt" 2>"$tmp/man.err" || bad "man -l failed"
	[ -s "$tmp/man.err" ] && { cat "$tmp/man.err"; bad "man -l warned"; }
	groff -ww -man -Tutf8 "$src/docs/unroot.1" >/dev/null 2>"$tmp/groff.err" || bad "groff failed"
	[ -s "$tmp/groff.err" ] && { cat "$tmp/groff.err"; bad "groff -ww warned"; }
	for f in $(formats); do
		grep -q "^\.B $f\$" "$src/docs/unroot.1" || bad "the man page does not describe format $f"
	done
	for c in $("$UNROOT" --help | sed -n 's/^  unroot \[\{0,1\}\([a-z]*\).*/\1/p'); do
		grep -q "^\.B[IR]* $c\b" "$src/docs/unroot.1" || bad "the man page does not describe command $c"
	done
	for o in $("$UNROOT" lint --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		grep -q -- "$(echo "$o" | sed 's/-/\\\\-/g')" "$src/docs/unroot.1" || bad "the man page does not describe $o"
	done
	;;
output-file)
	cd "$tmp"
	printf 'FROM alpine:3.20\nRUN <<EOF\nnever closed\n' >Dockerfile
	"$UNROOT" lint --no-config -f json Dockerfile >stdout.json 2>stderr.txt
	want=$?
	for f in $(formats); do
		"$UNROOT" lint --no-config -f "$f" --output "report.$f" Dockerfile >out.txt 2>err.txt
		rc=$?
		[ "$rc" = "$want" ] || bad "-f $f --output: exit $rc, want $want"
		[ -s out.txt ] && bad "-f $f --output: wrote to stdout"
		[ -s "report.$f" ] || bad "-f $f --output: the file is empty"
		grep -q '^unroot: 1 input' err.txt || bad "-f $f --output: no summary on stderr"
		"$UNROOT" lint --no-config -f "$f" Dockerfile >direct.txt 2>/dev/null
		cmp -s direct.txt "report.$f" || bad "-f $f: --output differs from stdout"
		"$UNROOT" lint --no-config -q -f "$f" Dockerfile >quiet.txt 2>qerr.txt
		[ -s qerr.txt ] && bad "-f $f -q: wrote to stderr: $(cat qerr.txt)"
		cmp -s direct.txt quiet.txt || bad "-f $f -q changed the report"
	done
	grep -q '\x1b' report.text && bad "colour in a file"
	"$UNROOT" lint --no-config --output /nonexistent/dir/x Dockerfile 2>err.txt
	[ $? = 2 ] || bad "an unwritable --output must exit 2"
	grep -q "cannot write '/nonexistent/dir/x'" err.txt || bad "no message for an unwritable --output"
	;;
terminal)
	command -v script >/dev/null || { echo "SKIP: script (bsdutils) is not installed"; exit 77; }
	cd "$tmp"
	printf 'FROM alpine:3.20\n\tRUN <<EOF\nnever closed\n' >Dockerfile
	# script(1) gives unroot a terminal; its output comes back with CR LF line ends.
	# Its standard input is /dev/null: CI may run the tests with none at all.
	tty_run() { script -qec "$*" /dev/null </dev/null | tr -d '\r'; }
	env -u NO_COLOR bash -c "$(declare -f tty_run); tty_run '$UNROOT' lint --no-config Dockerfile" >tty.txt
	grep -q $'\x1b\\[' tty.txt || bad "no colour on a terminal"
	grep -q '\^' tty.txt || bad "no caret on a terminal"
	NO_COLOR=1 bash -c "$(declare -f tty_run); tty_run '$UNROOT' lint --no-config Dockerfile" >nocolor.txt
	grep -q $'\x1b' nocolor.txt && bad "colour with NO_COLOR"
	grep -q '\^' nocolor.txt || bad "no caret with NO_COLOR on a terminal"
	NO_COLOR=1 bash -c "$(declare -f tty_run); tty_run '$UNROOT' lint --no-config --color=always Dockerfile" >always.txt
	grep -q $'\x1b' always.txt && bad "colour with NO_COLOR and --color=always"
	env -u NO_COLOR bash -c "$(declare -f tty_run); tty_run '$UNROOT' lint --no-config --color=never Dockerfile" >never.txt
	grep -q $'\x1b' never.txt && bad "colour with --color=never"
	env -u NO_COLOR bash -c "$(declare -f tty_run); tty_run '$UNROOT' lint --no-config -q Dockerfile" >quiet.txt
	[ "$(grep -c . quiet.txt)" = "$(env -u NO_COLOR "$UNROOT" lint --no-config Dockerfile 2>/dev/null | grep -c .)" ] ||
		bad "-q on a terminal prints more than the findings"
	grep -q '^unroot: ' quiet.txt && bad "-q printed the summary"
	# Not a terminal: no caret, no colour.
	env -u NO_COLOR "$UNROOT" lint --no-config Dockerfile >pipe.txt 2>/dev/null
	grep -q $'\x1b' pipe.txt && bad "colour into a pipe"
	grep -q '\^' pipe.txt && bad "caret into a pipe"
	cat tty.txt
	;;
completion-bash)
	# shellcheck disable=SC1091
	source "$src/completions/unroot.bash" || bad "the completion does not load"
	export PATH="$(dirname "$UNROOT"):$PATH"
	complete_words() {
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMPREPLY=()
		_unroot
		echo "${COMPREPLY[*]}"
	}
	got=$(complete_words unroot lint --format "")
	for f in $(formats); do [[ " $got " == *" $f "* ]] || bad "--format does not offer $f (got: $got)"; done
	[[ " $(complete_words unroot rules -f "") " == *" markdown "* ]] || bad "rules -f does not offer markdown"
	[[ " $(complete_words unroot "") " == *" explain "* ]] || bad "no command completion"
	[[ " $(complete_words unroot explain NR00) " == *" NR000 "* ]] || bad "explain does not offer rule codes"
	[[ " $(complete_words unroot --platform docker,k) " == *" docker,kubernetes "* ]] || bad "--platform lists do not complete"
	for o in $("$UNROOT" lint --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		[[ " $(complete_words unroot lint --) " == *" $o "* ]] || bad "options do not offer $o"
	done
	;;
completion-zsh)
	command -v zsh >/dev/null || { echo "SKIP: zsh is not installed"; exit 77; }
	zsh -n "$src/completions/_unroot" || bad "_unroot does not parse"
	for f in $(formats); do
		grep -q "formats=(.*\b$f\b" "$src/completions/_unroot" || bad "_unroot does not list format $f"
	done
	for o in $("$UNROOT" lint --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		grep -qE -- "$o([^a-z-]|\$)" "$src/completions/_unroot" || bad "_unroot does not offer $o"
	done
	;;
completion-fish)
	command -v fish >/dev/null || { echo "SKIP: fish is not installed"; exit 77; }
	fish -n "$src/completions/unroot.fish" || bad "unroot.fish does not parse"
	export PATH="$(dirname "$UNROOT"):$PATH"
	# What fish offers for a command line, candidates only (fish prints "word<TAB>description").
	complete_words() {
		fish --no-config -c "source '$src/completions/unroot.fish'; complete -C '$*'" | cut -f1 | tr '\n' ' '
	}
	got=$(complete_words "unroot lint --format ")
	for f in $(formats); do [[ " $got " == *" $f "* ]] || bad "--format does not offer $f (got: $got)"; done
	[[ " $(complete_words "unroot rules -f ") " == *" markdown "* ]] || bad "rules -f does not offer markdown"
	[[ " $(complete_words "unroot ") " == *" explain "* ]] || bad "no command completion"
	[[ " $(complete_words "unroot explain NR00") " == *" NR000 "* ]] || bad "explain does not offer rule codes"
	[[ " $(complete_words "unroot explain user-ro") " == *" user-root "* ]] || bad "explain does not offer rule names"
	[[ " $(complete_words "unroot --platform docker,k") " == *" docker,kubernetes "* ]] || bad "--platform lists do not complete"
	[[ " $(complete_words "unroot --ignore NR101,NR10") " == *" NR101,NR102 "* ]] || bad "--ignore lists do not complete"
	opts=" $(complete_words "unroot lint --") "
	for o in $("$UNROOT" lint --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
		[[ $opts == *" $o "* ]] || bad "options do not offer $o"
	done
	;;
self-lint)
	"$UNROOT" lint --no-config --fail-on info "$src/Dockerfile" >"$tmp/out.txt" 2>&1
	rc=$?
	cat "$tmp/out.txt"
	[ "$rc" = 0 ] || bad "unroot's own Dockerfile has findings (exit $rc)"
	grep -q ': \(error\|warning\|info\):' "$tmp/out.txt" && bad "unroot's own Dockerfile has findings"
	grep -q '^unroot: 1 input, 0 errors, 0 warnings, 0 info$' "$tmp/out.txt" || bad "want exactly one clean input"
	;;
install)
	build=$2
	meson install -C "$build" --destdir "$tmp/root" --no-rebuild >"$tmp/install.log" 2>&1 ||
		{ cat "$tmp/install.log"; bad "meson install failed"; }
	for f in bin/unroot share/man/man1/unroot.1 share/bash-completion/completions/unroot \
		share/zsh/site-functions/_unroot share/fish/vendor_completions.d/unroot.fish; do
		found=$(find "$tmp/root" -path "*/$f" | head -1)
		[ -n "$found" ] || bad "meson install does not install $f"
	done
	man_installed=$(find "$tmp/root" -path '*/man1/unroot.1' | head -1)
	[ -n "$man_installed" ] && ! cmp -s "$man_installed" "$src/docs/unroot.1" && bad "the installed man page differs"
	# libunroot: docs/library.md's program, built with pkg-config against the install.
	command -v pkg-config >/dev/null || { echo "SKIP: pkg-config is not installed"; exit 77; }
	header=$(find "$tmp/root" -path '*/include/unroot/lint.h' | head -1)
	pc=$(find "$tmp/root" -name unroot.pc | head -1)
	[ -n "$header" ] && [ -n "$pc" ] || { bad "no installed lint.h or unroot.pc"; exit 1; }
	prefix=${header%/include/unroot/lint.h}
	for f in libunroot.a libunroot.so; do
		[ -n "$(find "$tmp/root" -name $f)" ] || bad "meson install does not install $f"
	done
	pcq() { PKG_CONFIG_PATH=${pc%/*} pkg-config --define-variable=prefix="$prefix" "$@" unroot; }
	# Each public header stands on its own: it needs nothing that is not installed.
	for h in "$prefix"/include/unroot/*.h; do
		echo "#include <unroot/${h##*/}>" | cc -fsyntax-only -Wall -Werror $(pcq --cflags) -x c - ||
			bad "the installed ${h##*/} does not compile on its own"
	done
	awk '/^```c$/ { on = 1; next } /^```$/ { on = 0 } on' "$src/docs/library.md" >"$tmp/lint-buffer.c"
	[ -s "$tmp/lint-buffer.c" ] || bad "docs/library.md has no C program"
	# A library built with sanitizers needs their runtimes in the program that links it.
	san=
	grep -q __asan_init "$UNROOT" && san="-fsanitize=address,undefined"
	cc -Wall -Wextra -Werror $san "$tmp/lint-buffer.c" $(pcq --cflags --libs) -o "$tmp/shared" ||
		bad "the program does not build against libunroot.so"
	cc -Wall -Wextra -Werror $san "$tmp/lint-buffer.c" $(pcq --cflags) "$(pcq --variable=libdir)/libunroot.a" \
		$(pcq --variable=archive_libs) -o "$tmp/static" || bad "the program does not build against libunroot.a"
	ldd "$tmp/static" 2>/dev/null | grep -q libunroot && bad "the static build still loads libunroot.so"
	# The same findings as the CLI on the same bytes: path, line, column and rule.
	awk '/static const char dockerfile\[\]/ { on = 1 } on { print } on && /;$/ { on = 0 }' \
		"$tmp/lint-buffer.c" | sed -n 's/.*"\(.*\)\\n".*/\1/p' >"$tmp/Dockerfile"
	(cd "$tmp" && "$UNROOT" lint --no-config -f gnu Dockerfile 2>/dev/null) |
		sed 's/^\([^ ]*\) .*\[\(NR[0-9]*\).*/\1 \2/' >"$tmp/want"
	[ -s "$tmp/want" ] || bad "the CLI finds nothing in the program's Dockerfile"
	for build in shared static; do
		LD_LIBRARY_PATH=$(dirname "$(find "$tmp/root" -name libunroot.so | head -1)") "$tmp/$build" >"$tmp/$build.out"
		rc=$?
		[ "$rc" = 1 ] || bad "the $build program exits $rc, not 1"
		sed 's/^\([^ ]*\) .*\[\(NR[0-9]*\)\]$/\1 \2/' "$tmp/$build.out" >"$tmp/$build.got"
		cmp -s "$tmp/want" "$tmp/$build.got" ||
			{ diff "$tmp/want" "$tmp/$build.got"; bad "the $build program finds what the CLI does not"; }
	done
	;;
docs-behaviour)
	# Every config key the docs name is one the parser takes: the keys called "config key
	# `X`", written "`X:` in `.unroot.yaml`", the ```yaml blocks that start with
	# "# .unroot.yaml" (loaded whole), the example in config.h, and any `limits.X`
	# (which reads as a key of that name).
	python3 - "$src" "$UNROOT" "$tmp" <<'PY' || fail=1
import glob, os, re, subprocess, sys
src, unroot, tmp = sys.argv[1:]
docs = [os.path.join(src, "README.md")] + sorted(glob.glob(os.path.join(src, "docs", "*.md")))
keys, blocks, bad = {}, [], 0
for path in docs:
    text = open(path).read()
    name = os.path.relpath(path, src)
    for k in re.findall(r"config key `([a-z][a-z0-9_.-]*)", text):
        keys.setdefault(k, name)
    for k in re.findall(r"`([a-z][a-z0-9_-]*):[^`]*` in `\.unroot\.yaml`", text):
        keys.setdefault(k, name)
    for k in re.findall(r"`(limits)\.[a-z_]+`", text):
        keys.setdefault(k, name)
    for b in re.findall(r"```yaml\n(# \.unroot\.yaml\n.*?)```", text, re.S):
        blocks.append((name, b))
header = open(os.path.join(src, "include", "unroot", "config.h")).read()
example = "\n".join(l[3:] for l in header.splitlines() if l.startswith(" *\t"))
blocks.append(("include/unroot/config.h", example))
def load(text):
    f = os.path.join(tmp, "cfg.yaml")
    open(f, "w").write(text)
    p = subprocess.run([unroot, "lint", "--config", f, "-"], input="FROM alpine:3.20\nUSER 1001:0\n",
                       capture_output=True, text=True, cwd=tmp)
    return p.stderr
for name, b in blocks:
    err = load(b)
    if "error" in err.split("unroot:")[0] or ": error:" in err:
        bad += 1
        print(f"FAIL: the .unroot.yaml in {name} does not load: {err.strip()}")
    for k in re.findall(r"^([a-z][a-z0-9_-]*):", b, re.M):
        keys.setdefault(k, name)
for k, name in sorted(keys.items()):
    err = load(f"{k}: x\n")
    if "unknown key" in err:
        bad += 1
        print(f"FAIL: {name} names the config key '{k}', which the parser rejects: {err.strip()}")
print(f"{len(keys)} config keys and {len(blocks)} config examples from the docs checked, {bad} problems")
sys.exit(1 if bad else 0)
PY
	# Every key the parser knows (its list for "did you mean") is accepted and named in
	# the man page's CONFIGURATION; every unroot command line the docs show uses a
	# command unroot has and only options that command takes.
	python3 - "$src" "$UNROOT" "$tmp" <<'PY' || fail=1
import glob, os, re, subprocess, sys
src, unroot, tmp = sys.argv[1:]
bad = 0
code = open(os.path.join(src, "lib", "engine", "config.c")).read()
m = re.search(r"static const char \*const keys\[\] = \{(.*?)\};", code, re.S)
keys = re.findall(r'"([a-z-]+)"', m.group(1)) if m else []
if len(keys) < 10:
    bad += 1
    print(f"FAIL: the parser's key list was not found in lib/engine/config.c ({keys})")
man = open(os.path.join(src, "docs", "unroot.1")).read().replace("\\-", "-")
conf = man.split(".SH CONFIGURATION", 1)[-1].split(".SH ", 1)[0]
cfg = os.path.join(tmp, "keys.yaml")
for k in keys:
    if k == "platforms":
        continue  # an alias of platform, kept for configs written with the plural
    if f"\\fB{k}\\fR" not in conf:
        bad += 1
        print(f"FAIL: the man page's CONFIGURATION does not name the key '{k}'")
    open(cfg, "w").write(f"{k}: x\n")
    p = subprocess.run([unroot, "lint", "--config", cfg, "-"], input="FROM alpine:3.20\nUSER 1001:0\n",
                       capture_output=True, text=True, cwd=tmp)
    if "unknown key" in p.stderr:
        bad += 1
        print(f"FAIL: the parser lists '{k}' but rejects it: {p.stderr.strip()}")
# What each command takes, from its --help.
takes, commands = {}, ["lint"]
top = subprocess.run([unroot, "--help"], capture_output=True, text=True)
for c in re.findall(r"^\s+unroot (\w+)", top.stdout + top.stderr, re.M):
    if c not in commands:
        commands.append(c)
for c in commands:
    p = subprocess.run([unroot, c, "--help"], capture_output=True, text=True)
    takes[c] = set(re.findall(r"--[a-z][a-z0-9-]*", p.stdout + p.stderr)) | {"--help"}
# Every command a doc names must exist.
pending = set()
lines = []
for path in [os.path.join(src, "README.md")] + sorted(glob.glob(os.path.join(src, "docs", "*.md"))):
    text = open(path).read()
    name = os.path.relpath(path, src)
    lines += [(name, l) for l in re.findall(r"`(unroot [^`\n]*)`", text)]
    for block in re.findall(r"```[a-z]*\n(.*?)```", text, re.S):
        for line in block.splitlines():
            for seg in re.split(r"\||&&|;|\$\(", line.strip().lstrip("$ ")):
                if re.match(r"(\S*/)?unroot\s", seg.strip()):
                    lines.append((name, seg.strip()))
for name, line in lines:
    words = line.split()
    cmd = words[1] if len(words) > 1 and re.fullmatch(r"[a-z]+", words[1]) else "lint"
    if cmd in pending:
        continue
    if cmd not in takes:
        cmd = "lint"  # `unroot PATH...` is lint
    for o in re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", line):
        if o not in takes[cmd]:
            bad += 1
            print(f"FAIL: {name} shows '{line}', but unroot {cmd} has no {o}")
print(f"{len(keys)} parser keys and {len(lines)} command lines from the docs checked, {bad} problems")
sys.exit(1 if bad else 0)
PY
	# The man page and the README say standard input is recognised by its content.
	printf 'FROM alpine:3.20\nUSER 1001:0\n' | "$UNROOT" lint --no-config - >/dev/null 2>&1 ||
		bad "a Dockerfile on stdin without --type"
	printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: x, securityContext: {runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, seccompProfile: {type: RuntimeDefault}}}]\n' |
		"$UNROOT" lint --no-config - >/dev/null 2>&1 || bad "a manifest on stdin without --type"
	command -v man >/dev/null && man -l "$src/docs/unroot.1" 2>/dev/null | tr -s ' \n' ' ' |
		grep -qi 'standard input[^.]*needs' && bad "the man page says standard input needs --type"
	;;
integration)
	python3 -c 'import yaml' 2>/dev/null || { echo "SKIP: python3-yaml is not installed"; exit 77; }
	python3 "$src/tests/output/integration.py" "$src" "$UNROOT" || fail=1
	;;
*)
	echo "unknown mode $mode"; exit 2 ;;
esac
exit $fail

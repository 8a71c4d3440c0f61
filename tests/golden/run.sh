#!/usr/bin/env bash
# The output-format tests. One mode a test (see meson.build):
#   golden-synth    a hand-made report (synth.c) in every format, byte for byte
#   golden-cli      the real CLI on tests/golden/inputs in every format, byte for byte
#   validate-sarif  SARIF checked by Microsoft's sarif-multitool and the official schema (ajv)
#   validate-json   JSON goldens against docs/schema, codeclimate against GitLab's schema
#   validate-xml    JUnit and Checkstyle checked with xmllint against their schemas
#   crosscheck      every format says the same as json about each finding
#   corpus          the real-world corpus in every format, through all of the above consumers
# Needs UNROOT, UNROOT_SRC, GOLDEN_SYNTH, OUTPUT_TOOLS (set by tests/meson.build).
set -uo pipefail
mode=$1
here=$UNROOT_SRC/tests/golden
source "$here/cases.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# Both goldens' outputs, fresh, into $tmp/synth and $tmp/cli.
generate() {
	mkdir -p "$tmp/synth" "$tmp/cli"
	for f in "${synth_formats[@]}"; do
		"$GOLDEN_SYNTH" "$f" >"$tmp/synth/$f.out" || { echo "golden-synth $f failed"; fail=1; }
	done
	: >"$tmp/cli/status"
	for f in "${formats[@]}"; do
		(cd "$here/inputs" && NO_COLOR=1 "$UNROOT" lint --no-config --base-dir . -f "$f" "${cli_inputs[@]}" \
			>"$tmp/cli/$f.out" 2>"$tmp/cli/$f.err")
		echo "$f $?" >>"$tmp/cli/status"
	done
	(cd "$here/inputs" && NO_COLOR=1 "$UNROOT" simulate "${sim_args[@]}" \
		>"$tmp/cli/simulate-json.out" 2>"$tmp/cli/simulate-json.err")
	echo "simulate-json $?" >>"$tmp/cli/status"
}

compare() {
	local kind=$1 f
	for f in "$here/$kind"/*; do
		[ -e "$f" ] || continue
		local name=${f##*/}
		if ! cmp -s "$f" "$tmp/$kind/$name"; then
			echo "$kind/$name differs from the golden file (tests/golden/update.sh regenerates it):"
			diff -u "$f" "$tmp/$kind/$name" | head -60
			fail=1
		fi
	done
	for f in "$tmp/$kind"/*; do
		case $f in *.err) continue ;; esac
		[ -e "$here/$kind/${f##*/}" ] || { echo "$kind/${f##*/} has no golden file"; fail=1; }
	done
}

tools() {
	if ! bash "$UNROOT_SRC/scripts/install-tools-output.sh" --strict >"$tmp/install.log" 2>&1; then
		cat "$tmp/install.log"
		echo "SKIP: the npm validators cannot be installed"
		exit 77
	fi
}

case $mode in
golden-synth)
	generate
	compare synth
	;;
golden-cli)
	generate
	compare cli
	# Chatter is one summary line on stderr, whatever the format.
	for f in "${formats[@]}"; do
		if [ "$(wc -l <"$tmp/cli/$f.err")" -ne 1 ] || ! grep -q '^unroot: [0-9]* input' "$tmp/cli/$f.err"; then
			echo "stderr of -f $f is not one summary line:"; cat "$tmp/cli/$f.err"; fail=1
		fi
	done
	;;
validate-sarif)
	tools
	generate
	mt=$OUTPUT_TOOLS/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
	schema=$OUTPUT_TOOLS/node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json
	[ -x "$mt" ] && [ -f "$schema" ] || { echo "SKIP: sarif-multitool has no Linux build here"; exit 77; }
	cp "$tmp/synth/sarif.out" "$tmp/synth.sarif"
	cp "$tmp/cli/sarif.out" "$tmp/cli.sarif"
	# The npm wrapper passes arguments through a shell, which splits "a;b": call the binary.
	# Rule kinds Sarif (the spec) and Gh (what GitHub code scanning needs); every level.
	"$mt" validate --level "Error;Warning;Note" --rule-kind "Sarif;Gh" \
		-o "$tmp/validation.sarif" "$tmp/synth.sarif" "$tmp/cli.sarif" >"$tmp/mt.log" 2>&1
	mt_rc=$?
	# Notes (suggestions such as message arguments or code snippets) are counted, not shown.
	grep -v ": note " "$tmp/mt.log"
	[ -s "$tmp/validation.sarif" ] || { echo "sarif-multitool wrote no result (exit $mt_rc)"; fail=1; }
	node "$here/multitool-verdict.js" "$tmp/validation.sarif" || fail=1
	node "$here/sarif-schema.js" "$schema" "$tmp/synth.sarif" "$tmp/cli.sarif" || fail=1
	;;
validate-json)
	# Every JSON golden against the schema published for it (docs/schema), the fresh
	# outputs and a baseline of the inputs too; and GitLab's code quality reports against GitLab's own schema for
	# an issue, plus what its docs ask beyond it.
	tools
	generate
	node "$here/validate-json.js" "$UNROOT_SRC/docs/schema/lint.json" "$here/synth/json.out" \
		"$here/cli/json.out" "$tmp/synth/json.out" "$tmp/cli/json.out" || fail=1
	node "$here/validate-json.js" "$UNROOT_SRC/docs/schema/simulate.json" \
		"$here/cli/simulate-json.out" "$tmp/cli/simulate-json.out" || fail=1
	(cd "$here/inputs" && "$UNROOT" lint --no-config --base-dir . --write-baseline "$tmp/baseline.json" \
		"${cli_inputs[@]}" >/dev/null 2>&1)
	node "$here/validate-json.js" "$UNROOT_SRC/docs/schema/baseline.json" "$tmp/baseline.json" || fail=1
	cc_schema=$UNROOT_SRC/tests/output/schema/codeclimate.json
	node "$here/validate-json.js" --each "$cc_schema" "$here/synth/codeclimate.out" \
		"$here/cli/codeclimate.out" "$tmp/synth/codeclimate.out" "$tmp/cli/codeclimate.out" || fail=1
	node "$here/codeclimate-check.js" "$tmp/synth/codeclimate.out" "$tmp/cli/codeclimate.out" || fail=1
	# The schemas must be able to fail: a report with a key they do not know, and one
	# with a string where a number belongs.
	node -e 'const fs=require("fs");const r=JSON.parse(fs.readFileSync(process.argv[1]));r.diagnostics[0].extra=1;fs.writeFileSync(process.argv[2],JSON.stringify(r));r.diagnostics[0].line="1";delete r.diagnostics[0].extra;fs.writeFileSync(process.argv[3],JSON.stringify(r))' \
		"$tmp/cli/json.out" "$tmp/extra.json" "$tmp/type.json"
	for f in extra type; do
		node "$here/validate-json.js" "$UNROOT_SRC/docs/schema/lint.json" "$tmp/$f.json" >/dev/null &&
			{ echo "docs/schema/lint.json accepts a broken report ($f)"; fail=1; }
	done
	;;
validate-xml)
	command -v xmllint >/dev/null || { echo "SKIP: xmllint (libxml2-utils) is not installed"; exit 77; }
	generate
	for src in synth cli; do
		xmllint --noout --schema "$here/junit.xsd" "$tmp/$src/junit.out" || fail=1
		xmllint --noout --schema "$here/checkstyle.xsd" "$tmp/$src/checkstyle.out" || fail=1
	done
	# One test case and one checkstyle <file> per input; a failure or error per finding.
	n_json=$(node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1]));console.log(r.diagnostics.length)' "$tmp/cli/json.out")
	n_cases=$(xmllint --xpath 'count(//testcase)' "$tmp/cli/junit.out")
	n_fail=$(xmllint --xpath 'count(//testcase/failure)+count(//testcase/error)' "$tmp/cli/junit.out")
	n_files=$(xmllint --xpath 'count(/checkstyle/file)' "$tmp/cli/checkstyle.out")
	n_err=$(xmllint --xpath 'count(/checkstyle/file/error)' "$tmp/cli/checkstyle.out")
	echo "cli: ${#cli_inputs[@]} inputs, $n_json findings; junit $n_cases cases, $n_fail failures; checkstyle $n_files files, $n_err errors"
	[ "$n_cases" = "${#cli_inputs[@]}" ] || { echo "junit: want ${#cli_inputs[@]} test cases"; fail=1; }
	[ "$n_files" = "${#cli_inputs[@]}" ] || { echo "checkstyle: want ${#cli_inputs[@]} files"; fail=1; }
	[ "$n_fail" = "$n_json" ] || { echo "junit: want $n_json failures"; fail=1; }
	[ "$n_err" = "$n_json" ] || { echo "checkstyle: want $n_json errors"; fail=1; }
	# The synthetic report has 8 inputs (one clean) and 8 findings.
	[ "$(xmllint --xpath 'count(//testcase)' "$tmp/synth/junit.out")" = 8 ] || { echo "synth junit: want 8 cases"; fail=1; }
	[ "$(xmllint --xpath 'count(//testcase[not(*)])' "$tmp/synth/junit.out")" = 1 ] || { echo "synth junit: want 1 clean case"; fail=1; }
	[ "$(xmllint --xpath 'count(//error)' "$tmp/synth/checkstyle.out")" = 8 ] || { echo "synth checkstyle: want 8 errors"; fail=1; }
	;;
crosscheck)
	generate
	for f in "${formats[@]}"; do "$GOLDEN_SYNTH" "$f" >"$tmp/synth-$f" || fail=1; done
	node "$here/crosscheck.js" "$tmp/synth/json.out" "$tmp/synth" /src/project || fail=1
	node "$here/crosscheck.js" "$tmp/cli/json.out" "$tmp/cli" "$here/inputs" || fail=1
	;;
corpus)
	[ -d "$UNROOT_CORPUS/dockerfiles" ] || { echo "SKIP: no corpus at $UNROOT_CORPUS"; exit 77; }
	command -v xmllint >/dev/null || { echo "SKIP: xmllint (libxml2-utils) is not installed"; exit 77; }
	tools
	mkdir -p "$tmp/corpus"
	# Dockerfiles (their names do not follow the detection patterns) and manifests,
	# each with its kind forced; the entrypoint scripts beside them are not inputs.
	mapfile -t dfs < <(find "$UNROOT_CORPUS/dockerfiles" -type f ! -name '*.sh' | sort)
	mapfile -t k8s < <(find "$UNROOT_CORPUS/k8s" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' \) | sort)
	for f in "${formats[@]}"; do
		{ "$UNROOT" lint --no-config --base-dir "$PWD" --type dockerfile -f "$f" "${dfs[@]}" >"$tmp/corpus/df-$f.out"
		  "$UNROOT" lint --no-config --base-dir "$PWD" --type k8s -f "$f" "${k8s[@]}" >"$tmp/corpus/k8s-$f.out"; } 2>/dev/null
	done
	mt=$OUTPUT_TOOLS/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
	schema=$OUTPUT_TOOLS/node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json
	for kind in df k8s; do
		cp "$tmp/corpus/$kind-sarif.out" "$tmp/$kind.sarif"
		xmllint --noout --schema "$here/junit.xsd" "$tmp/corpus/$kind-junit.out" || fail=1
		xmllint --noout --schema "$here/checkstyle.xsd" "$tmp/corpus/$kind-checkstyle.out" || fail=1
		mkdir -p "$tmp/x-$kind"
		for f in "${formats[@]}"; do cp "$tmp/corpus/$kind-$f.out" "$tmp/x-$kind/$f.out"; done
		node "$here/crosscheck.js" "$tmp/x-$kind/json.out" "$tmp/x-$kind" "$PWD" || fail=1
	done
	"$mt" validate --level "Error;Warning" --rule-kind "Sarif;Gh" -o "$tmp/validation.sarif" \
		"$tmp/df.sarif" "$tmp/k8s.sarif" >"$tmp/mt.log" 2>&1
	grep -v ": note " "$tmp/mt.log"
	[ -s "$tmp/validation.sarif" ] || { echo "sarif-multitool wrote no result"; fail=1; }
	node "$here/multitool-verdict.js" "$tmp/validation.sarif" || fail=1
	node "$here/sarif-schema.js" "$schema" "$tmp/df.sarif" "$tmp/k8s.sarif" || fail=1
	;;
*)
	echo "unknown mode $mode"; exit 2 ;;
esac
exit $fail

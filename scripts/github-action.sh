#!/usr/bin/env bash
# The steps of unroot's GitHub Action (action.yml at the top of the repository), one
# subcommand each. The inputs come in UNROOT_* variables, set by action.yml from the
# workflow's `with:` (never pasted into the script, so no input can inject a command).
#   install  build unroot from the action's own source (the release the workflow
#            pinned) into $RUNNER_TEMP and put it on PATH
#   sarif    lint to a SARIF file for code scanning; findings never fail this step
#   report   lint again in UNROOT_FORMAT (github: annotations on the pull request);
#            the exit status says whether anything at or above UNROOT_FAIL_ON was found
set -euo pipefail
step=${1:?usage: github-action.sh install|sarif|report}
src=${UNROOT_ACTION_PATH:?}

# The options and paths from the inputs: blanks and new lines separate words; no quoting.
lint_args() {
	local -a opts=() paths=()
	set -f
	# shellcheck disable=SC2206 # word splitting is the point; globbing is off
	opts=(${UNROOT_ARGS:-})
	# shellcheck disable=SC2206
	paths=(${UNROOT_PATHS:-.})
	set +f
	[ -n "${UNROOT_CONFIG:-}" ] && opts+=(--config "$UNROOT_CONFIG")
	[ "${#paths[@]}" -gt 0 ] || paths=(.)
	args=("${opts[@]}" -- "${paths[@]}")
}

case $step in
install)
	"$src/scripts/install-deps.sh"
	build=${RUNNER_TEMP:-/tmp}/unroot-build
	[ -f "$build/build.ninja" ] ||
		meson setup "$build" "$src" --buildtype=release -Dtests=false >/dev/null
	ninja -C "$build" >/dev/null # unroot, and unroot-fetch for images named by reference
	echo "$build" >>"${GITHUB_PATH:-/dev/null}"
	"$build/unroot" version
	;;
sarif)
	lint_args
	out=${UNROOT_SARIF_FILE:-unroot.sarif}
	rc=0
	unroot lint -f sarif --output "$out" --fail-on none "${args[@]}" || rc=$?
	echo "status=$rc" >>"${GITHUB_OUTPUT:-/dev/null}"
	if [ ! -s "$out" ]; then
		echo "::error title=unroot::unroot wrote no SARIF report (exit status $rc)"
		exit 2
	fi
	echo "sarif-file=$out" >>"${GITHUB_OUTPUT:-/dev/null}"
	# An input that cannot be read is in the report (NR000); the report step fails on it.
	exit 0
	;;
report)
	lint_args
	exec unroot lint -f "${UNROOT_FORMAT:-github}" --fail-on "${UNROOT_FAIL_ON:-warning}" "${args[@]}"
	;;
*)
	echo "github-action.sh: unknown step '$step'" >&2
	exit 2
	;;
esac

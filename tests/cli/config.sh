#!/usr/bin/env bash
# .unroot.yaml: found upward from the current folder, strict about keys, under the flags.
. "$(dirname "$0")/lib.sh"

mkdir -p repo/.git repo/sub
printf 'FROM alpine:3.20\nUSER 100\n' >repo/sub/Dockerfile

cd repo/sub
status 1 "no config: the finding shows" lint Dockerfile
ok "no config: NR104 is a warning" has out "warning: "
cat >../.unroot.yaml <<'YAML'
# the repository's settings
ignore: [NR107]
severity:
  NR104: error
fail-on: error
YAML
status 1 "config found upward" lint Dockerfile
ok "ignore from config" hasnt out "NR107"
ok "severity override from config" has out "error: "
status 1 "--no-config restores the default" lint --no-config Dockerfile
ok "--no-config: NR107 is back" has out "NR107"
status 0 "flags win over config" lint --fail-on none Dockerfile

printf 'ignore: [NR107]\nsevere: yes\n' >../.unroot.yaml
status 2 "unknown key" lint Dockerfile
ok "unknown key has a position" has err ".unroot.yaml:2:1: error: unknown key 'severe'"

printf 'fail-on: [error]\n' >../.unroot.yaml
status 2 "wrong type" lint Dockerfile
ok "wrong type has a position" has err ".unroot.yaml:1:10:"

printf 'ignore: [NR107\n' >../.unroot.yaml
status 2 "broken YAML" lint Dockerfile

printf 'severity: {NR104: off, NR107: off}\n' >other.yaml
status 0 "--config FILE and severity off" lint --config other.yaml Dockerfile
ok "off rules print nothing" test ! -s out

# The search stops at the folder that holds .git.
rm ../.unroot.yaml
printf 'ignore: [NR104]\n' >../../.unroot.yaml
status 1 "the search stops at .git" lint Dockerfile
ok "outer config not used" has out "NR104"
finish

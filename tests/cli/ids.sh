#!/usr/bin/env bash
# Every uid, gid and range is read by one checked parser: flags, the config, base-images
# values and a Namespace's OpenShift annotations refuse what is not an id from 0 to
# 4294967295, where they are read, instead of going on with a wrong number ("uid -1").
. "$(dirname "$0")/lib.sh"

printf 'FROM alpine:3.20\nUSER 1001:0\n' >clean.Dockerfile

for bad in -1/10 4294967296/10 1/-1 1000680000/18446744073709551615 4294967295/2 0/0 \
	1000-999 +5/10 ' 5/10' 5/10x 1e3/10 /10 5/; do
	status 2 "--uid-range '$bad'" lint --no-config --uid-range "$bad" clean.Dockerfile
	ok "--uid-range '$bad': says why" has err "of uids from 0 to 4294967295, not '$bad'"
	status 2 "--supplemental-groups '$bad'" lint --no-config --supplemental-groups "$bad" \
		clean.Dockerfile
	ok "--supplemental-groups '$bad': says why" has err "of gids from 0 to 4294967295"
done
for good in 0/1 4294967295/1 4294967286/10 1000680000/10000 1000-1999; do
	status 0 "--uid-range '$good'" lint --no-config --uid-range "$good" clean.Dockerfile
	status 0 "--supplemental-groups '$good'" lint --no-config --supplemental-groups "$good" \
		clean.Dockerfile
done
for bad in -5 4294967296 99999999999 1.5 ''; do
	status 2 "--min-uid '$bad'" lint --no-config --min-uid "$bad" clean.Dockerfile
done
status 1 "--min-uid 4294967295: USER 1001 is below it" lint --no-config --min-uid 4294967295 clean.Dockerfile

# The same values in the config file: an error with the key's position.
mkdir -p repo/.git
cp clean.Dockerfile repo/Dockerfile
cd repo
printf 'uid-range: -1/10\n' >.unroot.yaml
status 2 "config uid-range -1/10" lint Dockerfile
ok "config uid-range: position and bounds" has err ".unroot.yaml:1:12: error: 'uid-range' must be START/LENGTH or START-END of uids from 0 to 4294967295"
printf 'supplemental-groups: "1000680000/18446744073709551615"\n' >.unroot.yaml
status 2 "config supplemental-groups past 2^32" lint Dockerfile
printf 'min-uid: 4294967296\n' >.unroot.yaml
status 2 "config min-uid past 2^32" lint Dockerfile
ok "config min-uid: says the bounds" has err "'min-uid' must be a uid, a number from 0 to 4294967295"
printf 'base-images:\n  "acme/*": "1001:-1"\n' >.unroot.yaml
status 2 "config base-images gid -1" lint Dockerfile
ok "config base-images: position of the value" has err ".unroot.yaml:2:13: error: 'base-images' values must be"
printf 'base-images:\n  "acme/*": "4294967296"\n' >.unroot.yaml
status 2 "config base-images uid past 2^32" lint Dockerfile
printf 'base-images:\n  "acme/*": "1001:0"\n' >.unroot.yaml
status 0 "config base-images 1001:0" lint Dockerfile
cd ..

# A Namespace whose annotation is no range: NR000 at the annotation, not a silent fallback.
cat >ns.yaml <<'Y'
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  annotations:
    openshift.io/sa.scc.uid-range: -1/10
    openshift.io/sa.scc.supplemental-groups: 1000680000/18446744073709551615
Y
status 2 "annotation ranges out of bounds" lint --no-config ns.yaml
ok "annotation: NR000 at the uid range" has out "ns.yaml:6:36: error: Namespace/shop 'openshift.io/sa.scc.uid-range: -1/10' is not START/LENGTH"
ok "annotation: NR000 at the group range" has out "ns.yaml:7:46: error: Namespace/shop 'openshift.io/sa.scc.supplemental-groups"
ok "no uid -1 anywhere" hasnt out "uid -1"
finish

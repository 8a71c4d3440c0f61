#!/usr/bin/env bash
# OpenShift's ranges come from a Namespace anywhere in the input, whatever file holds it and
# whatever order the files are linted in.
. "$(dirname "$0")/lib.sh"

cat >a-deploy.yaml <<'Y'
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      securityContext: {runAsUser: 1000700005, runAsNonRoot: true}
      containers:
      - name: app
        image: x
        securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
Y
cat >z-ns.yaml <<'Y'
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  annotations:
    openshift.io/sa.scc.uid-range: 1000700000/10000
    openshift.io/sa.scc.supplemental-groups: 1000700000/10000
Y

status 1 "alone: the default range rejects the uid" lint --no-config a-deploy.yaml
ok "alone: rejected" has out "must be in the ranges: [1000680000, 1000689999]"
status 1 "with the Namespace in a later file" lint --no-config a-deploy.yaml z-ns.yaml
ok "later file: admitted, only pinned" hasnt out "must be in the ranges"
ok "later file: names the Namespace" has out "Namespace/shop"
status 1 "with the Namespace first" lint --no-config z-ns.yaml a-deploy.yaml
ok "earlier file: admitted" hasnt out "must be in the ranges"
status 1 "a folder holding both" lint --no-config .
ok "folder: admitted" hasnt out "must be in the ranges"
sed -i 's/namespace: shop/namespace: other/' a-deploy.yaml
status 1 "another namespace's range does not apply" lint --no-config a-deploy.yaml z-ns.yaml
ok "other namespace: rejected by the default range" has out "must be in the ranges: [1000680000"
finish

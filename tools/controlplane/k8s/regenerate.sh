#!/usr/bin/env bash
# Regenerates go.mod/go.sum of this wrapper module for a Kubernetes version (default: the pinned one).
# k8s.io/kubernetes requires its staging modules (k8s.io/api, …) at v0.0.0, which no proxy serves:
# every one is replaced by its published v0.<minor>.<patch>, read from the tag's own go.mod so no
# module is missed when the list changes between minors. Keep src/istio/install/versions.ts CONTROL_PLANE in step.
set -euo pipefail
cd "$(dirname "$0")"
V=${1:-1.36.3}; SV=0.${V#1.}
ETCD=${ETCD:-v3.6.13}; KWOK=${KWOK:-v0.8.0}
export GOFLAGS=-buildvcs=false
printf 'module meshproof.invalid/controlplane/k8s\n' > go.mod && rm -f go.sum
go mod edit -go=1.26 -godebug default=go1.26
KKMOD=$(go mod download -json "k8s.io/kubernetes@v$V" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
for m in $(awk '$2=="=>" && $3 ~ /^\.\/staging\// {print $1}' "$KKMOD"); do
  go mod edit -replace "$m=$m@v$SV"
done
go mod edit -require "k8s.io/kubernetes@v$V"
go get -tool "k8s.io/kubernetes/cmd/kube-apiserver@v$V" "k8s.io/kubernetes/cmd/kube-controller-manager@v$V" \
  "k8s.io/kubernetes/cmd/kube-scheduler@v$V" "k8s.io/kubernetes/cmd/kubectl@v$V" \
  "go.etcd.io/etcd/server/v3@$ETCD" "sigs.k8s.io/kwok/cmd/kwok@$KWOK"

#!/usr/bin/env bash
# Regenerates go.mod/go.sum of this module (the Go programs of meshproof's kind node image besides
# Kubernetes itself: cni-daemon, coredns, crictl, runc-capfilter) for a CoreDNS and a cri-tools version.
# Every module it shares with ../controlplane/k8s is raised to that module's version (never lowered),
# so client-go and the other shared packages compile once in Go's build cache for both builds.
# Run it again after ../controlplane/k8s changes, and keep src/targets/kind/build/pins.ts in step.
set -euo pipefail
cd "$(dirname "$0")"
COREDNS=${1:-v1.14.2}; CRICTL=${2:-v1.36.0}
K8S=../controlplane/k8s
export GOFLAGS=-buildvcs=false GOWORK=off
printf 'module meshproof.invalid/kind-node\n' > go.mod && rm -f go.sum
go mod edit -go=1.26 -godebug default=go1.26
go get "github.com/coredns/coredns@$COREDNS"
go get -tool "sigs.k8s.io/cri-tools/cmd/crictl@$CRICTL"
go mod tidy
versions() {  # "path version" of every module in the build list, replacements resolved
  go list -m -f '{{.Path}} {{if .Replace}}{{.Replace.Version}}{{else}}{{.Version}}{{end}}' all
}
built() {  # "path version" of the modules that provide a package this module builds
  go list -deps -f '{{with .Module}}{{if not .Main}}{{.Path}} {{.Version}}{{end}}{{end}}' ./... sigs.k8s.io/cri-tools/cmd/crictl | sort -u
}
for round in 1 2 3; do
  raise=$(awk 'NR==FNR { k8s[$1]=$2; next } ($1 in k8s) && k8s[$1] != "" && $2 != k8s[$1] { print $1, $2, k8s[$1] }' \
            <(cd "$K8S" && versions) <(built) |
          while read -r mod ours theirs; do
            # only upward: the newer of the two by semver order
            [[ $(printf '%s\n%s\n' "$ours" "$theirs" | sort -V | tail -1) == "$theirs" ]] && echo "$mod@$theirs"
          done || true)
  [[ -z $raise ]] && break
  echo "round $round: raising $(wc -w <<<"$raise") modules to the k8s module's versions"
  go get $raise
  go mod tidy
done

#!/usr/bin/env bash
# Regenerates go.mod/go.sum of this wrapper module for an istio.io/istio pseudo-version (Istio's
# release tags have no `v`, so the module proxy serves only pseudo-versions). istio.io/istio needs
# no replace directives. GONOSUMDB: the checksum database did not know the istio.io/client-go
# pseudo-version it requires (404 through the proxy); its hash is then pinned by go.sum alone.
# Keep src/istio/install/versions.ts CONTROL_PLANE in step.
set -euo pipefail
cd "$(dirname "$0")"
IV=${1:-v0.0.0-20260423205519-b01690e6db7d}
export GOFLAGS=-buildvcs=false GONOSUMDB=istio.io/client-go
printf 'module meshproof.invalid/controlplane/istio\n' > go.mod && rm -f go.sum
go mod edit -go=1.26
go get -tool "istio.io/istio/istioctl/cmd/istioctl@$IV" "istio.io/istio/pilot/cmd/pilot-discovery@$IV" \
  "istio.io/istio/pilot/cmd/pilot-agent@$IV"

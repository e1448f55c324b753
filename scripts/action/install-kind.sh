#!/usr/bin/env bash
# Installs kind for the action: downloads the release binary for this machine, checks it against the
# checksum published beside it and, when KIND_SHA256 is set, against that pinned checksum too, and
# only then puts it on the job's PATH.
#   KIND_VERSION       e.g. v0.33.0 (required)
#   KIND_SHA256        pinned sha256 of the binary for this OS and architecture ('' to rely on the published one)
#   KIND_DOWNLOAD_BASE default https://kind.sigs.k8s.io/dl
#   RUNNER_TEMP, GITHUB_PATH  from the runner
set -euo pipefail

: "${KIND_VERSION:?KIND_VERSION is required (e.g. v0.33.0)}"
: "${RUNNER_TEMP:?RUNNER_TEMP is not set: this runs inside a GitHub Actions job}"
: "${GITHUB_PATH:?GITHUB_PATH is not set: this runs inside a GitHub Actions job}"
base="${KIND_DOWNLOAD_BASE:-https://kind.sigs.k8s.io/dl}"

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) echo "::error::kind: no release for $(uname -s)"; exit 1 ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "::error::kind: no release for the architecture $(uname -m)"; exit 1 ;;
esac
file="kind-${os}-${arch}"
url="${base}/${KIND_VERSION}/${file}"

work="$(mktemp -d "${RUNNER_TEMP}/kind.XXXXXX")"
cd "$work"
curl -fsSLo "$file" "$url" || { echo "::error::kind: cannot download $url"; exit 1; }
curl -fsSLo "$file.sha256sum" "$url.sha256sum" || { echo "::error::kind: cannot download $url.sha256sum"; exit 1; }
published="$(cut -d' ' -f1 "$file.sha256sum")"
actual="$(sha256sum "$file" | cut -d' ' -f1)"
if [ "$actual" != "$published" ]; then
  echo "::error::kind $KIND_VERSION ($file): checksum $actual differs from the published $published"
  exit 1
fi
if [ -n "${KIND_SHA256:-}" ] && [ "$actual" != "$KIND_SHA256" ]; then
  echo "::error::kind $KIND_VERSION ($file): checksum $actual differs from the pinned $KIND_SHA256" \
    "(the action's kind-sha256 input pins kind v0.33.0 linux-amd64: set it for another version or machine," \
    "or to '' to rely on the published checksum alone)"
  exit 1
fi

bin="${RUNNER_TEMP}/meshproof-bin"
mkdir -p "$bin"
install -m 0755 "$file" "$bin/kind"
echo "$bin" >> "$GITHUB_PATH"
"$bin/kind" version

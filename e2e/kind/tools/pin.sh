#!/usr/bin/env bash
# Regenerates the kind tier's wrapper Go modules in tools/<tool>/ from ../versions.sh. Needs the Go
# module proxy; node-image.sh then builds from the committed go.mod/go.sum with -mod=readonly.
# The node's Kubernetes binaries are not here: they come from the cluster tier's wrapper
# (e2e/cluster/tools/kubernetes, pinned by e2e/cluster/tools/pin.sh).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../versions.sh"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod

# new_wrapper <dir> <module-path> <go-get args...>
new_wrapper() {
  local dir="$here/$1" mod="$2"
  shift 2
  rm -rf "$dir" && mkdir -p "$dir"
  (cd "$dir" && go mod init "$mod" >/dev/null 2>&1 && go mod edit -go=1.26.0 && go get -tool "$@" && go mod tidy)
}

new_wrapper kind moocflix.local/tools/kind "sigs.k8s.io/kind@$KIND_VERSION"
# CoreDNS's main package is the module root; its default plugin set is compiled in (core/plugin).
new_wrapper coredns moocflix.local/tools/coredns "github.com/coredns/coredns@$COREDNS_VERSION"
new_wrapper crictl moocflix.local/tools/crictl "sigs.k8s.io/cri-tools/cmd/crictl@$CRICTL_VERSION"

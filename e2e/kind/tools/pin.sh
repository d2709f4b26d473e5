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
# WRAPPER_EDITS: extra `go mod edit` flags applied before `go get` (see upstream_directives).
new_wrapper() {
  local dir="$here/$1" mod="$2"
  shift 2
  rm -rf "$dir" && mkdir -p "$dir"
  (cd "$dir" && go mod init "$mod" >/dev/null 2>&1 && go mod edit -go=1.26.0 ${WRAPPER_EDITS:-} &&
    go get -tool "$@" && go mod tidy)
}

# upstream_directives <module>@<version>: the module's own replace and exclude directives as
# `go mod edit` flags. Go ignores a dependency's replaces, so a wrapper that builds a program whose
# go.mod pins forks or older majors with them (skaffold does) must repeat them to build the same thing.
upstream_directives() {
  local gomod
  gomod="$(cd "$here" && go mod download -json "$1" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
  sed -n -e 's/^replace \([^ ]*\) => \([^ ]*\) \([^ ]*\)$/-replace=\1=\2@\3/p' \
    -e 's/^exclude \([^ ]*\) \([^ ]*\)$/-exclude=\1@\2/p' "$gomod"
}

new_wrapper kind moocflix.local/tools/kind "sigs.k8s.io/kind@$KIND_VERSION"
# CoreDNS's main package is the module root; its default plugin set is compiled in (core/plugin).
new_wrapper coredns moocflix.local/tools/coredns "github.com/coredns/coredns@$COREDNS_VERSION"
new_wrapper crictl moocflix.local/tools/crictl "sigs.k8s.io/cri-tools/cmd/crictl@$CRICTL_VERSION"
# skaffold (the kind tier's `skaffold build` / `skaffold run -p kind`, and `skaffold dev -p kind`).
WRAPPER_EDITS="$(upstream_directives "github.com/GoogleContainerTools/skaffold/v2@$SKAFFOLD_VERSION" | tr '\n' ' ')" \
  new_wrapper skaffold moocflix.local/tools/skaffold "github.com/GoogleContainerTools/skaffold/v2/cmd/skaffold@$SKAFFOLD_VERSION"

#!/usr/bin/env bash
# Builds skaffold from the Go module proxy (the wrapper module in tools/skaffold, pinned by pin.sh)
# into $MOOCFLIX_CACHE/skaffold-<version>/bin once per version, and prints that bin directory.
# A cold build takes ~8 minutes on 2 cores (skaffold links every cloud builder it supports); later
# runs, and clones elsewhere on the machine, reuse it.
#   PATH="$(bash e2e/kind/tools/skaffold.sh):$PATH"
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../versions.sh"
cache="${MOOCFLIX_CACHE:-$HOME/.cache/moocflix}"
dest="$cache/skaffold-$SKAFFOLD_VERSION"
export GOTOOLCHAIN=local

if [[ ! -x "$dest/bin/skaffold" ]]; then
  mkdir -p "$cache"
  exec 9>"$cache/.skaffold.lock"
  flock 9
  if [[ ! -x "$dest/bin/skaffold" ]]; then
    started=$SECONDS
    rm -rf "$cache/.skaffold-$SKAFFOLD_VERSION".*
    out="$(mktemp -d "$cache/.skaffold-$SKAFFOLD_VERSION.XXXXXX")"
    building=""
    # An interrupted build stops as a whole (its own process group) and leaves no half-made folder.
    trap '[[ -n "$building" ]] && kill -TERM -- "-$building" 2>/dev/null; rm -rf "$out"' EXIT
    trap 'exit 143' TERM
    trap 'exit 130' INT
    mkdir "$out/bin"
    echo "skaffold: building $SKAFFOLD_VERSION from the Go module proxy (cached in $dest)" >&2
    # The version stamp `skaffold version` prints (upstream's Makefile sets the same variable).
    (cd "$here/skaffold" && exec setsid nice -n 10 go build -mod=readonly -trimpath \
      -ldflags="-s -w -X github.com/GoogleContainerTools/skaffold/v2/pkg/skaffold/version.version=$SKAFFOLD_VERSION" \
      -o "$out/bin/skaffold" github.com/GoogleContainerTools/skaffold/v2/cmd/skaffold) >&2 &
    building=$!
    wait "$building"
    building=""
    mv -T "$out" "$dest"
    trap - EXIT
    echo "skaffold: built in $((SECONDS - started)) s" >&2
  fi
fi
echo "$dest/bin"

#!/usr/bin/env bash
# Builds the cluster tier's control plane from the Go module proxy and caches
# each tool, keyed by version, in ${MOOCFLIX_CACHE:-$HOME/.cache/moocflix}/<tool>-<version>/bin/.
#   bash e2e/cluster/prepare.sh            every tool: etcd, kubernetes, kwok, helm
#   bash e2e/cluster/prepare.sh helm ...   only the tools named (make test builds helm first, for the
#                                          chart unit tests, and the rest in the background)
# Idempotent: a cached tool is not rebuilt. Builds go to a temp dir renamed into place, so an
# interrupted build never leaves a half-filled cache entry. Builds use the committed wrapper
# modules in tools/<tool>/ with -mod=readonly, so they are pinned by go.sum.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/tools/versions.sh"
cache="${MOOCFLIX_CACHE:-$HOME/.cache/moocflix}"
mkdir -p "$cache"

# The wrappers say `go 1.26.0`; never let go fetch a toolchain (download sites are unreachable).
export GOTOOLCHAIN=local
# A second prepare.sh (another clone, another terminal) waits instead of building the same thing.
exec 9>"$cache/.cluster-prepare.lock"
flock -n 9 || { echo "waiting for another build of the cluster tools (the background one of make test?)"; flock 9; }
# Builds run in the background, so `wait` returns as soon as a signal arrives and the EXIT trap
# in build() can stop them.
trap 'exit 130' INT
trap 'exit 143' TERM

wanted=("$@")
# build <tool> <version> <ldflags> <package>=<binary>...
build() {
  local tool="$1" version="$2" ldflags="$3"
  shift 3
  if ((${#wanted[@]})) && [[ " ${wanted[*]} " != *" $tool "* ]]; then return; fi
  local dest="$cache/$tool-$version"
  if [[ -d "$dest/bin" ]]; then
    echo "$tool $version: cached"
    return
  fi
  local start pkg
  # Leftovers of an interrupted build; safe to remove while we hold the lock.
  rm -rf "$cache/.$tool-$version".*
  # tmp and building are global, not local: the EXIT trap may run outside this function.
  tmp="$(mktemp -d "$cache/.$tool-$version.XXXXXX")"
  building=""
  # On a signal or an error: stop the go build and its compile/link children (they would outlive
  # us), then drop the temp dir.
  trap '[[ -n "$building" ]] && kill -TERM -- "-$building" 2>/dev/null; rm -rf "$tmp"' EXIT
  mkdir "$tmp/bin"
  start=$SECONDS
  for spec in "$@"; do
    pkg="${spec%=*}"
    # nice: Kubernetes builds are heavy and the machine's 2 cores are shared. setsid: its own
    # process group, which the trap can signal as a whole.
    (cd "$here/tools/$tool" && exec setsid nice -n 10 go build -mod=readonly -trimpath \
      -ldflags="-s -w $ldflags" -o "$tmp/bin/${spec#*=}" "$pkg") &
    building=$!
    wait "$building"
  done
  mv -T "$tmp" "$dest"
  trap - EXIT
  echo "$tool $version: built in $((SECONDS - start))s"
}

# Check the committed wrapper really pins the version in versions.sh (pin.sh writes both).
require_pinned() {
  grep -qE "^\s*(require )?$2 $3( |$)" "$here/tools/$1/go.mod" ||
    { echo "tools/$1/go.mod does not pin $2 $3: run bash e2e/cluster/tools/pin.sh" >&2; exit 1; }
}
require_pinned etcd go.etcd.io/etcd/server/v3 "$ETCD_VERSION"
require_pinned kubernetes k8s.io/kubernetes "$KUBERNETES_VERSION"
require_pinned kwok sigs.k8s.io/kwok "$KWOK_VERSION"
require_pinned helm helm.sh/helm/v3 "$HELM_VERSION"

build etcd "$ETCD_VERSION" "" go.etcd.io/etcd/server/v3=etcd

# Without these the binaries report v0.0.0-master, and charts' `kubeVersion` constraints (checked
# by helm against the server) would refuse to install.
k8s_minor="${KUBERNETES_VERSION#v1.}"
k8s_minor="${k8s_minor%%.*}"
k8s_ldflags=""
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  k8s_ldflags+=" -X $p.gitVersion=$KUBERNETES_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$k8s_minor -X $p.gitTreeState=clean"
done
build kubernetes "$KUBERNETES_VERSION" "$k8s_ldflags" \
  k8s.io/kubernetes/cmd/kube-apiserver=kube-apiserver \
  k8s.io/kubernetes/cmd/kube-controller-manager=kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler=kube-scheduler

build kwok "$KWOK_VERSION" "" sigs.k8s.io/kwok/cmd/kwok=kwok

build helm "$HELM_VERSION" "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" helm.sh/helm/v3/cmd/helm=helm

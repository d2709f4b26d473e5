#!/usr/bin/env bash
# Regenerates the wrapper Go modules in tools/<tool>/ from versions.sh. Needs the Go module proxy;
# prepare.sh then builds offline-reproducibly from the committed go.mod/go.sum (-mod=readonly).
# Each wrapper declares its binaries with `tool` directives (Go >= 1.24) so `go mod tidy` keeps
# exactly the modules those binaries need.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/versions.sh"
export GOTOOLCHAIN=local GOFLAGS=-mod=mod

# new_wrapper <dir> <module-path> <go-get args...>
new_wrapper() {
  local dir="$here/$1" mod="$2"
  shift 2
  rm -rf "$dir" && mkdir -p "$dir"
  (cd "$dir" && go mod init "$mod" >/dev/null 2>&1 && go mod edit -go=1.26.0 && go get -tool "$@" && go mod tidy)
}

# etcd's server module is its main package, but its go.mod replaces the sibling modules with
# ../paths, so `go install` refuses it; a wrapper requiring it ignores those replaces.
new_wrapper etcd moocflix.local/tools/etcd "go.etcd.io/etcd/server/v3@$ETCD_VERSION"

# k8s.io/kubernetes requires its staging modules at v0.0.0 and replaces them with ./staging/...;
# the wrapper must point each one at its published tag (v1.X.Y -> v0.X.Y). The list comes from
# k8s.io/kubernetes's own go.mod so new staging modules are picked up automatically.
k8s_mod="$(go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/^\s*"GoMod": "\(.*\)",$/\1/p')"
staging_version="v0.${KUBERNETES_VERSION#v1.}"
dir="$here/kubernetes"
rm -rf "$dir" && mkdir -p "$dir"
(
  cd "$dir"
  go mod init moocflix.local/tools/kubernetes >/dev/null 2>&1
  go mod edit -go=1.26.0 -require="k8s.io/kubernetes@$KUBERNETES_VERSION"
  for m in $(sed -n 's#^\s*\(k8s\.io/[^ ]*\) => \./staging/.*#\1#p' "$k8s_mod"); do
    go mod edit -replace="$m=$m@$staging_version"
  done
  # The kind tier's node image (e2e/kind/node-image.sh) builds the node's binaries from this same
  # wrapper, so both tiers share one module graph and one Go build cache.
  go get -tool "k8s.io/kubernetes/cmd/kube-apiserver@$KUBERNETES_VERSION" \
    "k8s.io/kubernetes/cmd/kube-controller-manager@$KUBERNETES_VERSION" \
    "k8s.io/kubernetes/cmd/kube-scheduler@$KUBERNETES_VERSION" \
    "k8s.io/kubernetes/cmd/kubelet@$KUBERNETES_VERSION" \
    "k8s.io/kubernetes/cmd/kubeadm@$KUBERNETES_VERSION" \
    "k8s.io/kubernetes/cmd/kubectl@$KUBERNETES_VERSION" \
    "k8s.io/kubernetes/cmd/kube-proxy@$KUBERNETES_VERSION"
  go mod tidy
)

# Only the kwok controller: kwokctl's binary runtime is not used (see control-plane.ts).
new_wrapper kwok moocflix.local/tools/kwok "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
new_wrapper helm moocflix.local/tools/helm "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"

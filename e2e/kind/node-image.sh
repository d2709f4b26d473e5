#!/usr/bin/env bash
# Builds everything a kind cluster needs on this machine, offline, and the node image
# moocflix-e2e/kind-node:<Kubernetes version> in the project's docker engine:
#   - kind, crictl, CoreDNS (wrapper modules in tools/), the node's kubelet, kubeadm, kubectl and
#     kube-proxy (the cluster tier's wrapper e2e/cluster/tools/kubernetes, so the Go build cache is
#     shared), pause (gcc, static, from the Kubernetes module's source), each cached in
#     ${MOOCFLIX_CACHE:-$HOME/.cache/moocflix}/<tool>-<version>/bin, built in a temp dir renamed
#     into place, under a lock;
#   - kube-apiserver, -controller-manager, -scheduler and etcd from e2e/cluster/prepare.sh's cache;
#   - images under the names kubeadm asks for, kind's base image from Debian packages
#     (node-base/Dockerfile), then `kind build node-image --type file`.
# Idempotent: when the node image carries the hash of today's inputs and the cache is there, it
# only says so. Uses the running project engine, or starts it and stops it at the end.
# Prints where kind is: callers put "$cache/kind-$KIND_VERSION/bin" on PATH.
#   node-image.sh --binaries   only the Go builds and pause, no engine needed (make test runs this in
#                              the background, at the lowest priority, while the earlier tiers run)
set -euo pipefail
# All in a function, so bash reads the whole file before running any of it (the run is long; an
# edit meanwhile cannot change what it does).
main() {
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
source "$root/e2e/cluster/tools/versions.sh"
source "$here/versions.sh"
cache="${MOOCFLIX_CACHE:-$HOME/.cache/moocflix}"
mkdir -p "$cache"
binaries_only=""
[[ "${1:-}" == --binaries ]] && binaries_only=1
export GOTOOLCHAIN=local

node_image="$NODE_IMAGE_REPO:$KUBERNETES_VERSION"
base_image="moocflix-e2e/kind-base:$KIND_VERSION"
kind_bin="$cache/kind-$KIND_VERSION/bin/kind"
grep -q "image: $node_image\$" "$here/kind-config.yaml" ||
  { echo "node-image: e2e/kind/kind-config.yaml must name image: $node_image" >&2; exit 1; }
report=()
started=$SECONDS
note() { report+=("$(printf '%-34s %s' "$1" "$2")"); echo "node-image: $1: $2"; }

# Everything that shapes the node image; a change to any of them rebuilds it.
inputs_hash="$(cd "$root" && cat e2e/kind/node-image.sh e2e/kind/kind-image-archive.py e2e/kind/versions.sh \
  e2e/kind/node-base/* e2e/kind/tools/{coredns,crictl,kind}/go.sum e2e/cluster/tools/versions.sh \
  e2e/cluster/tools/kubernetes/go.sum | sha256sum | cut -c1-16)"

cached_binaries() {
  local d
  for d in "kind-$KIND_VERSION" "crictl-$CRICTL_VERSION" "kubernetes-node-$KUBERNETES_VERSION" \
    "coredns-$COREDNS_VERSION" "pause-$PAUSE_VERSION" "kubernetes-$KUBERNETES_VERSION" "etcd-$ETCD_VERSION"; do
    [[ -d "$cache/$d/bin" ]] || return 1
  done
}
# The project's engine (e2e/kind/engine.sh), never a system docker: its socket answering means
# another tier or helper runs it, and we use it without stopping it.
sock=/run/moocflix-docker/docker.sock
export DOCKER_HOST="unix://$sock"
engine_up() { [[ -S "$sock" ]] && docker info >/dev/null 2>&1; }
up_to_date() {
  cached_binaries && engine_up &&
    [[ "$(docker image inspect -f '{{index .Config.Labels "moocflix.inputs"}}' "$node_image" 2>/dev/null)" == "$inputs_hash" ]]
}
if [[ -n "$binaries_only" ]] && cached_binaries; then
  echo "node-image: every binary is cached; kind: $kind_bin"
  exit 0
fi
if [[ -z "$binaries_only" ]] && up_to_date; then
  echo "node-image: $node_image is up to date (inputs $inputs_hash); kind: $kind_bin"
  exit 0
fi

# ---- Go builds and pause, cached by version
# The cluster tier's control plane (kube-apiserver, -controller-manager, -scheduler, etcd, helm).
t=$SECONDS
bash "$root/e2e/cluster/prepare.sh"
note "cluster tier binaries (prepare.sh)" "$((SECONDS - t))s"

exec 9>"$cache/.kind-node-image.lock"
flock 9
# Another node-image.sh may have finished the same build while we waited for the lock.
if [[ -z "$binaries_only" ]] && up_to_date; then
  echo "node-image: $node_image was just built by another run; kind: $kind_bin"
  exit 0
fi
trap 'exit 130' INT
trap 'exit 143' TERM
tmp=""
building=""
own_engine=""
cleanup() {
  [[ -n "$building" ]] && kill -TERM -- "-$building" 2>/dev/null
  [[ -n "$tmp" ]] && rm -rf "$tmp"
  if [[ -n "$own_engine" ]]; then engine_stop; fi
}
trap cleanup EXIT

# build <cache-name> <version> <module dir> <ldflags> <package>=<binary>...
build() {
  local name="$1" version="$2" dir="$3" ldflags="$4"
  shift 4
  local dest="$cache/$name-$version" t=$SECONDS spec out
  if [[ -d "$dest/bin" ]]; then
    note "$name $version" "cached"
    return
  fi
  rm -rf "$cache/.$name-$version".*
  out="$(mktemp -d "$cache/.$name-$version.XXXXXX")"
  tmp="$out"
  mkdir "$out/bin"
  for spec in "$@"; do
    # nice + its own process group, as in prepare.sh: the cores are shared, and the EXIT trap
    # stops a whole interrupted build.
    (cd "$dir" && exec setsid nice -n 10 go build -mod=readonly -trimpath \
      -ldflags="-s -w $ldflags" -o "$out/bin/${spec#*=}" "${spec%=*}") &
    building=$!
    wait "$building"
    building=""
  done
  mv -T "$out" "$dest"
  tmp=""
  note "$name $version" "built in $((SECONDS - t))s"
}

build kind "$KIND_VERSION" "$here/tools/kind" "" sigs.k8s.io/kind=kind
build crictl "$CRICTL_VERSION" "$here/tools/crictl" "-X sigs.k8s.io/cri-tools/pkg/version.Version=$CRICTL_VERSION" \
  sigs.k8s.io/cri-tools/cmd/crictl=crictl
# Same version stamping as prepare.sh (kubeadm refuses a v0.0.0-master kubelet, charts' kubeVersion).
k8s_minor="${KUBERNETES_VERSION#v1.}"
k8s_minor="${k8s_minor%%.*}"
k8s_ldflags=""
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  k8s_ldflags+=" -X $p.gitVersion=$KUBERNETES_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$k8s_minor -X $p.gitTreeState=clean"
done
build kubernetes-node "$KUBERNETES_VERSION" "$root/e2e/cluster/tools/kubernetes" "$k8s_ldflags" \
  k8s.io/kubernetes/cmd/kubelet=kubelet k8s.io/kubernetes/cmd/kubeadm=kubeadm \
  k8s.io/kubernetes/cmd/kubectl=kubectl k8s.io/kubernetes/cmd/kube-proxy=kube-proxy
build coredns "$COREDNS_VERSION" "$here/tools/coredns" "" github.com/coredns/coredns=coredns

if [[ -d "$cache/pause-$PAUSE_VERSION/bin" ]]; then
  note "pause $PAUSE_VERSION" "cached"
else
  t=$SECONDS
  k8s_src="$(cd "$root/e2e/cluster/tools/kubernetes" && go list -mod=readonly -m -f '{{.Dir}}' k8s.io/kubernetes)"
  rm -rf "$cache/.pause-$PAUSE_VERSION".*
  tmp="$(mktemp -d "$cache/.pause-$PAUSE_VERSION.XXXXXX")"
  mkdir "$tmp/bin"
  # The flags of build/pause/Makefile: static, so the image needs nothing but the binary.
  gcc -Os -Wall -Werror -static -DVERSION="v$PAUSE_VERSION-0" -o "$tmp/bin/pause" "$k8s_src/build/pause/linux/pause.c"
  mv -T "$tmp" "$cache/pause-$PAUSE_VERSION"
  tmp=""
  note "pause $PAUSE_VERSION" "built in $((SECONDS - t))s"
fi

if [[ -n "$binaries_only" ]]; then
  echo "node-image: binaries built in $((SECONDS - started))s"
  printf '  %s\n' "${report[@]}"
  exit 0
fi

# ---- engine: the one already running, else ours (started only now, after the long Go builds,
# and stopped on exit)
own_engine=""
if ! engine_up; then
  source "$here/engine.sh"
  engine_start
  own_engine=1
  trap cleanup EXIT
  # The image may well be there, only the engine was not running at the first check.
  if up_to_date; then
    echo "node-image: $node_image is up to date (inputs $inputs_hash); kind: $kind_bin"
    exit 0
  fi
fi

# ---- images
t=$SECONDS
if ! docker image inspect debian:bookworm-slim >/dev/null 2>&1; then
  if [[ -f "$here/images/base-images.sh" ]]; then
    bash "$here/images/base-images.sh"
  fi
  docker image inspect debian:bookworm-slim >/dev/null 2>&1 ||
    { echo "node-image: no local debian:bookworm-slim image (e2e/kind/images/base-images.sh builds it)" >&2; exit 1; }
fi

tmp="$(mktemp -d)"
k8s_bin="$cache/kubernetes-$KUBERNETES_VERSION/bin"
node_bin="$cache/kubernetes-node-$KUBERNETES_VERSION/bin"

# docker build, quiet unless it fails (the classic builder's deprecation notice on every build
# would bury what matters).
quiet_build() {
  local out
  out="$(docker build "$@" 2>&1)" || { echo "$out" >&2; return 1; }
}
# image <name:tag> <dockerfile> <files...>: a context holding only the listed files.
image() {
  local ref="$1" dockerfile="$2" ctx
  shift 2
  ctx="$(mktemp -d "$tmp/ctx.XXXXXX")"
  cp "$@" "$ctx/"
  quiet_build -t "$ref" -f - "$ctx" <<<"$dockerfile"
  rm -rf "$ctx"
}
# The control plane's static pods name their binary as the command (found on PATH); a Debian base
# because the binaries are linked against glibc (cgo on, as prepare.sh builds them).
for c in kube-apiserver kube-controller-manager kube-scheduler; do
  image "registry.k8s.io/$c:$KUBERNETES_VERSION" "FROM debian:bookworm-slim
COPY $c /usr/local/bin/$c" "$k8s_bin/$c"
done
# kube-proxy programs iptables and clears conntrack entries: Debian's tools, whose default
# (nf_tables) is also what the node's entrypoint picks on this host.
image "registry.k8s.io/kube-proxy:$KUBERNETES_VERSION" "FROM debian:bookworm-slim
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends iptables conntrack \\
  && rm -rf /var/lib/apt/lists/*
COPY kube-proxy /usr/local/bin/kube-proxy" "$node_bin/kube-proxy"
image "registry.k8s.io/etcd:$KUBEADM_ETCD_TAG" "FROM debian:bookworm-slim
COPY etcd /usr/local/bin/etcd" "$cache/etcd-$ETCD_VERSION/bin/etcd"
# kubeadm's CoreDNS Deployment passes only args: the image's entrypoint is the binary.
image "registry.k8s.io/coredns/coredns:$COREDNS_VERSION" "FROM debian:bookworm-slim
COPY coredns /coredns
ENTRYPOINT [\"/coredns\"]" "$cache/coredns-$COREDNS_VERSION/bin/coredns"
image "registry.k8s.io/pause:$PAUSE_VERSION" "FROM scratch
COPY pause /pause
USER 65535:65535
ENTRYPOINT [\"/pause\"]" "$cache/pause-$PAUSE_VERSION/bin/pause"
note "component images" "$((SECONDS - t))s"

# kind's --type file input: kubernetes/version, kubernetes/server/bin/{kubeadm,kubelet,kubectl} and
# the four image archives. etcd, CoreDNS and pause ride in kube-proxy.tar (see kind-image-archive.py),
# with kindnetd's and local-path-provisioner's names, which kind's build requires but nothing runs.
t=$SECONDS
kind_src="$(cd "$here/tools/kind" && go list -mod=readonly -m -f '{{.Dir}}' sigs.k8s.io/kind)"
mapfile -t kind_only < <(grep -ho '"docker.io/kindest/[^"]*"' "$kind_src"/pkg/build/nodeimage/const_*.go | tr -d '"')
srv="$tmp/kubernetes/server/bin"
mkdir -p "$srv"
echo "$KUBERNETES_VERSION" >"$tmp/kubernetes/version"
cp "$node_bin/kubeadm" "$node_bin/kubelet" "$node_bin/kubectl" "$srv/"
for c in kube-apiserver kube-controller-manager kube-scheduler; do
  docker save -o "$srv/$c.tar" "registry.k8s.io/$c:$KUBERNETES_VERSION"
done
docker save -o "$tmp/proxy-and-addons.tar" "registry.k8s.io/kube-proxy:$KUBERNETES_VERSION" \
  "registry.k8s.io/etcd:$KUBEADM_ETCD_TAG" "registry.k8s.io/coredns/coredns:$COREDNS_VERSION" \
  "registry.k8s.io/pause:$PAUSE_VERSION"
python3 "$here/kind-image-archive.py" "$tmp/proxy-and-addons.tar" "$srv/kube-proxy.tar" "${kind_only[@]}"
rm "$tmp/proxy-and-addons.tar"
tar -C "$tmp" -cf - kubernetes | gzip -1 >"$tmp/kubernetes.tar.gz"
rm -rf "$tmp/kubernetes"
note "kind input archive" "$((SECONDS - t))s, $(du -m "$tmp/kubernetes.tar.gz" | cut -f1) MB"

# kind's base image: our Dockerfile + kind's own files from its module (read-only in the module
# cache: copied, with the modes kind's Dockerfile gives them) + crictl.
t=$SECONDS
ctx="$tmp/base"
mkdir -p "$ctx"
cp "$here/node-base/"* "$ctx/"
cp -r "$kind_src/images/base/files" "$ctx/kind-files"
chmod -R u+w "$ctx/kind-files"
find "$ctx/kind-files" -type d -exec chmod 755 {} +
find "$ctx/kind-files" -type f -exec chmod 644 {} +
chmod 755 "$ctx/kind-files/usr/local/bin/"* "$ctx/kind-files/kind/bin/"* "$ctx/ctr"
cp "$cache/crictl-$CRICTL_VERSION/bin/crictl" "$ctx/"
quiet_build -t "$base_image" --build-arg "PAUSE_IMAGE=registry.k8s.io/pause:$PAUSE_VERSION" "$ctx"
note "base image $base_image" "$((SECONDS - t))s"

t=$SECONDS
# TMPDIR: kind extracts the archive (~1 GB) into a temp dir it never removes; ours is removed.
TMPDIR="$tmp" "$kind_bin" build node-image --type file --base-image "$base_image" --image "$node_image-unfinished" \
  "$tmp/kubernetes.tar.gz"
# kind's build writes its local-path-provisioner manifest, which kind create would apply; without it
# kind applies a plain host-path StorageClass and no pod that could never start.
quiet_build -t "$node_image" --label "moocflix.inputs=$inputs_hash" -f - "$tmp" <<EOF
FROM $node_image-unfinished
RUN rm -f /kind/manifests/default-storage.yaml
EOF
docker rmi "$node_image-unfinished" >/dev/null
note "node image $node_image" "$((SECONDS - t))s, $(docker image inspect -f '{{.Size}}' "$node_image" | awk '{printf "%d MB", $1/1e6}')"

echo
echo "node-image: built in $((SECONDS - started))s"
printf '  %s\n' "${report[@]}"
echo "kind: $kind_bin"
}
main "$@"

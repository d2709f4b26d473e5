#!/usr/bin/env bash
# `make e2e`, and the kind tier of `make test`: the platform on real pods (docs/architecture.md#test-tiers).
#   bash e2e/kind/run.sh [--results FILE]   everything below, then deletes the cluster and stops the engine
#                 [--install-after FILE]    ... but waits for FILE to exist before installing (make test: see below)
#   bash e2e/kind/run.sh up                 engine + images + cluster + prerequisites + platform, left running
#                                           (what `skaffold dev -p kind` needs; `run.sh down` ends it)
#   bash e2e/kind/run.sh down               delete the cluster, stop the engine
#
# Nothing is installed by hand and nothing is pulled: Debian's container engine (e2e/kind/engine.sh, its own
# data root, socket and pid files), base images built here under the official names
# (e2e/kind/images/base-images.sh), the platform's images from the Dockerfile with `skaffold build -p kind`, the
# third-party systems as local images (e2e/kind/images/third-party.sh), kind, skaffold and a node image built
# from the Go module proxy (e2e/kind/node-image.sh, e2e/kind/tools/skaffold.sh). The platform is installed
# with `skaffold run -p kind` (skaffold.yaml: the umbrella chart with e2e/kind/values.yaml), as a developer
# would. Then the checks in e2e/kind/*.kind.test.ts run against the cluster (jest project "kind"): the
# install, the API flows with a real ffmpeg Job, the drills, upgrade and uninstall. The engine, the cluster
# and every port-forward are stopped on exit, also on failure.
set -Eeuo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/e2e/kind"
cd "$root"
export MOOCFLIX_CACHE="${MOOCFLIX_CACHE:-$HOME/.cache/moocflix}"

CLUSTER="${KIND_CLUSTER:-moocflix}"
# private: Debian's dockerd started here with its own data root and socket, stopped at the end (this machine, CI
# machines like it). host: the engine DOCKER_HOST already names (a GitHub runner's), neither started nor stopped.
ENGINE="${E2E_ENGINE:-private}"
NS=moocflix
IMAGE_TAG="${IMAGE_TAG:-e2e}"
ARTIFACTS="${E2E_ARTIFACTS:-$root/.moocflix/e2e}"
PLATFORM_IMAGES=(users courses content assessments notifications transcoder operator)
step() { echo; echo "=== $* ($(date +%T))"; }

host_docker="${DOCKER_HOST:-}"
source "$here/engine.sh" # points DOCKER_HOST at the private engine's socket
if [[ "$ENGINE" == host ]]; then
  if [[ -n "$host_docker" ]]; then export DOCKER_HOST="$host_docker"; else unset DOCKER_HOST; fi
fi
source "$here/versions.sh"
source "$root/e2e/cluster/tools/versions.sh"
# kind, the node's kubectl and helm, all built from the Go module proxy and cached by version.
export PATH="$MOOCFLIX_CACHE/kind-$KIND_VERSION/bin:$MOOCFLIX_CACHE/kubernetes-node-$KUBERNETES_VERSION/bin:$MOOCFLIX_CACHE/helm-$HELM_VERSION/bin:$PATH"
export KUBECONFIG="$ARTIFACTS/kubeconfig"
# skaffold: no update check, metrics or survey prompts (nothing but this machine is reachable), its global
# config kept with the tier's artifacts rather than in ~/.skaffold.
export SKAFFOLD_CONFIG="$ARTIFACTS/skaffold-config.yaml" SKAFFOLD_UPDATE_CHECK=false SKAFFOLD_INTERACTIVE=false
kubectl() { command kubectl --context "kind-$CLUSTER" "$@"; }
helm() { command helm --kube-context "kind-$CLUSTER" "$@"; }

apply_secret() { # name, then --from-literal/--from-file args
  local name=$1; shift
  kubectl -n "$NS" create secret generic "$name" "$@" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
}
random() { node -e 'process.stdout.write(require("crypto").randomBytes(Number(process.argv[1])).toString("hex"))' "$1"; }

prepare() {
  step "tools (cached outside the clone, keyed by version)"
  bash "$root/e2e/cluster/prepare.sh" # helm and the control-plane binaries the node image reuses
  bash "$root/e2e/stack/prepare.sh"   # the Kafka jars and the SeaweedFS binary the third-party images carry
  PATH="$(bash "$here/tools/skaffold.sh"):$PATH"
  skaffold version
  printf 'global:\n  collect-metrics: false\n  update-check: false\n  survey:\n    disable-prompt: true\n' >"$SKAFFOLD_CONFIG"
  step "container engine"
  if [[ "$ENGINE" == host ]]; then
    docker info --format 'the host engine: {{.ServerVersion}}'
  else
    engine_start
  fi
  trap cleanup EXIT
  step "images"
  bash "$here/images/base-images.sh"
  # skaffold.yaml's artifacts, classic builder, one at a time (they share the compile stage). Each image gets the
  # tag $IMAGE_TAG and the image-id tag skaffold deploys local images by (listed in build.json).
  bash "$root/scripts/images/with-build-ca.sh" \
    skaffold build -p kind --kube-context "kind-$CLUSTER" --tag "$IMAGE_TAG" --file-output "$ARTIFACTS/build.json" \
    --platform "$(node_platform)"
  image_sizes
  bash "$here/images/third-party.sh"
  bash "$here/node-image.sh"
}

# The platform of this machine's kind node. `skaffold build` runs before the cluster exists and targets no
# platform then, `skaffold run` targets the node's; skaffold's cache key includes the target platforms, so
# without it named here `skaffold run` missed its cache and built every image again (~50 s, all layers cached).
node_platform() {
  node -p '`linux/${{ x64: "amd64", arm64: "arm64" }[process.arch] ?? process.arch}`'
}

image_sizes() {
  local image
  for image in "${PLATFORM_IMAGES[@]}"; do
    printf '%-14s %s\n' "$image" "$(docker image inspect --format '{{.Size}}' "moocflix/$image:$IMAGE_TAG" |
      awk '{printf "%.0f MB", $1/1e6}')"
  done
}

# The tags in skaffold's build output (moocflix/<image>:<image id>).
built_tags() {
  node -e 'for (const b of JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).builds) console.log(b.tag)' \
    "$ARTIFACTS/build.json"
}

cluster_up() {
  step "kind cluster $CLUSTER (one node, static CNI)"
  kind delete cluster --name "$CLUSTER" >/dev/null 2>&1 || true
  kind create cluster --name "$CLUSTER" --config "$here/kind-config.yaml" --image "$NODE_IMAGE_REPO:$KUBERNETES_VERSION" --wait 180s
  step "images into the node (one archive)"
  # Under both their tags: skaffold run then finds the image-id tags on the node and loads nothing again
  # (one `kind load docker-image` per image would copy the layers they share once per image).
  local archive="$ARTIFACTS/images.tar" images=()
  for image in "${PLATFORM_IMAGES[@]}"; do images+=("moocflix/$image:$IMAGE_TAG"); done
  mapfile -t -O "${#images[@]}" images < <(built_tags)
  mapfile -t -O "${#images[@]}" images < <(bash "$here/images/third-party.sh" --list)
  docker save -o "$archive" "${images[@]}"
  kind load image-archive --name "$CLUSTER" "$archive"
  rm -f "$archive"

  kubectl create namespace "$NS" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
  # Everything in the namespace runs under Pod Security "restricted", as the charts are built for: a pod
  # that breaks it is refused, so its Deployment (or the transcode Job) would never become available.
  kubectl label namespace "$NS" --overwrite pod-security.kubernetes.io/enforce=restricted \
    pod-security.kubernetes.io/warn=restricted pod-security.kubernetes.io/audit=restricted >/dev/null
}

# What the charts reference and expect running: the Secrets, and the third-party systems (PostgreSQL, Kafka...).
prerequisites() {

  step "Secrets (referenced by name by the charts)"
  local pg_password s3_key s3_secret
  pg_password="$(random 16)"; s3_key="AKIA$(random 8)"; s3_secret="$(random 20)"
  apply_secret postgres --from-literal=password="$pg_password"
  for service in users courses content assessments notifications; do
    apply_secret "moocflix-$service-database" --from-literal=DATABASE_URL="postgres://moocflix:$pg_password@postgres:5432/$service"
  done
  apply_secret moocflix-s3 --from-literal=S3_ACCESS_KEY_ID="$s3_key" --from-literal=S3_SECRET_ACCESS_KEY="$s3_secret"
  apply_secret seaweedfs-s3 --from-literal=s3.json="$(node -e '
    const [accessKey, secretKey] = process.argv.slice(1);
    console.log(JSON.stringify({ identities: [{ name: "moocflix", credentials: [{ accessKey, secretKey }],
      actions: ["Admin", "Read", "List", "Tagging", "Write"] }] }));' "$s3_key" "$s3_secret")"
  apply_secret moocflix-users-jwt --from-literal=JWT_PRIVATE_JWKS="$(node -e '
    const { privateKey } = require("crypto").generateKeyPairSync("ed25519");
    console.log(JSON.stringify({ keys: [{ ...privateKey.export({ format: "jwk" }), kid: "e2e-1" }] }));')"
  apply_secret moocflix-content-playback --from-literal=PLAYBACK_TOKEN_SECRET="$(random 32)"

  step "PostgreSQL, Kafka (KRaft), SeaweedFS, OTLP receiver"
  kubectl -n "$NS" apply -f "$here/manifests/"
  kubectl -n "$NS" rollout status deployment/postgres deployment/kafka deployment/seaweedfs deployment/otlp --timeout 5m
}

install_platform() {
  # skaffold.yaml's kind profile: the umbrella chart from the repository (helm upgrade --install, --wait) with
  # e2e/kind/values.yaml and the images it built, found in its cache; then it waits for every Deployment.
  step "umbrella chart (skaffold run -p kind: helm install from the repository)"
  bash "$root/scripts/images/with-build-ca.sh" \
    skaffold run -p kind --kube-context "kind-$CLUSTER" --tag "$IMAGE_TAG" --status-check=true
  helm status moocflix -n "$NS" | sed -n '1,6p'
  step "topics ready (MoocFlixTopic → the operator's Kafka Admin API backend → Kafka)"
  kubectl -n "$NS" wait moocflixtopics --all --for=condition=Ready --timeout 5m
  kubectl -n "$NS" get moocflixtopics
}

checks() { # results file (jest --json), may be empty
  step "checks on the running platform (e2e/kind/*.kind.test.ts)"
  local out=()
  [[ -n "${1:-}" ]] && out=(--json --outputFile="$1")
  E2E_KUBE_CONTEXT="kind-$CLUSTER" E2E_NAMESPACE="$NS" E2E_CLUSTER="$CLUSTER" \
    E2E_VALUES="$here/values.yaml" E2E_ARTIFACTS="$ARTIFACTS" \
    node --max-old-space-size=4096 node_modules/.bin/jest --selectProjects kind --runInBand "${out[@]}"
}

diagnostics() {
  echo "e2e: collecting diagnostics in $ARTIFACTS" >&2
  kubectl get pods -A -o wide >"$ARTIFACTS/pods.txt" 2>&1 || true
  kubectl -n "$NS" get all,moocflixtopics,transcodejobs,events -o wide >"$ARTIFACTS/namespace.txt" 2>&1 || true
  kubectl -n "$NS" describe pods >"$ARTIFACTS/describe-pods.txt" 2>&1 || true
  for pod in $(kubectl -n "$NS" get pods -o name 2>/dev/null); do
    kubectl -n "$NS" logs --all-containers --prefix "$pod" >"$ARTIFACTS/logs-${pod#pod/}.txt" 2>&1 || true
  done
}

# The cluster, then the engine (by pid, with its bridges, iptables chains and mounts): nothing is left for the
# next tier or session. kind's node container dies with the engine anyway; deleting it first is tidier.
cleanup() {
  local rc=$?
  if [[ "${E2E_KEEP:-0}" != 1 ]]; then
    if [[ "$ENGINE" == host ]]; then
      kind delete cluster --name "$CLUSTER" >/dev/null 2>&1 || true
    else
      if [[ -S "$ENGINE_RUN/docker.sock" ]]; then kind delete cluster --name "$CLUSTER" >/dev/null 2>&1 || true; fi
      engine_stop
    fi
  fi
  return $rc
}

# `make test` starts this tier while the tiers before it still run: images, cluster and archive are made on the
# cycles those leave idle (it runs us at a lower priority); the platform is installed and checked, which loads
# both cores, only once the file the caller names exists (it makes it when the tiers before are done).
wait_for_turn() { # file
  step "images and cluster ready; waiting for the tiers before this one"
  while [[ ! -e "$1" ]]; do
    kill -0 "$PPID" 2>/dev/null || { echo "e2e: the caller is gone; stopping" >&2; exit 1; }
    sleep 1
  done
}

mkdir -p "$ARTIFACTS"
results="" install_after=""
while [[ "${1:-}" == --* ]]; do
  case "$1" in
    --results) results="$2"; shift 2 ;;
    --install-after) install_after="$2"; shift 2 ;;
    *) break ;;
  esac
done
case "${1:-all}" in
  up)
    E2E_KEEP=1
    prepare
    cluster_up
    prerequisites
    install_platform
    echo "the platform runs on kind-$CLUSTER (KUBECONFIG=$KUBECONFIG DOCKER_HOST=$DOCKER_HOST); end it with: bash e2e/kind/run.sh down"
    ;;
  down)
    cleanup
    ;;
  all)
    started=$SECONDS
    prepare
    # Whatever fails from here on leaves its evidence in $ARTIFACTS before the cluster is deleted.
    trap 'diagnostics; trap - ERR' ERR
    cluster_up
    if [[ -n "$install_after" ]]; then wait_for_turn "$install_after"; fi
    prerequisites
    install_platform
    checks "$results"
    trap - ERR
    step "e2e passed in $((SECONDS - started)) s"
    ;;
  *) echo "usage: $0 [--results FILE] [--install-after FILE] [all|up|down]" >&2; exit 2 ;;
esac

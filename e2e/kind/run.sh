#!/usr/bin/env bash
# `make e2e`: the platform on a kind cluster, end to end (docs/architecture.md#test-tiers).
#   bash e2e/kind/run.sh           cluster + prerequisites + images + umbrella chart + API flows
#   bash e2e/kind/run.sh cluster   only the cluster and the prerequisites (what `skaffold dev -p kind` needs)
#   bash e2e/kind/run.sh down      delete the cluster
# Needs docker, kind, kubectl, helm (v3) and Node.js 20 with `npm ci` done. The cluster is kept after
# a run (MOOCFLIX_E2E_DELETE=1 deletes it); on failure the diagnostics go to $E2E_ARTIFACTS.
# The flows are e2e/kind/flows.ts, the same module a local test runs against `make dev`.
set -Eeuo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/e2e/kind"
cd "$root"

CLUSTER="${KIND_CLUSTER:-moocflix}"
NS=moocflix
STRIMZI_VERSION="${STRIMZI_VERSION:-1.0.1}"
IMAGE_TAG="${IMAGE_TAG:-e2e}"
ARTIFACTS="${E2E_ARTIFACTS:-$root/.moocflix/e2e}"
IMAGES=(users courses content assessments notifications transcoder operator)
export KUBECONFIG="${KUBECONFIG:-$HOME/.kube/config}"
kubectl() { command kubectl --context "kind-$CLUSTER" "$@"; }
helm() { command helm --kube-context "kind-$CLUSTER" "$@"; }
step() { echo; echo "=== $* ($(date +%T))"; }

require() {
  for tool in docker kind kubectl helm node; do
    command -v "$tool" >/dev/null || { echo "e2e needs $tool on PATH" >&2; exit 1; }
  done
}

apply_secret() { # name, then --from-literal/--from-file args
  local name=$1; shift
  kubectl -n "$NS" create secret generic "$name" "$@" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
}

# A Secret's value, or a new random one (so re-running keeps the platform's keys).
secret_value() { # secret, key
  kubectl -n "$NS" get secret "$1" -o "jsonpath={.data.$2}" 2>/dev/null | base64 -d || true
}
random() { node -e 'process.stdout.write(require("crypto").randomBytes(Number(process.argv[1])).toString("hex"))' "$1"; }

cluster_up() {
  step "kind cluster $CLUSTER"
  if ! kind get clusters | grep -qx "$CLUSTER"; then
    kind create cluster --name "$CLUSTER" --config "$here/kind-config.yaml" --wait 180s
  fi
  kubectl create namespace "$NS" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
  # Everything in the namespace runs under Pod Security "restricted", as the charts are built for:
  # a pod that breaks it is refused, so the Deployments would never become available.
  kubectl label namespace "$NS" --overwrite pod-security.kubernetes.io/enforce=restricted \
    pod-security.kubernetes.io/warn=restricted pod-security.kubernetes.io/audit=restricted >/dev/null

  step "Strimzi $STRIMZI_VERSION (cluster operator watching $NS, its pods made \"restricted\"-compliant)"
  helm upgrade --install strimzi oci://quay.io/strimzi-helm/strimzi-kafka-operator --version "$STRIMZI_VERSION" \
    --namespace strimzi --create-namespace --set "watchNamespaces={$NS}" \
    --set "extraEnvs[0].name=STRIMZI_POD_SECURITY_PROVIDER_CLASS" --set "extraEnvs[0].value=restricted" \
    --wait --timeout 5m
  kubectl -n "$NS" apply -f "$here/manifests/kafka.yaml"

  step "Secrets (referenced by name by the charts)"
  local pg_password s3_key s3_secret
  pg_password="$(secret_value postgres password)"; pg_password="${pg_password:-$(random 16)}"
  s3_key="$(secret_value moocflix-s3 S3_ACCESS_KEY_ID)"; s3_key="${s3_key:-AKIA$(random 8)}"
  s3_secret="$(secret_value moocflix-s3 S3_SECRET_ACCESS_KEY)"; s3_secret="${s3_secret:-$(random 20)}"
  apply_secret postgres --from-literal=password="$pg_password"
  for service in users courses content assessments notifications; do
    apply_secret "moocflix-$service-database" --from-literal=DATABASE_URL="postgres://moocflix:$pg_password@postgres:5432/$service"
  done
  apply_secret moocflix-s3 --from-literal=S3_ACCESS_KEY_ID="$s3_key" --from-literal=S3_SECRET_ACCESS_KEY="$s3_secret"
  apply_secret seaweedfs-s3 --from-literal=s3.json="$(node -e '
    const [accessKey, secretKey] = process.argv.slice(1);
    console.log(JSON.stringify({ identities: [{ name: "moocflix", credentials: [{ accessKey, secretKey }],
      actions: ["Admin", "Read", "List", "Tagging", "Write"] }] }));' "$s3_key" "$s3_secret")"
  if [[ -z "$(secret_value moocflix-users-jwt JWT_PRIVATE_JWKS)" ]]; then
    apply_secret moocflix-users-jwt --from-literal=JWT_PRIVATE_JWKS="$(node -e '
      const { privateKey } = require("crypto").generateKeyPairSync("ed25519");
      console.log(JSON.stringify({ keys: [{ ...privateKey.export({ format: "jwk" }), kid: "e2e-1" }] }));')"
  fi
  if [[ -z "$(secret_value moocflix-content-playback PLAYBACK_TOKEN_SECRET)" ]]; then
    apply_secret moocflix-content-playback --from-literal=PLAYBACK_TOKEN_SECRET="$(random 32)"
  fi

  step "PostgreSQL and SeaweedFS"
  kubectl -n "$NS" apply -f "$here/manifests/postgres.yaml" -f "$here/manifests/seaweedfs.yaml"
  kubectl -n "$NS" rollout status deployment/postgres deployment/seaweedfs --timeout 5m
  step "Kafka ready"
  kubectl -n "$NS" wait kafka/kafka --for=condition=Ready --timeout 10m
}

images() {
  step "images (Dockerfile targets), loaded into kind"
  for image in "${IMAGES[@]}"; do
    docker build --target "$image" --tag "moocflix/$image:$IMAGE_TAG" "$root"
    kind load docker-image --name "$CLUSTER" "moocflix/$image:$IMAGE_TAG"
  done
}

install_platform() {
  step "umbrella chart"
  bash "$root/charts/build-dependencies.sh"
  local tags=()
  for part in users courses content assessments notifications operator operator.jobs; do
    tags+=(--set "$part.image.tag=$IMAGE_TAG")
  done
  helm upgrade --install moocflix "$root/charts/moocflix" --namespace "$NS" -f "$here/values.yaml" "${tags[@]}" \
    --wait --timeout 10m
  step "topics ready (MoocFlixTopic → KafkaTopic → Kafka)"
  kubectl -n "$NS" wait moocflixtopics --all --for=condition=Ready --timeout 5m
  kubectl -n "$NS" get moocflixtopics
}

flows() {
  step "API flows (e2e/kind/flows.ts)"
  local port=18081 args=()
  for service in users courses content assessments notifications; do
    kubectl -n "$NS" port-forward "svc/moocflix-$service" "$port:80" >"$ARTIFACTS/port-forward-$service.log" 2>&1 &
    port_forwards+=($!)
    args+=("$service=http://127.0.0.1:$port")
    port=$((port + 1))
  done
  for ((i = 0; i < 60; i++)); do
    curl -fsS "http://127.0.0.1:18081/readyz" >/dev/null 2>&1 && break
    sleep 1
  done
  node --import tsx "$here/run-flows.ts" "${args[@]}"
  step "kubectl get transcodejobs"
  kubectl -n "$NS" get transcodejobs
  kubectl -n "$NS" get transcodejobs -o jsonpath='{range .items[*]}{.status.phase}{"\n"}{end}' | grep -qx Succeeded ||
    { echo "no TranscodeJob Succeeded" >&2; return 1; }
}

# The namespace enforces "restricted" from the start (cluster_up), so every platform pod running
# was admitted under it; this makes sure the label is still there and the pods (the operator's
# transcode Job pods included) exist.
restricted_check() {
  step "the platform's pods run under Pod Security \"restricted\""
  local enforce pods
  enforce="$(kubectl get namespace "$NS" -o jsonpath='{.metadata.labels.pod-security\.kubernetes\.io/enforce}')"
  [[ "$enforce" == restricted ]] || { echo "namespace $NS enforces \"$enforce\", not restricted" >&2; return 1; }
  pods="$(kubectl -n "$NS" get pods -l app.kubernetes.io/part-of=moocflix -o name | wc -l)"
  echo "$pods platform pods admitted under \"restricted\""
  ((pods > 0))
}

diagnostics() {
  echo "e2e failed; diagnostics in $ARTIFACTS" >&2
  kubectl get pods -A -o wide >"$ARTIFACTS/pods.txt" 2>&1 || true
  kubectl -n "$NS" get all,moocflixtopics,transcodejobs,kafkatopics,events -o wide >"$ARTIFACTS/namespace.txt" 2>&1 || true
  kubectl -n "$NS" describe pods >"$ARTIFACTS/describe-pods.txt" 2>&1 || true
  for pod in $(kubectl -n "$NS" get pods -o name 2>/dev/null); do
    kubectl -n "$NS" logs --all-containers --prefix "$pod" >"$ARTIFACTS/logs-${pod#pod/}.txt" 2>&1 || true
  done
}

mkdir -p "$ARTIFACTS"
port_forwards=()
stop_port_forwards() { if ((${#port_forwards[@]})); then kill "${port_forwards[@]}" 2>/dev/null || true; fi; }
trap stop_port_forwards EXIT
case "${1:-all}" in
  cluster) require; cluster_up ;;
  down) kind delete cluster --name "$CLUSTER" ;;
  all)
    require
    trap diagnostics ERR
    cluster_up
    images
    install_platform
    flows
    restricted_check
    trap - ERR
    step "e2e passed"
    if [[ "${MOOCFLIX_E2E_DELETE:-0}" == 1 ]]; then kind delete cluster --name "$CLUSTER"; fi
    ;;
  *) echo "usage: $0 [all|cluster|down]" >&2; exit 2 ;;
esac

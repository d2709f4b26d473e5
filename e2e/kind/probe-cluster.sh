#!/usr/bin/env bash
# Proves the locally built node image makes a working cluster, then deletes it:
# a Ready node, CoreDNS and kube-proxy running, a pod that resolves the API server's name and reaches
# another pod through a Service by its DNS name, and Pod Security "restricted" refusing a privileged
# pod, and runs a compliant one. Uses the project engine if it runs, else starts it and stops it at
# the end; builds the node image first if needed (node-image.sh: fast when cached).
# Usage: bash e2e/kind/probe-cluster.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
source "$root/e2e/cluster/tools/versions.sh"
source "$here/versions.sh"
cache="${MOOCFLIX_CACHE:-$HOME/.cache/moocflix}"
export PATH="$cache/kind-$KIND_VERSION/bin:$cache/kubernetes-node-$KUBERNETES_VERSION/bin:$PATH"
name=moocflix-probe
kubeconfig="$(mktemp)"
export KUBECONFIG="$kubeconfig"
step() { echo "=== $* ($(date +%T))"; }
own_engine=""
cleanup() {
  kind delete cluster --name "$name" >/dev/null 2>&1 || true
  rm -f "$kubeconfig"
  if [[ -n "$own_engine" ]]; then engine_stop; fi
}
sock=/run/moocflix-docker/docker.sock
export DOCKER_HOST="unix://$sock"
if ! { [[ -S "$sock" ]] && docker info >/dev/null 2>&1; }; then
  source "$here/engine.sh"
  engine_start
  own_engine=1
fi
trap cleanup EXIT
bash "$here/node-image.sh"

t=$SECONDS
kind create cluster --config "$here/kind-config.yaml" --name "$name" --wait 180s
step "cluster created in $((SECONDS - t))s"
kubectl get nodes -o wide
kubectl -n kube-system rollout status deploy/coredns --timeout=120s
kubectl -n kube-system rollout status ds/kube-proxy --timeout=120s
kubectl get pods -A -o wide

t=$SECONDS
kind load docker-image debian:bookworm-slim --name "$name"
step "debian:bookworm-slim loaded in $((SECONDS - t))s"

step "pod -> Service -> pod, by DNS"
kubectl create namespace probe
# perl-base is in every Debian image: a one-connection-at-a-time HTTP answer naming the pod.
kubectl -n probe run web --image=debian:bookworm-slim --image-pull-policy=Never --port=8080 --expose \
  --command -- perl -MIO::Socket::INET -e '
    my $s = IO::Socket::INET->new(LocalPort => 8080, Listen => 5, ReuseAddr => 1) or die "listen: $!";
    while (my $c = $s->accept) { <$c>; print $c "HTTP/1.0 200 OK\r\n\r\nhello from $ENV{HOSTNAME}\n"; close $c }'
kubectl -n probe wait --for=condition=Ready pod/web --timeout=60s
kubectl -n probe run client --image=debian:bookworm-slim --image-pull-policy=Never --restart=Never \
  --command -- bash -c 'set -e
    getent hosts kubernetes.default.svc.cluster.local
    exec 3<>/dev/tcp/web.probe.svc.cluster.local/8080
    printf "GET / HTTP/1.0\r\n\r\n" >&3
    cat <&3'
kubectl -n probe wait --for=jsonpath='{.status.phase}'=Succeeded pod/client --timeout=60s
out="$(kubectl -n probe logs client)"
echo "$out"
grep -q 'hello from web' <<<"$out"

step "Pod Security restricted refuses a privileged pod"
kubectl create namespace restricted
kubectl label namespace restricted pod-security.kubernetes.io/enforce=restricted
if refusal="$(kubectl -n restricted run privileged --image=debian:bookworm-slim --image-pull-policy=Never \
  --restart=Never --privileged -- true 2>&1)"; then
  echo "a privileged pod was admitted into a restricted namespace" >&2
  exit 1
fi
echo "$refusal"
grep -q 'violates PodSecurity "restricted' <<<"$refusal"

step "Pod Security restricted admits and runs a compliant pod (seccomp RuntimeDefault, non-root)"
kubectl -n restricted apply -f - <<'EOF'
apiVersion: v1
kind: Pod
metadata: { name: compliant }
spec:
  restartPolicy: Never
  securityContext:
    runAsNonRoot: true
    runAsUser: 65534
    seccompProfile: { type: RuntimeDefault }
  containers:
    - name: main
      image: debian:bookworm-slim
      imagePullPolicy: Never
      command: [bash, -c, 'echo "uid $(id -u), seccomp mode $(grep ^Seccomp: /proc/self/status | cut -f2)"']
      securityContext:
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities: { drop: [ALL] }
EOF
kubectl -n restricted wait --for=jsonpath='{.status.phase}'=Succeeded pod/compliant --timeout=60s
out="$(kubectl -n restricted logs compliant)"
echo "$out"
grep -q 'uid 65534, seccomp mode 2' <<<"$out"

t=$SECONDS
kind delete cluster --name "$name"
step "cluster deleted in $((SECONDS - t))s; probe passed"

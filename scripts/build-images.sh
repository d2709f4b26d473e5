#!/usr/bin/env bash
# Builds every image target of the Dockerfile with the classic builder (DOCKER_BUILDKIT=0, which is
# what machines without BuildKit have; BuildKit builds the same Dockerfile too) and prints each
# image's size. Needs a running docker engine; DOCKER_HOST may point at a private socket.
#   scripts/build-images.sh [TAG] [TARGET...]   (TAG defaults to dev, targets to all eight)
# Behind a TLS-intercepting proxy, the CA bundle in $BUILD_CA_BUNDLE (else $NODE_EXTRA_CA_CERTS) is
# put in the build context as .build-ca/ca.crt for the build stages only (see the Dockerfile's top
# comment) and removed when each build ends, also on failure (scripts/images/with-build-ca.sh).
# The kind tier builds the same targets with `skaffold build -p kind` (skaffold.yaml).
set -euo pipefail
cd "$(dirname "$0")/.."
tag="${1:-dev}"
shift || true
targets=(users courses content assessments notifications transcoder operator web)
if (($#)); then targets=("$@"); fi
command -v docker >/dev/null || { echo "build-images: no docker on PATH" >&2; exit 1; }
for target in "${targets[@]}"; do
  echo "== building moocflix/${target}:${tag}"
  start=$SECONDS
  DOCKER_BUILDKIT="${DOCKER_BUILDKIT:-0}" bash scripts/images/with-build-ca.sh docker build --target "$target" -t "moocflix/${target}:${tag}" .
  echo "== moocflix/${target}:${tag} built in $((SECONDS - start)) s"
done
echo "== image sizes"
for target in "${targets[@]}"; do
  printf '%-14s %s\n' "$target" "$(docker image inspect --format '{{.Size}}' "moocflix/${target}:${tag}" | awk '{printf "%.0f MB", $1/1e6}')"
done

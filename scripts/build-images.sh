#!/usr/bin/env bash
# Builds every image target of the Dockerfile with the classic builder (DOCKER_BUILDKIT=0, which is
# what machines without BuildKit have; BuildKit builds the same Dockerfile too) and prints each
# image's size. Needs a running docker engine; DOCKER_HOST may point at a private socket.
#   scripts/build-images.sh [TAG]        (TAG defaults to dev)
set -euo pipefail
cd "$(dirname "$0")/.."
tag="${1:-dev}"
targets=(users courses content assessments notifications transcoder operator)
command -v docker >/dev/null || { echo "build-images: no docker on PATH" >&2; exit 1; }
for target in "${targets[@]}"; do
  echo "== building moocflix/${target}:${tag}"
  DOCKER_BUILDKIT="${DOCKER_BUILDKIT:-0}" docker build --target "$target" -t "moocflix/${target}:${tag}" .
done
echo "== image sizes"
for target in "${targets[@]}"; do
  printf '%-14s %s\n' "$target" "$(docker image inspect --format '{{.Size}}' "moocflix/${target}:${tag}" | awk '{printf "%.0f MB", $1/1e6}')"
done

#!/usr/bin/env bash
# Builds the third-party images the kind e2e runs (issue 14 §2; manifests in e2e/kind/manifests/) in the
# engine DOCKER_HOST points at (e2e/kind/engine.sh), from Debian packages and the integration stack's
# cached Kafka jars and SeaweedFS binary, so nothing comes from an image registry:
#   moocflix-e2e/postgres:15                      Debian's postgresql-15
#   moocflix-e2e/kafka:<KAFKA_VERSION>            Debian's Java 17 runtime + Kafka's jars (KRaft)
#   moocflix-e2e/seaweedfs:<SEAWEEDFS_VERSION>    `weed` built from the Go module proxy
#   moocflix-e2e/otlp-receiver:<OTLP_RECEIVER_VERSION>   e2e/kind/otlp-receiver on the Node base
# (versions: e2e/stack/versions.sh and below). Their bases (debian:bookworm-slim, node:<v>-bookworm-slim)
# must exist: here e2e/kind/images/base-images.sh builds them; where a registry is reachable they are pulled.
#
#   bash e2e/kind/images/third-party.sh [postgres|kafka|seaweedfs|otlp-receiver ...]   (default: all)
#   bash e2e/kind/images/third-party.sh --list     the image names, one a line (what run.sh loads into kind)
#
# Idempotent: each image carries a label with a content key (its build context's files and its base
# image's id); an image whose key matches is not built again.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
source "$root/e2e/stack/versions.sh"
cache="${MOOCFLIX_CACHE:-$HOME/.cache/moocflix}"
# The receiver has no upstream version: bump it when its behaviour changes (the content key rebuilds
# the image anyway, the tag tells kind pods which one they run).
OTLP_RECEIVER_VERSION=1
LABEL=moocflix.content-key

declare -A tags=(
  [postgres]="moocflix-e2e/postgres:15"
  [kafka]="moocflix-e2e/kafka:$KAFKA_VERSION"
  [seaweedfs]="moocflix-e2e/seaweedfs:$SEAWEEDFS_VERSION"
  [otlp-receiver]="moocflix-e2e/otlp-receiver:$OTLP_RECEIVER_VERSION"
)
all=(postgres kafka seaweedfs otlp-receiver)
if [[ "${1:-}" == --list ]]; then
  for name in "${all[@]}"; do echo "${tags[$name]}"; done
  exit 0
fi
names=("$@")
((${#names[@]})) || names=("${all[@]}")
for name in "${names[@]}"; do
  [[ -n "${tags[$name]:-}" ]] || { echo "unknown image $name (one of: ${!tags[*]})" >&2; exit 2; }
done
docker info >/dev/null 2>&1 || { echo "no container engine at ${DOCKER_HOST:-the default socket} (source e2e/kind/engine.sh; engine_start)" >&2; exit 1; }

# Kafka's jars and weed come from the integration stack's cache: prepare.sh fetches/builds what is missing
# (only then: it holds a lock that a long SeaweedFS build elsewhere would keep us waiting on).
for name in "${names[@]}"; do
  if { [[ "$name" == kafka ]] && [[ ! -d "$cache/kafka-$KAFKA_VERSION/libs" ]]; } ||
    { [[ "$name" == seaweedfs ]] && [[ ! -x "$cache/seaweedfs-$SEAWEEDFS_VERSION/bin/weed" ]]; }; then
    bash "$root/e2e/stack/prepare.sh"
    break
  fi
done

ctx=""
trap '[[ -z "$ctx" ]] || rm -rf "$ctx" "$ctx.log"' EXIT

# Fills the build context of one image: its folder here plus what it ships from elsewhere.
assemble() { # name, dir
  cp -a "$here/$1/." "$2/"
  case "$1" in
    kafka) cp -r "$cache/kafka-$KAFKA_VERSION/libs" "$2/libs" ;;
    seaweedfs) cp "$cache/seaweedfs-$SEAWEEDFS_VERSION/bin/weed" "$2/weed" ;;
    otlp-receiver) cp "$root/e2e/kind/otlp-receiver/receiver.ts" "$root/e2e/kind/otlp-receiver/build.mjs" "$2/" ;;
  esac
}

# The base images of a Dockerfile, present locally (pulled if not: works where a registry is reachable).
base_ids() { # dockerfile
  local base
  for base in $(awk 'toupper($1) == "FROM" { print $2 }' "$1"); do
    if ! docker image inspect "$base" >/dev/null 2>&1; then
      docker pull "$base" >/dev/null || { echo "base image $base missing: run e2e/kind/images/base-images.sh" >&2; return 1; }
    fi
    echo "$base $(docker image inspect -f '{{.Id}}' "$base")"
  done
}

for name in "${names[@]}"; do
  tag="${tags[$name]}"
  ctx="$(mktemp -d)"
  assemble "$name" "$ctx"
  # File names, modes and contents, and the bases' ids: any change there is a new image.
  key="$({ base_ids "$ctx/Dockerfile"; cd "$ctx" && find . -type f -printf '%P %m\n' | LC_ALL=C sort &&
    find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum; } | sha256sum | cut -c1-32)"
  current="$(docker image inspect -f "{{index .Config.Labels \"$LABEL\"}}" "$tag" 2>/dev/null || true)"
  if [[ "$current" == "$key" ]]; then
    echo "$tag: up to date"
  else
    start=$SECONDS
    # nice: 2 cores shared with Go builds; the classic builder (no BuildKit here) works everywhere.
    if ! nice -n 10 docker build --label "$LABEL=$key" --tag "$tag" "$ctx" >"$ctx.log" 2>&1; then
      tail -40 "$ctx.log" >&2
      echo "$tag: build failed (log above)" >&2
      exit 1
    fi
    rm -f "$ctx.log"
    size="$(docker image inspect -f '{{.Size}}' "$tag")"
    echo "$tag: built in $((SECONDS - start))s, $((size / 1024 / 1024)) MiB"
  fi
  rm -rf "$ctx"
  ctx=""
done

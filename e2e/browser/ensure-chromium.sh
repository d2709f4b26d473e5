#!/usr/bin/env bash
# Prints the path of a Chromium the browser tier can drive with playwright-core (executablePath).
# Playwright's own browser download is not reachable from these machines, so the browser is Debian's
# `chromium` package: installed with apt-get when missing (root, or sudo without a password).
# CHROMIUM_PATH, when set, is used as it is. Exits non-zero, saying why, when none can be had.
set -euo pipefail
if [[ -n "${CHROMIUM_PATH:-}" ]]; then
  [[ -x "$CHROMIUM_PATH" ]] || { echo "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable" >&2; exit 1; }
  echo "$CHROMIUM_PATH"; exit 0
fi
find_chromium() { command -v chromium || command -v chromium-browser || true; }
path=$(find_chromium)
if [[ -z "$path" ]]; then
  if [[ $(id -u) -eq 0 ]]; then sudo=(); elif sudo -n true 2>/dev/null; then sudo=(sudo -n); else
    echo "chromium is not installed and apt-get needs root: install Debian's 'chromium' package or set CHROMIUM_PATH" >&2
    exit 1
  fi
  command -v apt-get >/dev/null || { echo "chromium is not installed and this machine has no apt-get: set CHROMIUM_PATH" >&2; exit 1; }
  echo "installing Debian's chromium package (once per machine)" >&2
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq >&2 || true
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >&2 \
    || { echo "apt-get could not install chromium" >&2; exit 1; }
  path=$(find_chromium)
fi
[[ -n "$path" ]] || { echo "chromium was installed but is not on PATH" >&2; exit 1; }
echo "$path"

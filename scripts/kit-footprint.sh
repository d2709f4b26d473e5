#!/usr/bin/env bash
# What each image's workspace carries: its production dependencies (npm's own view of what
# `npm ci --omit=dev --workspace <ws>` installs, kit workspaces included) and their installed size.
# Run from the repository root after `npm ci`; prints a Markdown table (docs/images.md#kit-split).
#
#   bash scripts/kit-footprint.sh [workspace...]      # default: every image's workspace
#
# Counted: the unique installed paths `npm ls --omit=dev --all --parseable --workspace <ws>` lists,
# less the workspace itself. Size: `du` of those paths, each counted once (a nested node_modules is
# subtracted from the package that holds it, so nothing is counted twice); a kit or service
# workspace counts its source folder (the image copies it).
set -euo pipefail
cd "$(dirname "$0")/.."

workspaces=("$@")
if [ ${#workspaces[@]} -eq 0 ]; then
  workspaces=(services/users services/courses services/content services/transcoder services/assessments services/notifications operator)
fi

human() { awk -v k="$1" 'BEGIN { if (k >= 1048576) printf "%.1f GiB", k / 1048576; else if (k >= 1024) printf "%.1f MiB", k / 1024; else printf "%d KiB", k }'; }

echo "| image | production packages | installed size | AWS SDK | ffmpeg/ffprobe installers | express | OpenTelemetry |"
echo "|---|---:|---:|:-:|:-:|:-:|:-:|"
for ws in "${workspaces[@]}"; do
  self="$(cd "$ws" && pwd -P)"
  # npm exits non-zero on extraneous/invalid trees; the listing is still what we want.
  mapfile -t paths < <(npm ls --omit=dev --all --parseable --workspace "$ws" 2>/dev/null | sort -u | while read -r p; do
    real="$(cd "$p" 2>/dev/null && pwd -P)" || continue
    [ "$real" = "$(pwd -P)" ] && continue # the repository root
    [ "$real" = "$self" ] && continue
    echo "$real"
  done | sort -u)
  kib=0
  for p in "${paths[@]}"; do
    size=$(du -sk --exclude=node_modules "$p" | cut -f1)
    kib=$((kib + size))
  done
  has() { if printf "%s\n" "${paths[@]}" | grep -c "$1" >/dev/null; then echo "yes"; else echo "–"; fi; }
  echo "| ${ws##*/} | ${#paths[@]} | $(human "$kib") | $(has '/node_modules/@aws-sdk/') | $(has '/node_modules/@ff\(mpeg\|probe\)-installer/') | $(has '/node_modules/express$') | $(has '/node_modules/@opentelemetry/sdk-node$') |"
done

#!/usr/bin/env bash
# Builds moocflix-local/postgres:15 with the classic builder; needs images/base/build.sh first.
set -euo pipefail
docker build -q -t moocflix-local/postgres:15 "$(dirname "$0")"

#!/usr/bin/env bash
# Runs one image build command (docker build, skaffold build/run/dev) with the CA bundle the build
# stages need behind a TLS-intercepting proxy at .build-ca/ca.crt in the build context, and removes it
# when the command ends, also on failure. The bundle is $BUILD_CA_BUNDLE, else $NODE_EXTRA_CA_CERTS;
# with neither, the command runs as it is. The Dockerfile's top comment says which stages read it.
#   bash scripts/images/with-build-ca.sh skaffold build -p kind
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ca="${BUILD_CA_BUNDLE:-${NODE_EXTRA_CA_CERTS:-}}"
if [[ -n "$ca" && -s "$ca" ]]; then
  cp "$ca" "$root/.build-ca/ca.crt"
  trap 'rm -f "$root/.build-ca/ca.crt"' EXIT
fi
"$@"

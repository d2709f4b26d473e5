#!/usr/bin/env bash
# Vendors the charts' file:// dependencies (charts/<chart>/charts/*.tgz, not committed): first every
# chart that uses the moocflix-common library, then the umbrella chart, which packages those charts
# WITH their vendored library. Run it after changing any chart, before helm lint/template/install.
# Usage: charts/build-dependencies.sh [charts-dir]   (helm: $HELM, else $MOOCFLIX_HELM_BIN, else PATH)
set -euo pipefail
dir="${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
helm="${HELM:-${MOOCFLIX_HELM_BIN:-helm}}"
for chart in users courses content assessments notifications transcoder moocflix-operator moocflix; do
  rm -rf "$dir/$chart/charts"
  "$helm" dependency build --skip-refresh "$dir/$chart" >/dev/null
done

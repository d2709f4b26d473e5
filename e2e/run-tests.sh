#!/usr/bin/env bash
# `make test`: every tier (docs/architecture.md#test-tiers), then one plain summary line "N passed, M failed".
# Each tier prepares (and caches outside the clone) the real systems it needs.
set -uo pipefail
cd "$(dirname "$0")/.."
export MOOCFLIX_CACHE="${MOOCFLIX_CACHE:-$HOME/.cache/moocflix}"
results_dir=$(mktemp -d)
trap 'rm -rf "$results_dir"' EXIT
jest="node --max-old-space-size=4096 node_modules/.bin/jest"
status=0

step() { echo; echo "=== $* ($(date +%T))"; }

step "typecheck"
npx tsc -p tsconfig.json || status=1
npx tsc -p web/tsconfig.json || status=1 # the web console: DOM and Preact JSX, its own settings
step "lint"
npx eslint . || status=1

run_tier() { # name, extra jest args...
  local tier=$1; shift
  step "$tier tests"
  $jest --selectProjects "$tier" --json --outputFile="$results_dir/$tier.json" "$@" || status=1
}

# Chart unit tests render with the helm binary the cluster tier builds (cached outside the clone).
bash e2e/cluster/prepare.sh helm || { echo "helm could not be prepared"; status=1; }

# The Go tools of the later tiers are built in the background at the lowest priority while the unit and
# integration tiers run, on the cycles they leave idle, instead of in front of the tier that needs them: the
# cluster tier's control plane (etcd, Kubernetes, kwok: ~19 minutes on a fresh machine), then the kind tier's
# (kind, crictl, CoreDNS, the node's Kubernetes binaries, skaffold: ~20 minutes of CPU); nothing once cached.
# Its own process group, stopped on exit. The cluster tier's prepare.sh waits for the background one (a lock)
# and the kind tier for the whole build; each builds whatever the background did not.
prebuild_log=$(mktemp)
(exec setsid nice -n 19 bash -c \
  'bash e2e/cluster/prepare.sh && bash e2e/kind/node-image.sh --binaries && bash e2e/kind/tools/skaffold.sh') \
  >"$prebuild_log" 2>&1 &
prebuild=$!
kind_log=$(mktemp) kind=""
kind_turn="$kind_log.turn" # not in $results_dir: every file there is a tier's jest JSON
cluster_log=$(mktemp) cluster=""
stop_background() {
  kill -TERM -- "-$prebuild" 2>/dev/null
  # jest of the cluster tier stops its control plane and test brokers on TERM (e2e/cluster/exit-guard.ts).
  if [[ -n "$cluster" ]] && kill -TERM -- "-$cluster" 2>/dev/null; then wait "$cluster"; fi
  # The kind tier's script stops its cluster and engine by itself on TERM (its EXIT trap); wait for that.
  if [[ -n "$kind" ]] && kill -TERM "$kind" 2>/dev/null; then wait "$kind"; fi
  rm -rf "$results_dir" "$prebuild_log" "$kind_log" "$kind_turn" "$cluster_log"
}
trap stop_background EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
run_tier unit

# The cluster tier runs beside the integration tier, in the background: both spend most of their time waiting
# (consumer groups joining, leases expiring, pods scheduled) on systems of their own (the cluster tier its
# control plane and test brokers, the integration tier the stack), with one core or more idle. Its output is
# printed once the integration tier is done. nice 5: where both want the CPU, the integration tier goes first.
# Its own process group (TERM on exit). On a fresh machine its prepare.sh waits for the background build.
(exec setsid bash -c '
  bash e2e/cluster/prepare.sh || { echo "cluster tools could not be prepared"; exit 1; }
  started=$(date +%T)
  echo "(started $started, beside the integration tier)"
  exec nice -n 5 '"$jest"' --selectProjects cluster --runInBand --json --outputFile="$1"' _ "$results_dir/cluster.json") \
  >"$cluster_log" 2>&1 &
cluster=$!

if bash e2e/stack/prepare.sh; then
  run_tier integration --runInBand
else
  echo "integration stack could not be prepared"; status=1
fi
# The kind tier (e2e/kind/run.sh) starts here, in the background at a lower priority: its images, cluster and the
# archive of images into the node (~2-3 minutes, mostly disk and waiting) overlap the browser and bench tiers
# (and on a fresh machine the end of the cluster tier); it installs and checks the platform only once they are
# done and have made $kind_turn. It starts after the background build of its tools has ended (on a fresh
# machine, the tools it would otherwise build itself).
rm -f "$results_dir/kind.json"
(
  while kill -0 "$prebuild" 2>/dev/null; do sleep 2; done
  exec nice -n 10 bash e2e/kind/run.sh --results "$results_dir/kind.json" --install-after "$kind_turn"
) >"$kind_log" 2>&1 &
kind=$!

step "cluster tests"
tail -n +1 -f --pid="$cluster" "$cluster_log"
wait "$cluster" || status=1
cluster=""

# The web console in Debian's chromium against `make dev`'s process (e2e/browser; installs chromium
# with apt-get on a fresh machine, or says why it cannot).
run_tier browser --runInBand

# Every benchmark, tiny and once, so a bench that rots fails CI the same day (bench/profile.ts).
# Each bench that ran to the end counts as passed, each that stopped with an error as failed.
step "bench smoke"
rm -f bench/results/smoke.json
node --import tsx bench/run.ts --smoke || status=1
node -e '
  const fs = require("fs"); const file = "bench/results/smoke.json";
  const outcomes = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")).outcomes : null;
  const passed = outcomes ? outcomes.filter((o) => o.result).length : 0;
  const failed = outcomes ? outcomes.filter((o) => !o.result).length : 1;
  fs.writeFileSync(process.argv[1], JSON.stringify({ numPassedTests: passed, numFailedTests: failed, numRuntimeErrorTestSuites: 0 }));
' "$results_dir/bench-smoke.json"

# The platform on real pods: a kind cluster built on this machine (e2e/kind/run.sh; it starts Debian's container
# engine and stops it, with the cluster, even when it fails). A failure before the checks ran counts as one.
step "kind tier"
wait "$prebuild" || echo "the kind tools' background build failed; the kind tier built what was missing:"
sed 's/^/  prebuild: /' "$prebuild_log" | grep -v 'go: downloading' | tail -20
touch "$kind_turn"
tail -n +1 -f --pid="$kind" "$kind_log"
wait "$kind" || status=1
kind=""
[[ -s "$results_dir/kind.json" ]] ||
  echo '{"numPassedTests":0,"numFailedTests":1,"numRuntimeErrorTestSuites":0}' >"$results_dir/kind.json"

summary=$(node -e '
  const fs = require("fs"); let passed = 0, failed = 0;
  for (const f of fs.readdirSync(process.argv[1])) {
    const r = JSON.parse(fs.readFileSync(process.argv[1] + "/" + f, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests + r.numRuntimeErrorTestSuites;
  }
  console.log(`${passed} passed, ${failed} failed`);
' "$results_dir")
echo
echo "$summary"
[[ $summary == *" 0 failed" ]] || status=1
exit $status

#!/usr/bin/env bash
# A private container engine for the kind tier: Debian's dockerd + containerd,
# started with their own data root, exec root, pid files and sockets so a
# system docker (if any) is never touched, and stopped by pid.
#
# Usage: source e2e/kind/engine.sh; engine_start; ...; engine_stop
# engine_start installs a `trap engine_stop EXIT` so it also runs on failure.
set -euo pipefail

ENGINE_ROOT="${ENGINE_ROOT:-/var/lib/moocflix-docker}"
ENGINE_RUN="${ENGINE_RUN:-/run/moocflix-docker}"
export DOCKER_HOST="unix://${ENGINE_RUN}/docker.sock"

engine_install() {
  # Idempotent: apt-get does nothing when the packages are present. Debian's
  # policy-rc.d keeps them from starting daemons of their own.
  local missing=()
  for b in dockerd containerd runc debootstrap; do command -v "$b" >/dev/null || missing+=("$b"); done
  if ((${#missing[@]})); then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io containerd runc debootstrap
  fi
}

engine_runc_wrapper() {
  # The VM's capability bounding set lacks CAP_SYS_RESOURCE and Docker 20.10
  # asks for every known capability for privileged containers (moby#42906), so
  # runc fails with "unable to apply caps". Drop it from the OCI config and from
  # the --process JSON of `runc exec` before handing over to the real runc.
  mkdir -p "$ENGINE_ROOT/bin"
  cat >"$ENGINE_ROOT/bin/runc-nosysres" <<'WRAP'
#!/usr/bin/env python3
import json, os, sys
args = sys.argv[1:]
def strip(path):
    try:
        with open(path) as f: doc = json.load(f)
    except (OSError, ValueError):
        return
    caps = doc.get("process", doc).get("capabilities") if "process" in doc else doc.get("capabilities")
    if not caps: return
    for k in list(caps):
        caps[k] = [c for c in caps[k] if c != "CAP_SYS_RESOURCE"]
    with open(path, "w") as f: json.dump(doc, f)
bundle = None
for i, a in enumerate(args):
    if a in ("--bundle", "-b") and i + 1 < len(args): bundle = args[i + 1]
    elif a.startswith("--bundle="): bundle = a.split("=", 1)[1]
    elif a in ("--process", "-p") and i + 1 < len(args): strip(args[i + 1])
    elif a.startswith("--process="): strip(a.split("=", 1)[1])
if bundle: strip(os.path.join(bundle, "config.json"))
os.execv("/usr/sbin/runc" if os.path.exists("/usr/sbin/runc") else "/usr/bin/runc", ["runc"] + args)
WRAP
  chmod +x "$ENGINE_ROOT/bin/runc-nosysres"
}

engine_start() {
  engine_install
  engine_runc_wrapper
  mkdir -p "$ENGINE_RUN" "$ENGINE_ROOT/containerd" "$ENGINE_ROOT/docker"
  trap engine_stop EXIT
  containerd --root "$ENGINE_ROOT/containerd" --state "$ENGINE_RUN/containerd" \
    --address "$ENGINE_RUN/containerd.sock" >"$ENGINE_RUN/containerd.log" 2>&1 &
  echo $! >"$ENGINE_RUN/containerd.pid"
  for _ in $(seq 50); do [[ -S "$ENGINE_RUN/containerd.sock" ]] && break; sleep 0.2; done
  dockerd --data-root "$ENGINE_ROOT/docker" --exec-root "$ENGINE_RUN/exec" \
    --pidfile "$ENGINE_RUN/dockerd.pid" --host "$DOCKER_HOST" \
    --containerd "$ENGINE_RUN/containerd.sock" --iptables=true \
    --add-runtime "nosysres=$ENGINE_ROOT/bin/runc-nosysres" --default-runtime nosysres \
    >"$ENGINE_RUN/dockerd.log" 2>&1 &
  for _ in $(seq 100); do docker info >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "dockerd did not come up; see $ENGINE_RUN/dockerd.log" >&2
  tail -20 "$ENGINE_RUN/dockerd.log" >&2
  return 1
}

engine_stop() {
  local pidfile pid
  for pidfile in "$ENGINE_RUN/dockerd.pid" "$ENGINE_RUN/containerd.pid"; do
    [[ -f "$pidfile" ]] || continue
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid"
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  done
  # User networks' bridges (br-*) and docker's iptables chains; only ours run here.
  local br
  for br in $(ip -o link show type bridge 2>/dev/null | awk -F': ' '{print $2}' | grep -E '^(br-|docker0)' || true); do
    ip link delete "$br" || true
  done
  local t c
  for t in filter nat; do
    iptables -t "$t" -S 2>/dev/null | grep -E '^-A (FORWARD|PREROUTING|OUTPUT|POSTROUTING) .*(DOCKER|docker0|br-[0-9a-f]{12})' |
      sed 's/^-A /-D /' | while read -r rule; do eval "iptables -t $t $rule" || true; done
    for c in $(iptables -t "$t" -S 2>/dev/null | awk '/^-N DOCKER/{print $2}'); do
      iptables -t "$t" -F "$c" || true
    done
    for c in $(iptables -t "$t" -S 2>/dev/null | awk '/^-N DOCKER/{print $2}'); do
      iptables -t "$t" -X "$c" || true
    done
  done
  grep -E " (${ENGINE_ROOT}|${ENGINE_RUN})" /proc/mounts | awk '{print $2}' | sort -r | xargs -r -n1 umount -l || true
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  # Smoke test: start, run a privileged container if an image is present, stop.
  engine_start
  docker info --format '{{.ServerVersion}} {{.Driver}} {{.DefaultRuntime}}'
  # A one-binary image (the host's static-enough /bin/sh and its libraries) to
  # prove that privileged containers start through the wrapper.
  tmp=$(mktemp -d)
  mkdir -p "$tmp/bin"
  cp /bin/dash "$tmp/bin/sh"
  for lib in $(ldd /bin/dash | grep -o '/[^ ]*'); do mkdir -p "$tmp$(dirname "$lib")"; cp "$lib" "$tmp$lib"; done
  tar -C "$tmp" -c . | docker import - moocflix/smoke:engine >/dev/null
  rm -rf "$tmp"
  docker run --rm --privileged moocflix/smoke:engine /bin/sh -c 'echo privileged container ran'
fi

// Load from inside the cluster. A port-forward is tied to one pod (it breaks when that pod goes), so a burst
// that must survive a pod being deleted or a rolling upgrade runs in a pod of its own and talks to the Services
// as the platform's clients do: through the Service's virtual IP and kube-proxy.
//
// The pod runs the users image's node with a script given inline (no image of its own to build), under Pod
// Security "restricted" like everything in the namespace, and prints one JSON line of results at the end.
import { e2e, eventually, kubectl, kubectlApply, releaseImage } from './kube';

export interface Burst {
  /** Requests to send, in order, each as soon as one of `concurrency` workers is free. */
  requests: { method: string; url: string; token?: string; body?: unknown }[];
  concurrency: number;
  /** Also stop (bounded) after this long, even with requests left. */
  maxDurationMs: number;
  /**
   * Repeat the list from the start until stopped (a file appears at /tmp/stop: `stopBurst`), for
   * bursts that must cover an operation of unknown length; still bounded by maxDurationMs.
   */
  loop?: boolean;
}

export interface BurstOutcome {
  /** One entry per request sent: its index in the list, the status (0: no answer) and any error. */
  results: { index: number; status: number; retried?: boolean; error?: string; body?: string }[];
  durationMs: number;
}

// Runs inside the pod. Plain Node 24 (global fetch); answers are kept short.
const BURST_SCRIPT = `
const fs = require('node:fs');
const spec = JSON.parse(process.env.BURST);
const started = Date.now();
const results = [];
let next = 0;
const stopped = () => Date.now() - started > spec.maxDurationMs || (spec.loop && fs.existsSync('/tmp/stop'));
async function worker() {
  for (;;) {
    if (stopped()) return;
    if (next >= spec.requests.length) { if (!spec.loop) return; next = 0; }
    const index = next++;
    const r = spec.requests[index];
    const headers = { 'content-type': 'application/json' };
    if (r.token) headers.authorization = 'Bearer ' + r.token;
    // A GET whose reused keep-alive connection was reset (the old pod closed it as the request went out) is sent
    // once more on a new connection, as HTTP clients do for idempotent requests (RFC 9112 section 9.3.1); the
    // retry is recorded. Nothing else is retried.
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await fetch(r.url, { method: r.method, headers, body: r.body === undefined ? undefined : JSON.stringify(r.body), signal: AbortSignal.timeout(15000) });
        const text = await res.text();
        results.push({ index, status: res.status, retried: attempt > 0 || undefined, body: res.status >= 400 || res.status === 201 ? text.slice(0, 300) : undefined });
      } catch (err) {
        const code = String(err && err.cause ? err.cause.code || err.cause : err).slice(0, 200);
        if (r.method === 'GET' && (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') && attempt === 0) continue;
        results.push({ index, status: 0, retried: attempt > 0 || undefined, error: code });
      }
      break;
    }
  }
}
fs.writeFileSync('/tmp/started', '');
Promise.all(Array.from({ length: spec.concurrency }, worker)).then(() => {
  console.log('BURST ' + JSON.stringify({ results, durationMs: Date.now() - started }));
});
`;

let counter = 0;

/** Starts the burst pod and resolves once its script runs; `finish` waits for it and returns the results. */
export async function startBurst(burst: Burst): Promise<{ pod: string; finish(): Promise<BurstOutcome> }> {
  const pod = `burst-${Date.now().toString(36)}-${counter++}`;
  const securityContext = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: 10001,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
  const manifest = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: pod, labels: { 'app.kubernetes.io/name': 'e2e-burst' } },
    spec: {
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      containers: [
        {
          name: 'burst',
          image: await releaseImage('users'),
          imagePullPolicy: 'Never',
          command: ['node', '-e', BURST_SCRIPT],
          env: [{ name: 'BURST', value: JSON.stringify(burst) }],
          securityContext,
          resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } },
          volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
        },
      ],
      volumes: [{ name: 'tmp', emptyDir: {} }],
    },
  };
  const applied = await kubectlApply(manifest);
  if (applied.code !== 0) throw new Error(`kubectl apply: ${applied.output}`);
  await eventually(
    `burst pod ${pod} running`,
    async () =>
      (await kubectl('exec', pod, '--', 'ls', '/tmp/started')).includes('started') ? true : undefined,
    120_000,
  );
  return {
    pod,
    async finish() {
      const phase = await eventually(
        `burst pod ${pod} finished`,
        async () => {
          const p = (await kubectl('get', 'pod', pod, '-o', 'jsonpath={.status.phase}')).trim();
          return p === 'Succeeded' || p === 'Failed' ? p : undefined;
        },
        burst.maxDurationMs + 120_000,
      );
      const logs = await kubectl('logs', pod);
      await kubectl('delete', 'pod', pod, '--wait=false').catch(() => undefined);
      const line = logs.split('\n').find((l) => l.startsWith('BURST '));
      if (phase !== 'Succeeded' || !line) throw new Error(`burst pod ${pod} ${phase}: ${logs.slice(-2000)}`);
      return JSON.parse(line.slice('BURST '.length)) as BurstOutcome;
    },
  };
}

/** Ends a looping burst: its workers stop after the requests in flight. */
export async function stopBurst(pod: string): Promise<void> {
  await kubectl('exec', pod, '--', 'node', '-e', "require('fs').writeFileSync('/tmp/stop', '')");
}

/** The in-cluster URL of a platform Service (the umbrella release is "moocflix"). */
export function serviceUrl(service: string): string {
  return `http://moocflix-${service}.${e2e.namespace}.svc.cluster.local`;
}

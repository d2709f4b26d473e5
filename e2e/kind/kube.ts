// What the kind tier's checks (*.kind.test.ts) use to reach the cluster e2e/kind/run.sh brought up: kubectl and
// helm on PATH (built from the Go module proxy, cached), the context and namespace from the environment run.sh
// sets, and port-forwards to Services, each closed by the test that opened it.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the kind checks run from e2e/kind/run.sh, which sets it`);
  return value;
}

export const e2e = {
  get context() {
    return required('E2E_KUBE_CONTEXT');
  },
  get namespace() {
    return required('E2E_NAMESPACE');
  },
  get cluster() {
    return required('E2E_CLUSTER');
  },
  get values() {
    return required('E2E_VALUES');
  },
};

/** kubectl in the e2e context and namespace; rejects with its stderr. */
export async function kubectl(...args: string[]): Promise<string> {
  try {
    const { stdout } = await run('kubectl', ['--context', e2e.context, '-n', e2e.namespace, ...args], {
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`kubectl ${args.join(' ')}: ${e.stderr || e.message}`);
  }
}

/** `kubectl apply -f -` of one manifest (extra flags first, e.g. --dry-run=server): its exit code and output. */
export function kubectlApply(
  manifest: unknown,
  ...flags: string[]
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      'kubectl',
      ['--context', e2e.context, '-n', e2e.namespace, 'apply', ...flags, '-f', '-'],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('exit', (code) => resolve({ code, output }));
    child.stdin.end(JSON.stringify(manifest));
  });
}

export async function kubectlJson<T>(...args: string[]): Promise<T> {
  return JSON.parse(await kubectl(...args, '-o', 'json')) as T;
}

/** The Helm release run.sh installs (`skaffold run -p kind`, skaffold.yaml). */
export const RELEASE = 'moocflix';

/**
 * The image a part of the release runs (`users`, `operator`, `operator.jobs` for the transcode Jobs), as
 * installed: skaffold deploys images it built locally under their image id as the tag, so the checks ask the
 * release instead of assuming a tag.
 */
export async function releaseImage(part: string): Promise<string> {
  let values = JSON.parse(await helm('get', 'values', RELEASE, '--all', '-o', 'json')) as unknown;
  for (const key of part.split('.')) values = (values as Record<string, unknown> | undefined)?.[key];
  const image = (values as { image?: { repository?: string; tag?: string } } | undefined)?.image;
  if (!image?.repository || !image.tag) throw new Error(`the release names no image for ${part}`);
  return `${image.repository}:${image.tag}`;
}

export async function helm(...args: string[]): Promise<string> {
  try {
    const { stdout } = await run('helm', ['--kube-context', e2e.context, '-n', e2e.namespace, ...args], {
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`helm ${args.join(' ')}: ${e.stderr || e.message}`);
  }
}

export interface PortForward {
  url: string;
  close(): void;
}

/**
 * `kubectl port-forward svc/<name> :<port>` on a free local port. kubectl port-forward ends when the pod behind
 * it goes away, so drills that delete pods open a new one afterwards (or use forwardWithRetry).
 */
export async function portForward(target: string, remotePort: number): Promise<PortForward> {
  const child: ChildProcess = spawn(
    'kubectl',
    [
      '--context',
      e2e.context,
      '-n',
      e2e.namespace,
      'port-forward',
      target,
      `:${remotePort}`,
      '--address',
      '127.0.0.1',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`port-forward ${target}: no port in 30 s: ${output}`)),
      30_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`port-forward ${target} exited (${code}): ${output}`));
    });
  });
  return { url: `http://127.0.0.1:${port}`, close: () => child.kill() };
}

/** Polls until `probe` returns a value other than undefined, or fails with the last error after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  intervalMs = 1000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = 'not yet';
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      // A probe that knows waiting cannot help (a video that failed) says so with `fatal`.
      if ((err as { fatal?: boolean }).fatal) throw err;
      last = (err as Error).message;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${last}`);
    await sleep(intervalMs);
  }
}

interface Deployment {
  metadata: { name: string };
  spec: { replicas?: number };
  status: { availableReplicas?: number; updatedReplicas?: number; observedGeneration?: number };
}

/** Every Deployment of the namespace (platform and third-party) with all its replicas available. */
export async function deployments(): Promise<Deployment[]> {
  return (await kubectlJson<{ items: Deployment[] }>('get', 'deployments')).items;
}

export function unavailable(list: Deployment[]): string[] {
  return list
    .filter((d) => (d.status.availableReplicas ?? 0) < (d.spec.replicas ?? 1))
    .map((d) => `${d.metadata.name} ${d.status.availableReplicas ?? 0}/${d.spec.replicas ?? 1}`);
}

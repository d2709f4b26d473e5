// Helpers for *.cluster.test.ts files (jest-env.ts has already pointed KUBECONFIG at the cluster).
import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';

export interface KubeClients {
  kc: k8s.KubeConfig;
  core: k8s.CoreV1Api;
  batch: k8s.BatchV1Api;
  apiextensions: k8s.ApiextensionsV1Api;
  custom: k8s.CustomObjectsApi;
}

/** Clients for the admin kubeconfig that jest-env.ts put in KUBECONFIG. */
export function kubeClients(): KubeClients {
  const kc = new k8s.KubeConfig();
  kc.loadFromDefault();
  return {
    kc,
    core: kc.makeApiClient(k8s.CoreV1Api),
    batch: kc.makeApiClient(k8s.BatchV1Api),
    apiextensions: kc.makeApiClient(k8s.ApiextensionsV1Api),
    custom: kc.makeApiClient(k8s.CustomObjectsApi),
  };
}

/** Polls `probe` every 250 ms until it returns a value that is not undefined/false. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no result yet';
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${last})`);
    await sleep(250);
  }
}

/**
 * Creates a namespace and waits for its default ServiceAccount: until the controller manager
 * has made it, the ServiceAccount admission plugin refuses pods there.
 */
export async function createNamespace(
  core: k8s.CoreV1Api,
  name: string,
  labels: Record<string, string> = {},
): Promise<void> {
  await core.createNamespace({ body: { metadata: { name, labels } } });
  await eventually(`ServiceAccount ${name}/default`, () =>
    core.readNamespacedServiceAccount({ name: 'default', namespace: name }),
  );
}

/** Awaits an API call that must be refused; returns the HTTP status and the apiserver's message. */
export async function refusal(call: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await call;
  } catch (err) {
    const e = err as { code?: unknown; body?: unknown };
    if (typeof e.code !== 'number') throw err;
    const body = (typeof e.body === 'string' ? JSON.parse(e.body) : e.body) as
      { message?: string } | undefined;
    return { code: e.code, message: body?.message ?? String(e.body) };
  }
  throw new Error('expected the apiserver to refuse the request, but it was accepted');
}

const execFileAsync = promisify(execFile);

/** Runs the helm binary from prepare.sh against KUBECONFIG; rejects with helm's stderr. */
export async function helm(...args: string[]): Promise<string> {
  const bin = process.env.MOOCFLIX_HELM_BIN;
  if (!bin) throw new Error('MOOCFLIX_HELM_BIN is not set (jest-env.ts sets it)');
  try {
    return (await execFileAsync(bin, args, { env: process.env })).stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`helm ${args.join(' ')} failed: ${e.stderr || e.message}`);
  }
}

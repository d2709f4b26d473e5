// A small JSON client for the Kubernetes API: one keep-alive HTTPS agent, the kubeconfig's TLS and
// credentials, typed errors, and raw watch streams. The generated clients of
// @kubernetes/client-node are not used for the operator's traffic: they allocate an agent per call,
// cannot send merge patches without middleware, and hide the watch stream the informer needs to
// detect stalls. The library is still what reads kubeconfigs and in-cluster credentials.
import http from 'node:http';
import https from 'node:https';
import { createInterface } from 'node:readline';
import type { KubeConfig } from '@kubernetes/client-node';

export interface KubeClientOptions {
  /** https://host:port (or http:// for a test server). */
  server: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  rejectUnauthorized?: boolean;
  /** Per-request headers (Authorization); called at most once a minute, so rotated tokens are picked up. */
  headers?: () => Promise<Record<string, string>>;
  /** Bounds every call except watches. */
  requestTimeoutMs?: number;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Default application/json; merge patches use application/merge-patch+json. */
  contentType?: string;
  /** Default application/json; e.g. a Table: application/json;as=Table;v=v1;g=meta.k8s.io */
  accept?: string;
  signal?: AbortSignal;
}

/** An error answer of the apiserver (a metav1.Status), or a transport failure (code 0). */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const isNotFound = (err: unknown): boolean => err instanceof ApiError && err.code === 404;
export const isAlreadyExists = (err: unknown): boolean =>
  err instanceof ApiError && err.code === 409 && err.reason === 'AlreadyExists';
export const isConflict = (err: unknown): boolean =>
  err instanceof ApiError && err.code === 409 && err.reason !== 'AlreadyExists';
export const isGone = (err: unknown): boolean =>
  err instanceof ApiError && (err.code === 410 || err.reason === 'Expired' || err.reason === 'Gone');

const HEADER_TTL_MS = 60_000;

export class KubeClient {
  private readonly server: URL;
  private readonly agent: http.Agent;
  private readonly requestTimeoutMs: number;
  private cachedHeaders: { value: Record<string, string>; at: number } | undefined;

  constructor(private readonly options: KubeClientOptions) {
    this.server = new URL(options.server);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    const tls = {
      ca: options.ca,
      cert: options.cert,
      key: options.key,
      rejectUnauthorized: options.rejectUnauthorized ?? true,
    };
    this.agent =
      this.server.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, ...tls })
        : new http.Agent({ keepAlive: true });
  }

  /** From a loaded KubeConfig (loadFromDefault: KUBECONFIG, ~/.kube/config, or in-cluster). */
  static async fromKubeConfig(kc: KubeConfig, requestTimeoutMs?: number): Promise<KubeClient> {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    const tls: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(tls);
    const headers = async () => {
      const opts: https.RequestOptions = {};
      await kc.applyToHTTPSOptions(opts);
      const result: Record<string, string> = {};
      for (const [k, v] of Object.entries(opts.headers ?? {})) if (v !== undefined) result[k] = String(v);
      if (opts.auth) result.Authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
      return result;
    };
    return new KubeClient({
      server: cluster.server,
      ca: tls.ca as Buffer | undefined,
      cert: tls.cert as Buffer | undefined,
      key: tls.key as Buffer | undefined,
      rejectUnauthorized: cluster.skipTLSVerify ? false : true,
      headers,
      requestTimeoutMs,
    });
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const signal = options.signal
      ? AbortSignal.any([options.signal, AbortSignal.timeout(this.requestTimeoutMs)])
      : AbortSignal.timeout(this.requestTimeoutMs);
    const res = await this.send(method, path, options, signal);
    const text = await readBody(res);
    if ((res.statusCode ?? 0) >= 400) throw toApiError(res.statusCode ?? 0, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /**
   * Opens a watch and calls `onEvent` for each event line until the server ends the stream (resolves)
   * or the connection fails or `signal` aborts (rejects). An HTTP error answer rejects with ApiError.
   */
  async watch(
    path: string,
    query: RequestOptions['query'],
    onEvent: (event: WatchEvent) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const res = await this.send('GET', path, { query: { ...query, watch: 'true' } }, signal);
    if ((res.statusCode ?? 0) >= 400) throw toApiError(res.statusCode ?? 0, await readBody(res));
    const lines = createInterface({ input: res, crlfDelay: Infinity });
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const fail = (err: Error) => {
        failed = true;
        lines.close();
        reject(err);
      };
      res.on('error', fail);
      res.on('aborted', () => fail(new ApiError(0, 'Aborted', 'watch connection aborted')));
      lines.on('line', (line) => {
        if (!line.trim()) return;
        let event: WatchEvent;
        try {
          event = JSON.parse(line) as WatchEvent;
        } catch {
          return fail(
            new ApiError(0, 'BadWatchEvent', `watch sent a line that is not JSON: ${line.slice(0, 200)}`),
          );
        }
        if (typeof event?.type !== 'string' || typeof event.object !== 'object' || event.object === null) {
          return fail(
            new ApiError(
              0,
              'BadWatchEvent',
              `watch sent something that is not an event: ${line.slice(0, 200)}`,
            ),
          );
        }
        try {
          onEvent(event);
        } catch (err) {
          fail(err as Error);
        }
      });
      lines.on('close', () => {
        if (!failed) resolve();
      });
    });
  }

  close(): void {
    this.agent.destroy();
  }

  private async headers(): Promise<Record<string, string>> {
    if (!this.options.headers) return {};
    const now = Date.now();
    if (!this.cachedHeaders || now - this.cachedHeaders.at > HEADER_TTL_MS) {
      this.cachedHeaders = { value: await this.options.headers(), at: now };
    }
    return this.cachedHeaders.value;
  }

  private async send(
    method: string,
    path: string,
    options: RequestOptions,
    signal: AbortSignal,
  ): Promise<http.IncomingMessage> {
    const url = new URL(path, this.server);
    for (const [k, v] of Object.entries(options.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const body = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
    const headers: Record<string, string> = {
      Accept: options.accept ?? 'application/json',
      ...(await this.headers()),
    };
    if (body) {
      headers['Content-Type'] = options.contentType ?? 'application/json';
      headers['Content-Length'] = String(body.length);
    }
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(abortError(signal));
      const req = transport.request(url, { method, headers, agent: this.agent }, resolve);
      const onAbort = () => req.destroy(abortError(signal));
      signal.addEventListener('abort', onAbort, { once: true });
      req.on('close', () => signal.removeEventListener('abort', onAbort));
      req.on('error', (err) =>
        reject(
          err instanceof ApiError
            ? err
            : new ApiError(0, 'Transport', `${method} ${url.pathname}: ${err.message}`),
        ),
      );
      req.end(body);
    });
  }
}

export interface WatchEvent<T = unknown> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

function abortError(signal: AbortSignal): ApiError {
  const reason = signal.reason as Error | undefined;
  return reason?.name === 'TimeoutError'
    ? new ApiError(0, 'Timeout', 'request timed out')
    : new ApiError(0, 'Aborted', reason?.message ?? 'aborted');
}

function readBody(res: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

/** metav1.Status fields that matter to callers. */
export interface StatusBody {
  kind?: string;
  code?: number;
  reason?: string;
  message?: string;
  details?: unknown;
}

export function statusToError(status: StatusBody, fallbackCode = 0): ApiError {
  const code = status.code ?? fallbackCode;
  return new ApiError(code, status.reason ?? String(code), status.message ?? `HTTP ${code}`, status.details);
}

function toApiError(code: number, text: string): ApiError {
  let status: StatusBody = {};
  try {
    status = JSON.parse(text) as StatusBody;
  } catch {
    status = { message: text.slice(0, 500) };
  }
  return statusToError({ ...status, code }, code);
}

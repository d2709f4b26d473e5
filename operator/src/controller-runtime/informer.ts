// An informer: a local cache of one resource kind kept current by list + watch, with handlers
// called on every change. It recovers by itself from what breaks long-lived watches:
//   - 410 Gone / Expired (the resourceVersion fell out of the apiserver's window): relist;
//   - errors (apiserver restarting, network): re-watch with exponential backoff and jitter;
//   - silent stalls (a connection that stays open but delivers nothing): every watch asks the
//     server to end it after timeoutSeconds; one that outlives that by stallGraceMs is cut and
//     relisted;
//   - periodic relist (resyncPeriodMs): catches anything missed and re-announces every object
//     as an update, so reconcilers re-check everything now and then (a no-op when nothing changed).
import type { Logger } from '@moocflix/platform-core/log';
import { ApiError, isGone, statusToError, type StatusBody, type WatchEvent } from './client';
import { backoffDelay, sleep } from '@moocflix/platform-core/retry';
import type { ControllerMetrics } from './metrics';
import { objectKey, type KubeObject } from './objects';
import type { ResourceClient } from './resource';

export type InformerEvent<T> =
  { type: 'add'; object: T } | { type: 'update'; object: T; old: T } | { type: 'delete'; object: T };

export type InformerHandler<T> = (event: InformerEvent<T>) => void;

export interface InformerOptions<T extends KubeObject> {
  /** For logs and metrics, e.g. "transcodejobs". */
  name: string;
  resource: ResourceClient<T>;
  /** Namespaces to watch; empty means all namespaces (one cluster-wide watch). */
  namespaces: readonly string[];
  labelSelector?: string;
  logger: Logger;
  metrics?: ControllerMetrics;
  /** Full relist this often (default 5 min). */
  resyncPeriodMs?: number;
  /** Server-side end of each watch; randomised in [t, 2t] so replicas don't re-watch together (default 300 s). */
  watchTimeoutSeconds?: number;
  /** A watch silent for its timeout plus this long is considered stalled (default 30 s). */
  stallGraceMs?: number;
  /** Page size of lists (default 500). */
  pageSize?: number;
}

class RelistNeeded extends Error {
  constructor(readonly why: 'gone' | 'stall' | 'resync') {
    super(why);
  }
}

export class Informer<T extends KubeObject> {
  readonly name: string;
  private readonly store = new Map<string, T>();
  private readonly handlers: InformerHandler<T>[] = [];
  private readonly synced = new Set<string>();
  private readonly stopping = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private readonly syncWaiters: (() => void)[] = [];
  private readonly logger: Logger;
  private readonly scopes: (string | undefined)[];

  constructor(private readonly options: InformerOptions<T>) {
    this.name = options.name;
    this.logger = options.logger.child({ informer: options.name });
    this.scopes = options.namespaces.length ? [...options.namespaces] : [undefined];
  }

  /** Handlers run synchronously, in order, for every change (keep them cheap: enqueue keys). */
  on(handler: InformerHandler<T>): void {
    this.handlers.push(handler);
  }

  start(): void {
    if (this.loops.length) return;
    for (const scope of this.scopes) this.loops.push(this.run(scope));
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled(this.loops);
  }

  hasSynced(): boolean {
    return this.synced.size === this.scopes.length;
  }

  /** Resolves once every namespace was listed once. */
  waitForSync(): Promise<void> {
    if (this.hasSynced()) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.store.get(namespace ? `${namespace}/${name}` : name);
  }

  list(): T[] {
    return [...this.store.values()];
  }

  private async run(namespace: string | undefined): Promise<void> {
    const scope = namespace ?? '*';
    let resourceVersion: string | undefined;
    let lastList = 0;
    let failures = 0;
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      try {
        if (resourceVersion === undefined) {
          resourceVersion = await this.relist(namespace);
          lastList = Date.now();
          this.markSynced(scope);
        }
        resourceVersion = await this.watchOnce(namespace, resourceVersion, lastList);
        failures = 0;
      } catch (err) {
        if (signal.aborted) break;
        if (err instanceof RelistNeeded || isGone(err)) {
          const why = err instanceof RelistNeeded ? err.why : 'gone';
          this.logger[why === 'resync' ? 'debug' : 'info']({ namespace: scope, why }, 'relisting');
          this.options.metrics?.informerRelists.inc({ informer: this.name, reason: why });
          resourceVersion = undefined;
          continue;
        }
        failures++;
        const delay = backoffDelay(failures, 200, 30_000);
        this.logger.warn({ err, namespace: scope, delay }, 'list/watch failed; retrying');
        this.options.metrics?.informerRelists.inc({ informer: this.name, reason: 'error' });
        // After a failed list, or repeated watch failures, start over from a fresh list.
        if (failures > 1) resourceVersion = undefined;
        await sleep(delay, signal);
      }
    }
  }

  /** Lists page by page and reconciles the cache with the result; returns the list's resourceVersion. */
  private async relist(namespace: string | undefined): Promise<string> {
    const items: T[] = [];
    let continueToken: string | undefined;
    let resourceVersion = '';
    do {
      const page = await this.options.resource.list(
        namespace,
        {
          labelSelector: this.options.labelSelector,
          limit: this.options.pageSize ?? 500,
          continue: continueToken,
        },
        this.stopping.signal,
      );
      items.push(...page.items);
      continueToken = page.metadata.continue || undefined;
      resourceVersion = page.metadata.resourceVersion ?? '';
    } while (continueToken);

    const seen = new Set<string>();
    for (const item of items) {
      const key = objectKey(item);
      seen.add(key);
      const old = this.store.get(key);
      this.store.set(key, item);
      // Unchanged objects are announced too: the periodic resync of every reconciler.
      this.emit(old ? { type: 'update', object: item, old } : { type: 'add', object: item });
    }
    for (const [key, old] of this.store) {
      if (seen.has(key) || !inScope(old, namespace)) continue;
      this.store.delete(key);
      this.emit({ type: 'delete', object: old });
    }
    return resourceVersion;
  }

  /** One watch from `resourceVersion`; returns the last resourceVersion seen when the server ends it. */
  private async watchOnce(
    namespace: string | undefined,
    resourceVersion: string,
    lastList: number,
  ): Promise<string> {
    const timeoutSeconds = this.watchTimeoutSeconds();
    const stallMs = timeoutSeconds * 1000 + (this.options.stallGraceMs ?? 30_000);
    const resyncMs = this.options.resyncPeriodMs ?? 300_000;
    const watch = new AbortController();
    const stopWatch = () => watch.abort(new Error('informer stopped'));
    this.stopping.signal.addEventListener('abort', stopWatch, { once: true });
    let stall = setTimeout(() => watch.abort(new RelistNeeded('stall')), stallMs);
    const resync = setTimeout(
      () => watch.abort(new RelistNeeded('resync')),
      Math.max(0, lastList + resyncMs - Date.now()),
    );
    let rv = resourceVersion;
    try {
      await this.options.resource.watch(
        namespace,
        {
          resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds,
          labelSelector: this.options.labelSelector,
        },
        (event: WatchEvent<T>) => {
          clearTimeout(stall);
          stall = setTimeout(() => watch.abort(new RelistNeeded('stall')), stallMs);
          if (event.type === 'ERROR') {
            const error = statusToError(event.object as StatusBody);
            watch.abort(isGone(error) ? new RelistNeeded('gone') : error);
            return;
          }
          const next = event.object.metadata?.resourceVersion;
          if (next) rv = next;
          if (event.type !== 'BOOKMARK') this.apply(event);
        },
        watch.signal,
      );
    } catch (err) {
      // Aborting the request surfaces as a transport error; report why it was aborted instead.
      const reason: unknown = watch.signal.reason;
      if (watch.signal.aborted && (reason instanceof RelistNeeded || reason instanceof ApiError))
        throw reason;
      throw err;
    } finally {
      clearTimeout(stall);
      clearTimeout(resync);
      this.stopping.signal.removeEventListener('abort', stopWatch);
    }
    return rv;
  }

  private apply(event: WatchEvent<T>): void {
    const key = objectKey(event.object);
    const old = this.store.get(key);
    if (event.type === 'DELETED') {
      this.store.delete(key);
      this.emit({ type: 'delete', object: event.object });
    } else {
      this.store.set(key, event.object);
      this.emit(old ? { type: 'update', object: event.object, old } : { type: 'add', object: event.object });
    }
  }

  private emit(event: InformerEvent<T>): void {
    for (const handler of this.handlers) {
      try {
        handler(event);
      } catch (err) {
        this.logger.error({ err }, 'informer handler threw');
      }
    }
  }

  private markSynced(scope: string): void {
    if (this.synced.has(scope)) return;
    this.synced.add(scope);
    if (this.hasSynced()) for (const resolve of this.syncWaiters.splice(0)) resolve();
  }

  private watchTimeoutSeconds(): number {
    const base = this.options.watchTimeoutSeconds ?? 300;
    return Math.round(base * (1 + Math.random()));
  }
}

function inScope(obj: KubeObject, namespace: string | undefined): boolean {
  return namespace === undefined || obj.metadata.namespace === namespace;
}

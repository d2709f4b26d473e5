// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection package does it:
// the holder renews the Lease every retry period; a candidate takes it over once it has seen the
// same record unchanged for a whole lease duration (measured on its own clock, so clock skew
// between nodes does not matter); writes carry the resourceVersion, so two candidates never both
// win. A leader that cannot renew within the renew deadline stops leading. On a clean shutdown the
// Lease is released so a standby takes over at once instead of after the lease duration.
import { hostname } from 'node:os';
import type { Logger } from '@moocflix/platform-core/log';
import { isAlreadyExists, isConflict } from './client';
import { sleep } from '@moocflix/platform-core/retry';
import type { ControllerMetrics } from './metrics';
import type { KubeObject } from './objects';
import type { ResourceClient } from './resource';
import type { PolicyRule } from './rbac';

/** RBAC of leader election, in the Lease's namespace. */
export const leaderElectionRbac: PolicyRule[] = [
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
];

export interface Lease extends KubeObject {
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

export interface LeaderElectionOptions {
  leases: ResourceClient<Lease>;
  namespace: string;
  name: string;
  /** Unique per replica (the pod name in a cluster). */
  identity?: string;
  /** How long a standby waits on an unrenewed Lease before taking it (default 15 s). */
  leaseDurationMs?: number;
  /** A leader that could not renew for this long steps down (default 10 s). */
  renewDeadlineMs?: number;
  /** Interval of renewals and acquisition attempts (default 2 s). */
  retryPeriodMs?: number;
  logger: Logger;
  metrics?: ControllerMetrics;
}

type LeaseSpec = NonNullable<Lease['spec']>;

export class LeaderElector {
  readonly identity: string;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly logger: Logger;
  private observed: { key: string; at: number } | undefined;
  private leading = false;

  constructor(private readonly options: LeaderElectionOptions) {
    this.identity = options.identity ?? `${hostname()}_${Math.random().toString(36).slice(2, 10)}`;
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    if (this.renewDeadlineMs >= this.leaseDurationMs)
      throw new Error('the renew deadline must be shorter than the lease duration');
    this.logger = options.logger.child({
      lease: `${options.namespace}/${options.name}`,
      identity: this.identity,
    });
  }

  isLeader(): boolean {
    return this.leading;
  }

  /**
   * Campaigns until this replica leads, then calls `lead` with a signal that aborts when
   * leadership is lost (or `signal` aborts). Resolves after leading ended: the caller decides
   * whether to campaign again (a process normally exits, as controller-runtime's managers do).
   * Resolves without leading if `signal` aborts first.
   */
  async run(
    signal: AbortSignal,
    lead: (leadership: AbortSignal) => Promise<void> | void,
  ): Promise<'lost' | 'stopped'> {
    this.setLeading(false);
    while (!signal.aborted) {
      if (await this.tryAcquireOrRenew()) break;
      await sleep(this.retryPeriodMs * (1 + Math.random() * 0.2), signal);
    }
    if (signal.aborted) return 'stopped';

    this.setLeading(true);
    this.logger.info('became leader');
    const leadership = new AbortController();
    const stopLeading = () => leadership.abort(new Error('stopped'));
    signal.addEventListener('abort', stopLeading, { once: true });
    const leading = Promise.resolve()
      .then(() => lead(leadership.signal))
      .catch((err: unknown) => {
        this.logger.error({ err }, 'leader work failed');
        leadership.abort(err);
      });

    let lastRenew = Date.now();
    while (!leadership.signal.aborted) {
      await sleep(this.retryPeriodMs, leadership.signal);
      if (leadership.signal.aborted) break;
      if (await this.tryAcquireOrRenew()) {
        lastRenew = Date.now();
      } else if (Date.now() - lastRenew >= this.renewDeadlineMs) {
        this.logger.error(
          { sinceLastRenewMs: Date.now() - lastRenew },
          'leadership lost: the lease could not be renewed',
        );
        leadership.abort(new Error('leadership lost'));
      }
    }
    signal.removeEventListener('abort', stopLeading);
    await leading;
    const lost = !signal.aborted;
    this.setLeading(false);
    if (!lost) await this.release();
    return lost ? 'lost' : 'stopped';
  }

  private setLeading(value: boolean): void {
    this.leading = value;
    this.options.metrics?.leaderElectionMaster.set({ name: this.options.name }, value ? 1 : 0);
  }

  /** One attempt; true when this replica holds the Lease afterwards. Errors count as "not held". */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { leases, namespace, name } = this.options;
    const now = new Date();
    const spec: LeaseSpec = {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.ceil(this.leaseDurationMs / 1000),
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    try {
      const current = await leases.get(namespace, name);
      if (!current) {
        await leases.create({ metadata: { name, namespace }, spec });
        this.observe(spec, Date.now());
        return true;
      }
      const record = current.spec ?? {};
      this.observe(record, Date.now());
      const holder = record.holderIdentity ?? '';
      const heldByOther = holder !== '' && holder !== this.identity;
      const durationMs = (record.leaseDurationSeconds ?? 0) * 1000;
      if (heldByOther && this.observed!.at + durationMs > Date.now()) return false;
      const next: LeaseSpec =
        holder === this.identity
          ? { ...record, leaseDurationSeconds: spec.leaseDurationSeconds, renewTime: spec.renewTime }
          : { ...spec, leaseTransitions: (record.leaseTransitions ?? 0) + 1 };
      const updated = await leases.replace({ ...current, spec: next });
      this.observe(updated.spec ?? next, Date.now());
      if (holder !== this.identity) this.logger.info({ previousHolder: holder || null }, 'lease acquired');
      return true;
    } catch (err) {
      if (!isConflict(err) && !isAlreadyExists(err)) this.logger.warn({ err }, 'lease update failed');
      return false;
    }
  }

  /** Gives the Lease up (an empty holder), so a standby takes over without waiting out the duration. */
  private async release(): Promise<void> {
    const { leases, namespace, name } = this.options;
    try {
      const current = await leases.get(namespace, name);
      if (!current || current.spec?.holderIdentity !== this.identity) return;
      const now = microTime(new Date());
      await leases.replace({
        ...current,
        spec: {
          ...current.spec,
          holderIdentity: '',
          leaseDurationSeconds: 1,
          renewTime: now,
          acquireTime: now,
        },
      });
      this.logger.info('lease released');
    } catch (err) {
      this.logger.warn({ err }, 'could not release the lease; standbys take over when it expires');
    }
  }

  /** Remembers when the record last changed, on this replica's clock. */
  private observe(record: LeaseSpec, at: number): void {
    const key = `${record.holderIdentity ?? ''}|${record.renewTime ?? ''}`;
    if (this.observed?.key !== key) this.observed = { key, at };
  }
}

/** metav1.MicroTime: RFC 3339 with microseconds. */
function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

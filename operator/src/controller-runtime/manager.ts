// The manager: serves /healthz, /readyz and /metrics on every replica, campaigns for the Lease, and
// on the leader starts the informers, waits until their caches are filled, then starts the
// controllers and the other leader-only work (the Kafka intake). Like controller-runtime's manager,
// a replica that loses leadership stops its work and reports it; main.ts then exits so that the pod
// restarts clean (a reconcile racing a new leader is the one thing leader election must prevent).
// Plain node:http (core's probe server), not the kit's express app: the operator serves no API, and
// its image carries neither express nor anything else of the HTTP kit.
import { startProbeServer, type ProbeServer, type ReadinessCheck } from '@moocflix/platform-core/probes';
import type { Logger } from '@moocflix/platform-core/log';
import type { Registry } from 'prom-client';
import type { KubeClient } from './client';
import type { Controller } from './controller';
import type { Informer } from './informer';
import { LeaderElector, type Lease } from './leader-election';
import type { ControllerMetrics } from './metrics';
import type { KubeObject } from './objects';
import { LeaseResource, ResourceClient } from './resource';

/** Leader-only work started after the caches synced (and stopped before them). */
export interface Runnable {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface LeaderElectionConfig {
  namespace: string;
  name: string;
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

export interface ManagerOptions {
  client: KubeClient;
  logger: Logger;
  registry: Registry;
  metrics: ControllerMetrics;
  /** false: this replica leads at once (a single replica, or tests). */
  leaderElection: LeaderElectionConfig | false;
  /** Health/metrics server; port 0 picks a free one. */
  port: number;
  host?: string;
  /** Called when this replica stops leading without having been asked to stop. */
  onLeadershipLost?: () => void;
}

export class Manager {
  private readonly informers: Informer<KubeObject>[] = [];
  private readonly controllers: Controller[] = [];
  private readonly runnables: Runnable[] = [];
  private readonly stopping = new AbortController();
  private readonly logger: Logger;
  private readonly elector: LeaderElector | undefined;
  private server: ProbeServer | undefined;
  private campaign: Promise<void> | undefined;
  private leaderWorkRunning = false;

  constructor(private readonly options: ManagerOptions) {
    this.logger = options.logger.child({ component: 'manager' });
    const le = options.leaderElection;
    this.elector = le
      ? new LeaderElector({
          leases: new ResourceClient<Lease>(options.client, LeaseResource),
          ...le,
          logger: options.logger,
          metrics: options.metrics,
        })
      : undefined;
  }

  get identity(): string | undefined {
    return this.elector?.identity;
  }

  get url(): string | undefined {
    return this.server?.url;
  }

  addInformer<T extends KubeObject>(informer: Informer<T>): Informer<T> {
    this.informers.push(informer as unknown as Informer<KubeObject>);
    return informer;
  }

  addController(controller: Controller): Controller {
    this.controllers.push(controller);
    return controller;
  }

  addRunnable(runnable: Runnable): void {
    this.runnables.push(runnable);
  }

  /** True while this replica leads and its caches are filled. */
  isLeading(): boolean {
    return this.leaderWorkRunning;
  }

  /** Starts the health server and the campaign; resolves once the server listens. */
  async start(extraReadiness: ReadinessCheck[] = []): Promise<void> {
    const { client, logger, registry } = this.options;
    const readiness: ReadinessCheck[] = [
      { name: 'kubernetes-api', check: async () => void (await client.request('GET', '/version')) },
      // A standby is ready (it serves health and waits); a leader once its caches are filled.
      {
        name: 'caches',
        check: async () => !(this.elector?.isLeader() ?? true) || this.informers.every((i) => i.hasSynced()),
      },
      ...extraReadiness,
    ];
    this.server = await startProbeServer({
      registry,
      readiness,
      port: this.options.port,
      host: this.options.host,
      logger,
    });
    this.campaign = this.runCampaign();
  }

  /** Stops leading (releasing the Lease), then the health server. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.campaign;
    await this.server?.close();
  }

  private async runCampaign(): Promise<void> {
    const signal = this.stopping.signal;
    if (!this.elector) {
      await this.lead(signal);
      return;
    }
    const outcome = await this.elector.run(signal, (leadership) => this.lead(leadership));
    if (outcome === 'lost') this.options.onLeadershipLost?.();
  }

  private async lead(leadership: AbortSignal): Promise<void> {
    const started: { stop(): Promise<void>; name: string }[] = [];
    try {
      for (const informer of this.informers) {
        informer.start();
        started.push({ name: `informer ${informer.name}`, stop: () => informer.stop() });
      }
      await Promise.race([Promise.all(this.informers.map((i) => i.waitForSync())), aborted(leadership)]);
      if (leadership.aborted) return;
      this.logger.info(
        { informers: this.informers.map((i) => i.name) },
        'caches synced; starting controllers',
      );
      for (const controller of this.controllers) {
        controller.start();
        started.push({ name: `controller ${controller.name}`, stop: () => controller.stop() });
      }
      for (const runnable of this.runnables) {
        await runnable.start();
        started.push(runnable);
      }
      this.leaderWorkRunning = true;
      await aborted(leadership);
    } finally {
      this.leaderWorkRunning = false;
      for (const item of started.reverse()) {
        await item.stop().catch((err: unknown) => this.logger.error({ err, what: item.name }, 'stop failed'));
      }
    }
  }
}

function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

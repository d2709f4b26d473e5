// Watches the Jobs of a namespace for a test: how many were created per name (a duplicate shows as
// a second add), and the most that were in flight at once, with the operator's own notion of done.
import { createLogger } from '@moocflix/platform-core/log';
import type { KubeClient } from '../../src/controller-runtime/client';
import { Informer } from '../../src/controller-runtime/informer';
import { JobResource, ResourceClient } from '../../src/controller-runtime/resource';
import { jobIsDone, TRANSCODEJOB_LABEL, type Job } from '../../src/transcode/job-builder';

export class JobTracker {
  readonly adds = new Map<string, number>();
  readonly firstSeen = new Map<string, number>();
  readonly order: string[] = [];
  private readonly inFlight = new Set<string>();
  maxInFlight = 0;
  readonly informer: Informer<Job>;

  constructor(client: KubeClient, namespace: string) {
    this.informer = new Informer<Job>({
      name: 'test-jobs',
      resource: new ResourceClient<Job>(client, JobResource),
      namespaces: [namespace],
      labelSelector: TRANSCODEJOB_LABEL,
      logger: createLogger('job-tracker', 'silent'),
    });
    this.informer.on((event) => {
      const name = event.object.metadata.name!;
      if (event.type === 'add') {
        this.adds.set(name, (this.adds.get(name) ?? 0) + 1);
        if (!this.firstSeen.has(name)) {
          this.firstSeen.set(name, Date.now());
          this.order.push(name);
        }
      }
      if (event.type === 'delete' || jobIsDone(event.object)) this.inFlight.delete(name);
      else this.inFlight.add(name);
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight.size);
    });
  }

  async start(): Promise<void> {
    this.informer.start();
    await this.informer.waitForSync();
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }

  /** Names created more than once (deleted and made again). */
  duplicates(): string[] {
    return [...this.adds].filter(([, n]) => n > 1).map(([name]) => name);
  }
}

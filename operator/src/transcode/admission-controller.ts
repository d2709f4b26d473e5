// The AdmissionController turns pending TranscodeJobs into Jobs while slots are free. It runs as a
// controller with a single key, enqueued on every TranscodeJob and Job event, so new work and
// freed slots are acted on as soon as the watch reports them (no polling interval), and a burst
// of events collapses into one pass (the work queue dedupes the key).
//
// One Job per TranscodeJob: the Job has the TranscodeJob's name, so a second create fails with
// AlreadyExists. Jobs created but not yet seen by the Job cache are remembered, so a pass right
// after another neither counts them out of the in-flight total nor admits their TranscodeJob again.
import type { Logger } from '@moocflix/platform-core/log';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { TranscodeJob } from '../api/v1alpha1';
import { isAlreadyExists } from '../controller-runtime/client';
import type { Informer } from '../controller-runtime/informer';
import { objectKey } from '../controller-runtime/objects';
import type { ResourceClient } from '../controller-runtime/resource';
import { desiredConcurrency, selectForAdmission, type ConcurrencyBounds } from './admission';
import { buildJob, jobIsDone, type Job, type JobTemplateConfig } from './job-builder';
import type { PolicyRule } from '../controller-runtime/rbac';
import { watchAsOne, type Enqueuer } from '../controller-runtime/watches';

/** RBAC of the admission and of the Job informer (owner references block the TranscodeJob's deletion). */
export const admissionRbac: PolicyRule[] = [
  { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list', 'watch', 'create'] },
  { apiGroups: ['moocflix.io'], resources: ['transcodejobs/finalizers'], verbs: ['update'] },
];

export const ADMISSION_KEY = 'admission';
/** A created Job not seen by the cache after this long is forgotten (it was deleted meanwhile). */
const UNSEEN_JOB_GRACE_MS = 60_000;

export interface AdmissionMetrics {
  inFlight: Gauge;
  pending: Gauge;
  desired: Gauge;
  intakeLag: Gauge;
  admitted: Counter;
}

export function createAdmissionMetrics(registry: Registry): AdmissionMetrics {
  const registers = [registry];
  return {
    inFlight: new Gauge({
      name: 'moocflix_operator_transcode_jobs_in_flight',
      help: 'Transcode Jobs created and not finished',
      registers,
    }),
    pending: new Gauge({
      name: 'moocflix_operator_transcode_pending',
      help: 'TranscodeJobs waiting for a slot',
      registers,
    }),
    desired: new Gauge({
      name: 'moocflix_operator_transcode_desired_concurrency',
      help: 'Jobs the queue asks for (in flight + pending + intake lag), within the concurrency bounds',
      registers,
    }),
    intakeLag: new Gauge({
      name: 'moocflix_operator_transcode_intake_lag',
      help: 'Transcoding-Request messages not yet taken in by the intake',
      registers,
    }),
    admitted: new Counter({
      name: 'moocflix_operator_transcode_admitted_total',
      help: 'Transcode Jobs created',
      registers,
    }),
  };
}

export interface AdmissionControllerOptions {
  jobs: ResourceClient<Job>;
  transcodeJobInformer: Informer<TranscodeJob>;
  jobInformer: Informer<Job>;
  template: JobTemplateConfig;
  bounds: ConcurrencyBounds;
  /** The intake's last measured lag (messages), for the desired-concurrency metric. */
  intakeLag?: () => number;
  metrics?: AdmissionMetrics;
  logger: Logger;
}

export class AdmissionController {
  /** Jobs this replica created that the Job cache has not shown yet: key → when. */
  private readonly unseen = new Map<string, number>();

  constructor(private readonly options: AdmissionControllerOptions) {
    options.jobInformer.on((event) => {
      if (event.type !== 'delete') this.unseen.delete(objectKey(event.object));
    });
  }

  readonly reconcile = async (): Promise<void> => {
    const { transcodeJobInformer, jobInformer, bounds, metrics } = this.options;
    const jobs = new Map(jobInformer.list().map((j) => [objectKey(j), j]));
    const now = Date.now();
    for (const [key, at] of this.unseen)
      if (jobs.has(key) || now - at > UNSEEN_JOB_GRACE_MS) this.unseen.delete(key);

    const inFlight = [...jobs.values()].filter((j) => !jobIsDone(j)).length + this.unseen.size;
    const pending = transcodeJobInformer.list().filter((tj) => {
      const key = objectKey(tj);
      const phase = tj.status?.phase;
      return (
        !tj.metadata.deletionTimestamp &&
        (phase === undefined || phase === 'Pending') &&
        !jobs.has(key) &&
        !this.unseen.has(key)
      );
    });
    const selected = selectForAdmission(pending, inFlight, bounds);
    const lag = this.options.intakeLag?.() ?? 0;
    metrics?.pending.set(pending.length - selected.length);
    metrics?.inFlight.set(inFlight + selected.length);
    metrics?.intakeLag.set(lag);
    metrics?.desired.set(desiredConcurrency(inFlight, pending.length, lag, bounds));

    let admitted = inFlight;
    // The queue as this pass found it: every TranscodeJob admitted now shares the pods with the
    // others that were waiting with it (part-parallelism.ts), those admitted in the same pass too.
    const waiting = Math.max(0, pending.length - 1);
    for (const tj of selected) {
      const key = objectKey(tj);
      try {
        const job = buildJob(tj, this.options.template, { waiting });
        await this.options.jobs.create(job);
        metrics?.admitted.inc();
        this.options.logger.info(
          {
            transcodeJob: key,
            priority: tj.spec.priority ?? 0,
            inFlight: ++admitted,
            ...(job.spec?.completionMode === 'Indexed' && { waiting, parallelism: job.spec.parallelism }),
          },
          'Job created',
        );
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
      this.unseen.set(key, Date.now());
    }
  };
}

/**
 * What admission watches: every TranscodeJob and Job event may free a slot or bring new work, and
 * all of them collapse into the one admission key (one pass over the queue).
 */
export function setUpAdmissionWatches(
  controller: Enqueuer,
  informers: { transcodeJobs: Informer<TranscodeJob>; jobs: Informer<Job> },
): void {
  watchAsOne(controller, informers.transcodeJobs, ADMISSION_KEY);
  watchAsOne(controller, informers.jobs, ADMISSION_KEY);
}

// TranscodeJobReconciler: mirrors each TranscodeJob's Job into its status (phase, conditions,
// progress, times) and, when the Job failed for good, publishes the terminal failed
// Transcoding-Completed before recording the failure. Admission (creating the Job) is the
// AdmissionController's; this reconciler is the only writer of TranscodeJob status. For a chunked
// transcode it also creates the stitch Job once the Indexed Job of parts is complete (the slot
// the parts held goes to the stitch), and counts the parts done in the status.
import type { Logger } from '@moocflix/platform-core/log';
import {
  attemptOf,
  TERMINAL_PHASES,
  TranscodeCondition,
  TranscodeReason,
  type TranscodeJob,
  type TranscodeJobStatus,
} from '../api/v1alpha1';
import type { ReconcileResult } from '../controller-runtime/controller';
import type { Informer } from '../controller-runtime/informer';
import {
  isConditionTrue,
  isControlledBy,
  jsonEqual,
  rfc3339,
  setCondition,
  splitKey,
  topLevelMergePatch,
  type ConditionInput,
} from '../controller-runtime/objects';
import type { ResourceClient } from '../controller-runtime/resource';
import type { CompletionPublisher } from './completion-publisher';
import { isAlreadyExists } from '../controller-runtime/client';
import {
  buildStitchJob,
  completedIndexCount,
  jobCondition,
  partCountOfJob,
  stitchJobNameOf,
  type Job,
  type JobTemplateConfig,
} from './job-builder';
import type { PolicyRule } from '../controller-runtime/rbac';
import { watchFor, watchOwned, type Enqueuer } from '../controller-runtime/watches';

/** The Job failure reason when a pod failure policy rule (the transcoder's exit code) failed it. */
const POD_FAILURE_POLICY = 'PodFailurePolicy';

/** A status without `reason`: left out rather than undefined, so an unchanged status compares equal. */
function withoutReason({ reason: _reason, ...status }: TranscodeJobStatus): TranscodeJobStatus {
  return status;
}

/** RBAC of this reconciler and the TranscodeJob informer (delete: retention of finished ones). */
export const transcodeJobReconcilerRbac: PolicyRule[] = [
  { apiGroups: ['moocflix.io'], resources: ['transcodejobs'], verbs: ['get', 'list', 'watch', 'delete'] },
  { apiGroups: ['moocflix.io'], resources: ['transcodejobs/status'], verbs: ['patch'] },
  // create: the stitch Job of a chunked transcode.
  { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'create'] },
];

export interface TranscodeJobReconcilerOptions {
  transcodeJobs: ResourceClient<TranscodeJob>;
  jobs: ResourceClient<Job>;
  /** The Jobs' template: how many parts a TranscodeJob has, and its stitch Job. */
  template: JobTemplateConfig;
  transcodeJobInformer: Informer<TranscodeJob>;
  jobInformer: Informer<Job>;
  publisher: CompletionPublisher;
  /** The transcoder's latest reported percentage of a running TranscodeJob (by key), if known. */
  progressOf?: (key: string) => number | undefined;
  /** Whether a running TranscodeJob's run announced a playable preview. */
  playableOf?: (key: string) => boolean;
  /** Finished TranscodeJobs are deleted this long after completion; 0 keeps them. */
  retentionMs: number;
  logger: Logger;
  now?: () => Date;
}

export class TranscodeJobReconciler {
  private readonly now: () => Date;

  constructor(private readonly options: TranscodeJobReconcilerOptions) {
    this.now = options.now ?? (() => new Date());
  }

  readonly reconcile = async (key: string): Promise<ReconcileResult | void> => {
    const { namespace, name } = splitKey(key);
    const tj = this.options.transcodeJobInformer.get(namespace, name);
    if (!tj || tj.metadata.deletionTimestamp) return;
    const job = this.options.jobInformer.get(namespace, name);

    let next = await this.observe(tj, job);
    if (next === undefined) return; // the cache is behind the apiserver; its event is coming

    if (
      next.phase === 'Failed' &&
      !isConditionTrue(next.conditions, TranscodeCondition.CompletionPublished)
    ) {
      try {
        await this.options.publisher.publishFailed(
          tj,
          next.message ?? 'transcode failed',
          new Date(next.completionTime ?? this.now()),
          // The transcoder's own verdict on the input (exit 1 or 2) ends the Job through the pod
          // failure policy: retrying cannot help. Anything else killed the run, not the video.
          next.reason !== POD_FAILURE_POLICY,
        );
        next = this.withCondition(tj, next, {
          type: TranscodeCondition.CompletionPublished,
          status: 'True',
          reason: TranscodeReason.Published,
          message: 'a failed Transcoding-Completed was published',
        });
        this.options.logger.info(
          { transcodeJob: key, requestId: tj.spec.requestId, ...attemptOf(tj.spec) },
          'failed Transcoding-Completed published',
        );
      } catch (err) {
        await this.writeStatus(tj, next);
        throw err;
      }
    }
    await this.writeStatus(tj, next);
    return this.retention(tj, next);
  };

  /** The status the TranscodeJob should have; undefined when the caches disagree with the apiserver. */
  private async observe(tj: TranscodeJob, job: Job | undefined): Promise<TranscodeJobStatus | undefined> {
    const status: TranscodeJobStatus = { ...tj.status, observedGeneration: tj.metadata.generation };
    const phase = status.phase;
    if (phase && TERMINAL_PHASES.has(phase)) return status;

    if (job && !isControlledBy(job, tj.metadata.uid)) {
      return this.withCondition(
        tj,
        { ...status, phase: 'Pending', reason: TranscodeReason.JobConflict },
        {
          type: TranscodeCondition.Admitted,
          status: 'False',
          reason: TranscodeReason.JobConflict,
          message: `Job ${job.metadata.name} exists and is not owned by this TranscodeJob; it is left alone`,
        },
      );
    }
    if (!job) {
      if (phase === 'Admitted' || phase === 'Running') {
        // It had a Job. Gone for real, or just not in the cache yet?
        const live = await this.options.jobs.get(tj.metadata.namespace, tj.metadata.name!);
        if (live) return undefined;
        const message = `Job ${status.jobName ?? tj.metadata.name} disappeared before it finished`;
        return this.finished(
          tj,
          {
            ...status,
            phase: 'Failed',
            reason: TranscodeReason.JobLost,
            message,
            completionTime: rfc3339(this.now()),
          },
          TranscodeReason.JobLost,
          message,
        );
      }
      return this.withCondition(
        tj,
        { ...withoutReason(status), phase: 'Pending', progress: 0 },
        {
          type: TranscodeCondition.Admitted,
          status: 'False',
          reason: TranscodeReason.Queued,
          message: 'waiting for a concurrency slot',
        },
      );
    }

    const admitted = this.withCondition(
      tj,
      { ...withoutReason(status), jobName: job.metadata.name },
      {
        type: TranscodeCondition.Admitted,
        status: 'True',
        reason: TranscodeReason.JobCreated,
        message: `Job ${job.metadata.name} created`,
      },
    );
    const parts = partCountOfJob(tj, this.options.template);
    if (parts !== null) {
      const done = jobCondition(job, 'Complete') ? parts : Math.min(parts, completedIndexCount(job));
      admitted.parts = { total: parts, done };
      if (done === parts) return this.observeStitch(tj, admitted);
    }
    return this.fromJob(tj, admitted, job);
  }

  /** The status a TranscodeJob gets from the Job doing its work now (the one Job, or the stitch). */
  private fromJob(tj: TranscodeJob, admitted: TranscodeJobStatus, job: Job): TranscodeJobStatus {
    const phase = admitted.phase;
    const complete = jobCondition(job, 'Complete');
    if (complete) {
      const completionTime = job.status?.completionTime ?? complete.lastTransitionTime ?? rfc3339(this.now());
      return this.finished(
        tj,
        {
          ...admitted,
          phase: 'Succeeded',
          progress: 100,
          message: undefined,
          startTime: admitted.startTime ?? job.status?.startTime,
          completionTime,
        },
        TranscodeReason.JobSucceeded,
        `Job ${job.metadata.name} succeeded`,
      );
    }
    const failed = jobCondition(job, 'Failed');
    if (failed) {
      const message = `Job ${job.metadata.name} failed: ${[failed.reason, failed.message].filter(Boolean).join(': ') || 'no reason given'}`;
      return this.finished(
        tj,
        {
          ...admitted,
          phase: 'Failed',
          // The Job's own reason (BackoffLimitExceeded, DeadlineExceeded, PodFailurePolicy…).
          reason: failed.reason || TranscodeReason.JobFailed,
          message,
          startTime: admitted.startTime ?? job.status?.startTime,
          completionTime: failed.lastTransitionTime ?? rfc3339(this.now()),
        },
        TranscodeReason.JobFailed,
        message,
      );
    }
    // Running once a pod is ready; a Job between retries stays Running rather than going back.
    if ((job.status?.ready ?? 0) > 0 || phase === 'Running') {
      const reported = this.options.progressOf?.(`${tj.metadata.namespace}/${tj.metadata.name}`);
      // Parts report a lower bound each; the parts done are a floor too (the stitch is the last 5 %).
      const partsDone = admitted.parts ? Math.floor((admitted.parts.done / admitted.parts.total) * 95) : 0;
      const playable =
        admitted.playable || this.options.playableOf?.(`${tj.metadata.namespace}/${tj.metadata.name}`);
      return {
        ...admitted,
        ...(playable && { playable: true }),
        phase: 'Running',
        progress: Math.max(admitted.progress ?? 0, reported ?? 0, partsDone),
        startTime: admitted.startTime ?? job.status?.startTime ?? rfc3339(this.now()),
      };
    }
    return { ...admitted, phase: 'Admitted', progress: 0 };
  }

  /**
   * Every part is done: the stitch Job joins them. Created here (once: its name is fixed, a second
   * create is AlreadyExists); then its outcome is the TranscodeJob's.
   */
  private async observeStitch(
    tj: TranscodeJob,
    admitted: TranscodeJobStatus,
  ): Promise<TranscodeJobStatus | undefined> {
    const { namespace } = tj.metadata;
    const name = stitchJobNameOf(tj);
    const stitching = {
      ...admitted,
      stitchJobName: name,
      startTime: admitted.startTime ?? rfc3339(this.now()),
    };
    const stitch = this.options.jobInformer.get(namespace, name);
    if (!stitch) {
      if (admitted.stitchJobName) {
        const live = await this.options.jobs.get(namespace, name);
        if (live) return undefined; // the cache is behind
        const message = `stitch Job ${name} disappeared before it finished`;
        return this.finished(
          tj,
          {
            ...stitching,
            phase: 'Failed',
            reason: TranscodeReason.JobLost,
            message,
            completionTime: rfc3339(this.now()),
          },
          TranscodeReason.JobLost,
          message,
        );
      }
      try {
        await this.options.jobs.create(buildStitchJob(tj, this.options.template));
        this.options.logger.info(
          { transcodeJob: `${namespace}/${tj.metadata.name}`, job: name },
          'stitch Job created',
        );
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
      return this.withCondition(
        tj,
        { ...stitching, phase: 'Running', progress: Math.max(admitted.progress ?? 0, 95) },
        {
          type: TranscodeCondition.Admitted,
          status: 'True',
          reason: TranscodeReason.Stitching,
          message: `all ${admitted.parts?.total ?? ''} parts done; stitch Job ${name} created`,
        },
      );
    }
    if (!isControlledBy(stitch, tj.metadata.uid)) {
      const message = `Job ${name} exists and is not owned by this TranscodeJob; it is left alone`;
      return this.finished(
        tj,
        {
          ...stitching,
          phase: 'Failed',
          reason: TranscodeReason.JobConflict,
          message,
          completionTime: rfc3339(this.now()),
        },
        TranscodeReason.JobConflict,
        message,
      );
    }
    // From here the stitch Job is the one whose outcome counts; it is Running until it ends.
    return this.fromJob(tj, { ...stitching, phase: 'Running' }, stitch);
  }

  private finished(
    tj: TranscodeJob,
    status: TranscodeJobStatus,
    reason: TranscodeReason,
    message: string,
  ): TranscodeJobStatus {
    return this.withCondition(tj, status, {
      type: TranscodeCondition.Finished,
      status: 'True',
      reason,
      message,
    });
  }

  private withCondition(
    tj: TranscodeJob,
    status: TranscodeJobStatus,
    condition: Omit<ConditionInput, 'observedGeneration'>,
  ): TranscodeJobStatus {
    return {
      ...status,
      conditions: setCondition(
        status.conditions,
        { ...condition, observedGeneration: tj.metadata.generation },
        this.now(),
      ),
    };
  }

  /** Writes the status if it changed, guarded by the resourceVersion it was computed from. */
  private async writeStatus(tj: TranscodeJob, next: TranscodeJobStatus): Promise<void> {
    const previous = tj.status ?? {};
    if (jsonEqual(next, previous)) return;
    const { namespace, name, resourceVersion } = tj.metadata;
    await this.options.transcodeJobs.mergePatch(
      namespace,
      name!,
      { metadata: { resourceVersion }, status: topLevelMergePatch(previous, next) },
      'status',
    );
    if (next.phase !== previous.phase) {
      this.options.logger.info(
        { transcodeJob: `${namespace}/${name}`, from: previous.phase ?? null, to: next.phase },
        'phase changed',
      );
    }
  }

  /** Deletes a finished TranscodeJob once its retention has passed. */
  private async retention(tj: TranscodeJob, status: TranscodeJobStatus): Promise<ReconcileResult | void> {
    const { retentionMs } = this.options;
    if (!retentionMs || !status.phase || !TERMINAL_PHASES.has(status.phase) || !status.completionTime) return;
    const left = Date.parse(status.completionTime) + retentionMs - this.now().getTime();
    if (left > 0) return { requeueAfterMs: left };
    await this.options.transcodeJobs.delete(tj.metadata.namespace, tj.metadata.name!, {
      uid: tj.metadata.uid,
      propagationPolicy: 'Background',
    });
    this.options.logger.info(
      { transcodeJob: `${tj.metadata.namespace}/${tj.metadata.name}` },
      'finished TranscodeJob deleted after its retention',
    );
  }
}

/**
 * What this reconciler watches (kubebuilder's SetupWithManager): TranscodeJobs, and the Jobs they
 * own (the parts Job and the stitch Job alike).
 */
export function setUpTranscodeJobWatches(
  controller: Enqueuer,
  informers: { transcodeJobs: Informer<TranscodeJob>; jobs: Informer<Job> },
): void {
  watchFor(controller, informers.transcodeJobs);
  watchOwned(controller, informers.jobs, 'TranscodeJob');
}

// The batch/v1 Jobs of a TranscodeJob: the transcoder image in one-shot mode, owned by the
// TranscodeJob, bounded (backoff limit, deadline, TTL after it finished) and compliant with the
// "restricted" Pod Security Standard. A request short enough for one pass is one Job; a long one
// (chunked: the kit's chunk plan) is an Indexed Job of parts, one pod per chunk plus one for the
// audio, each index retried alone, then a stitch Job that joins them and publishes the completion.
import type { V1EnvFromSource, V1EnvVar, V1JobSpec, V1ResourceRequirements } from '@kubernetes/client-node';
import { chunksFor, partCountOf, type ChunkingSettings } from '@moocflix/platform-core/transcoding';
import { API_VERSION, attemptOf, OPERATOR_NAME, type TranscodeJob } from '../api/v1alpha1';
import { controllerReference, type KubeObject } from '../controller-runtime/objects';
import { partParallelismFor } from './part-parallelism';

export interface JobCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface Job extends KubeObject {
  spec?: V1JobSpec;
  status?: {
    active?: number;
    ready?: number;
    succeeded?: number;
    failed?: number;
    /** Indexed Jobs: the indexes that succeeded, as ranges ("0-2,4"). */
    completedIndexes?: string;
    failedIndexes?: string;
    startTime?: string;
    completionTime?: string;
    conditions?: JobCondition[];
  };
}

/** Label on every Job (and pod) the operator makes; its value is the TranscodeJob's name. */
export const TRANSCODEJOB_LABEL = 'moocflix.io/transcodejob';
export const CONTAINER_NAME = 'transcoder';

export interface JobTemplateConfig {
  image: string;
  imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  /** Replaces the image's entrypoint when set (the arguments stay `one-shot --request <json>`). */
  command?: string[];
  serviceAccountName?: string;
  /** Pod retries of a Job; of each index of an Indexed Job (backoffLimitPerIndex). */
  backoffLimit: number;
  /** When a request is chunked; the Jobs get the same settings in their env. */
  chunking?: ChunkingSettings;
  /** Parts of a chunked transcode that run at once unless the TranscodeJob says. */
  partParallelism?: number;
  activeDeadlineSeconds: number;
  ttlSecondsAfterFinished: number;
  resources: V1ResourceRequirements;
  /** Size limit of the emptyDir mounted at /tmp (the root filesystem is read-only). */
  tmpSizeLimit: string;
  /** Secrets and ConfigMaps whose keys become the container's environment (KAFKA_*, S3_*). */
  envFromSecrets: string[];
  envFromConfigMaps: string[];
  /** Plain variables, e.g. KAFKA_BROKERS when no Secret carries it. */
  env: Record<string, string>;
  podLabels: Record<string, string>;
  podAnnotations: Record<string, string>;
}

/** Exit codes of the transcoder's one-shot mode after which retrying cannot help (its OneShotExit). */
const EXIT_FAILED = 1; // the input could not be transcoded (a failed completion was published)
const EXIT_INVALID = 2; // unusable request or configuration

/** Suffix of a chunked transcode's stitch Job (TranscodeJob names never end with it: tj-<hex>). */
export const STITCH_SUFFIX = '-stitch';
export const stitchJobNameOf = (tj: TranscodeJob): string => `${tj.metadata.name!}${STITCH_SUFFIX}`;

/** The number of parts of a chunked TranscodeJob (chunks + the audio), or null for one pass. */
export function partCountOfJob(tj: TranscodeJob, config: Pick<JobTemplateConfig, 'chunking'>): number | null {
  const chunks = chunksFor(tj.spec.request.sourceDurationSeconds, config.chunking);
  return chunks ? partCountOf(chunks) : null;
}

/** What the queue looked like when the Job is created. */
export interface AdmissionQueue {
  /** Other TranscodeJobs waiting for a slot: a chunked one's parallelism shrinks with it. */
  waiting: number;
}

/**
 * The Job admission creates for a TranscodeJob (named after it): the whole transcode, or for a
 * chunked one the Indexed Job of its parts, as many at once as part-parallelism.ts allows.
 */
export function buildJob(
  tj: TranscodeJob,
  config: JobTemplateConfig,
  queue: AdmissionQueue = { waiting: 0 },
): Job {
  const parts = partCountOfJob(tj, config);
  if (parts === null) return buildTranscoderJob(tj, config, tj.metadata.name!, []);
  const job = buildTranscoderJob(tj, config, tj.metadata.name!, ['--part', 'job-index']);
  const parallelism = partParallelismFor({
    parts,
    requested: tj.spec.parallelism,
    defaultParallelism: config.partParallelism,
    waiting: queue.waiting,
  });
  const { backoffLimit: _perJob, ...spec } = job.spec!;
  return {
    ...job,
    spec: {
      ...spec,
      completionMode: 'Indexed',
      completions: parts,
      parallelism,
      // A failed part is retried alone, up to the backoff limit each; one part failing for good
      // fails the whole Job (nothing to stitch).
      backoffLimitPerIndex: config.backoffLimit,
      maxFailedIndexes: 0,
    },
  };
}

/** The stitch Job of a chunked TranscodeJob, created once all its parts are done. */
export function buildStitchJob(tj: TranscodeJob, config: JobTemplateConfig): Job {
  return buildTranscoderJob(tj, config, stitchJobNameOf(tj), ['--stitch']);
}

function buildTranscoderJob(tj: TranscodeJob, config: JobTemplateConfig, name: string, mode: string[]): Job {
  const labels = {
    'app.kubernetes.io/name': 'moocflix-transcoder',
    'app.kubernetes.io/component': 'transcode-job',
    'app.kubernetes.io/managed-by': OPERATOR_NAME,
    // The TranscodeJob's name (a stitch Job's differs from its own): the informer's selector, and
    // how a Job is traced back to its TranscodeJob.
    [TRANSCODEJOB_LABEL]: tj.metadata.name!,
  };
  const { attemptId, attempt } = attemptOf(tj.spec);
  const annotations = {
    'moocflix.io/request-id': tj.spec.requestId,
    'moocflix.io/attempt-id': attemptId,
    'moocflix.io/attempt': String(attempt),
    'moocflix.io/video-id': tj.spec.videoId,
  };
  const env: V1EnvVar[] = [
    // The transcoder's temp folders go to the writable emptyDir.
    { name: 'TRANSCODER_WORK_DIR', value: '/tmp/moocflix-transcoder' },
    ...Object.entries(config.env).map(([k, value]) => ({ name: k, value })),
  ];
  const envFrom: V1EnvFromSource[] = [
    ...config.envFromConfigMaps.map((n) => ({ configMapRef: { name: n } })),
    ...config.envFromSecrets.map((n) => ({ secretRef: { name: n } })),
  ];
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: tj.metadata.namespace,
      labels,
      annotations,
      ownerReferences: [controllerReference(tj, API_VERSION, 'TranscodeJob')],
    },
    spec: {
      backoffLimit: config.backoffLimit,
      activeDeadlineSeconds: config.activeDeadlineSeconds,
      ttlSecondsAfterFinished: config.ttlSecondsAfterFinished,
      // Retrying cannot fix an untranscodable input or an invalid request; an evicted or preempted
      // pod does not count against the backoff limit.
      podFailurePolicy: {
        rules: [
          {
            action: 'FailJob',
            onExitCodes: {
              containerName: CONTAINER_NAME,
              operator: 'In',
              values: [EXIT_FAILED, EXIT_INVALID],
            },
          },
          { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
        ],
      },
      template: {
        metadata: {
          labels: { ...config.podLabels, ...labels },
          annotations: { ...config.podAnnotations, ...annotations },
        },
        spec: {
          restartPolicy: 'Never',
          serviceAccountName: config.serviceAccountName,
          // The transcoder needs no Kubernetes API access.
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 10001,
            runAsGroup: 10001,
            fsGroup: 10001,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: CONTAINER_NAME,
              image: config.image,
              imagePullPolicy: config.imagePullPolicy,
              ...(config.command && { command: config.command }),
              args: ['one-shot', '--request', JSON.stringify(tj.spec.request), ...mode],
              env,
              ...(envFrom.length > 0 && { envFrom }),
              resources: config.resources,
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: config.tmpSizeLimit } }],
        },
      },
    },
  };
}

export function jobCondition(job: Job, type: string): JobCondition | undefined {
  return job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

/**
 * Whether the Job no longer holds a concurrency slot: finished, or about to be (the Job controller
 * sets SuccessCriteriaMet / FailureTarget while it terminates the remaining pods).
 */
export function jobIsDone(job: Job): boolean {
  return ['Complete', 'Failed', 'SuccessCriteriaMet', 'FailureTarget'].some((t) => jobCondition(job, t));
}

/** How many indexes of an Indexed Job are done, from its `completedIndexes` ranges ("0-2,4" → 4). */
export function completedIndexCount(job: Job): number {
  const ranges = job.status?.completedIndexes;
  if (!ranges) return 0;
  return ranges.split(',').reduce((count, range) => {
    const [from, to = from] = range.split('-').map(Number);
    return Number.isInteger(from) && Number.isInteger(to) && to! >= from! ? count + to! - from! + 1 : count;
  }, 0);
}

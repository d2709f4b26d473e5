// The moocflix.io/v1alpha1 API: TypeScript shapes of the two custom resources (their schemas, with
// the admission rules, are the YAML in crds/) and the condition reasons the reconcilers report.
import type { EventData, Topics } from '@moocflix/platform-bus';
import type { Condition, ObjectMeta } from '../controller-runtime/objects';
import type { ResourceType } from '../controller-runtime/resource';

export const GROUP = 'moocflix.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

/** Field manager and `app.kubernetes.io/managed-by` value of everything the operator writes. */
export const OPERATOR_NAME = 'moocflix-operator';

export const MoocFlixTopicResource: ResourceType = {
  group: GROUP,
  version: VERSION,
  plural: 'moocflixtopics',
  kind: 'MoocFlixTopic',
  namespaced: true,
};

export const TranscodeJobResource: ResourceType = {
  group: GROUP,
  version: VERSION,
  plural: 'transcodejobs',
  kind: 'TranscodeJob',
  namespaced: true,
};

// ---------------------------------------------------------------------------------------------
// MoocFlixTopic

export type DeletionPolicy = 'Retain' | 'Delete';

export interface MoocFlixTopicSpec {
  topicName: string;
  partitions: number;
  /** Absent: the broker's default.replication.factor. */
  replicas?: number;
  config?: Record<string, string | number>;
  /** Defaulted to Retain by the CRD schema. */
  deletionPolicy?: DeletionPolicy;
}

export type TopicBackendName = 'strimzi' | 'kafka';

export interface MoocFlixTopicStatus {
  observedGeneration?: number;
  topicName?: string;
  partitions?: number;
  replicas?: number;
  backend?: TopicBackendName;
  /** `<apiVersion>/<name>` of the owned Strimzi KafkaTopic. */
  kafkaTopic?: string;
  conditions?: Condition[];
}

export interface MoocFlixTopic {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: MoocFlixTopicSpec;
  status?: MoocFlixTopicStatus;
}

/** Reasons of the MoocFlixTopic `Ready` condition (Strimzi's way: an enum that becomes the condition). */
export enum TopicReason {
  /** The topic exists with the wanted partitions and config (Strimzi says Ready, or the Admin API shows it). */
  Ready = 'TopicReady',
  /** The KafkaTopic is written; Strimzi has not reported it Ready for this generation yet. */
  WaitingForStrimzi = 'WaitingForStrimzi',
  /** Strimzi reports the KafkaTopic not Ready; its message is copied. */
  KafkaTopicNotReady = 'KafkaTopicNotReady',
  /** A KafkaTopic of that name exists and is not owned by this MoocFlixTopic: left alone. */
  KafkaTopicConflict = 'KafkaTopicConflict',
  /** The topic has more partitions in Kafka than the spec asks for; Kafka cannot remove partitions. */
  PartitionsAboveSpec = 'PartitionsAboveSpec',
  /** The replication factor differs; the kafka backend cannot reassign replicas. */
  ReplicasMismatch = 'ReplicasMismatch',
  /** Kafka refused the topic or its configuration (e.g. an unknown config key); the message says why. */
  InvalidTopic = 'InvalidTopic',
  /** The Kafka brokers or the apiserver could not be reached; retried with backoff. */
  BackendUnavailable = 'BackendUnavailable',
}

// ---------------------------------------------------------------------------------------------
// TranscodeJob

export type TranscodingRequest = EventData<typeof Topics.TranscodingRequest>;

export interface TranscodeJobSpec {
  videoId: string;
  /** The video's logical request; each attempt at it is a TranscodeJob of its own. */
  requestId: string;
  /** The attempt this TranscodeJob runs; absent on objects created before attempts (the first one). */
  attemptId?: string;
  /** 1 for the first attempt. */
  attempt?: number;
  /** Defaulted to 0 by the CRD schema. */
  priority?: number;
  /**
   * How many parts of a chunked transcode run at once (the Indexed Job's parallelism); absent: the
   * operator's default. Ignored for a request encoded in one pass.
   */
  parallelism?: number;
  request: TranscodingRequest;
}

/**
 * The attempt a TranscodeJob runs. Objects from before attempts name none: theirs was the first,
 * whose id is the request id (and their name was derived from it, so they keep it).
 */
export function attemptOf(spec: TranscodeJobSpec): { attemptId: string; attempt: number } {
  return {
    attemptId: spec.attemptId ?? spec.request?.attemptId ?? spec.requestId,
    attempt: spec.attempt ?? spec.request?.attempt ?? 1,
  };
}

export type TranscodePhase = 'Pending' | 'Admitted' | 'Running' | 'Succeeded' | 'Failed';

export const TERMINAL_PHASES: ReadonlySet<TranscodePhase> = new Set(['Succeeded', 'Failed']);

export interface TranscodeJobStatus {
  observedGeneration?: number;
  phase?: TranscodePhase;
  progress?: number;
  jobName?: string;
  /** A chunked transcode: its parts (chunks + the audio) and how many are done; then the stitch Job. */
  parts?: { total: number; done: number };
  stitchJobName?: string;
  /** The video plays (its preview) while the rest still encodes. */
  playable?: boolean;
  startTime?: string;
  completionTime?: string;
  /** Why it failed, in one word (the Job's failure reason, JobLost, JobConflict); absent otherwise. */
  reason?: string;
  message?: string;
  conditions?: Condition[];
}

export interface TranscodeJob {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec: TranscodeJobSpec;
  status?: TranscodeJobStatus;
}

/** Condition types of a TranscodeJob. */
export enum TranscodeCondition {
  /** True once its Job exists (a concurrency slot was given to it). */
  Admitted = 'Admitted',
  /** True when it ended, either way; the reason says how. */
  Finished = 'Finished',
  /** True once the operator published the failed Transcoding-Completed of a Failed TranscodeJob. */
  CompletionPublished = 'CompletionPublished',
}

export enum TranscodeReason {
  /** Waiting for a concurrency slot. */
  Queued = 'Queued',
  JobCreated = 'JobCreated',
  JobSucceeded = 'JobSucceeded',
  /** A chunked transcode's parts are all done; the stitch Job joins them. */
  Stitching = 'Stitching',
  /** The Job gave up: backoff limit, deadline or a pod failure policy rule (the Job's reason follows). */
  JobFailed = 'JobFailed',
  /** The Job disappeared before it finished (deleted by hand). */
  JobLost = 'JobLost',
  /** A Job of that name exists but is owned by something else: left alone. */
  JobConflict = 'JobConflict',
  Published = 'Published',
}

// Progress of running transcodes, from the transcoder's Transcoding-Progress events (best effort,
// several a second per run). The feed only remembers the latest percentage per TranscodeJob and
// asks for a reconcile when it moved by a step or more; the TranscodeJobReconciler, the one writer
// of TranscodeJob status, copies it into status.progress while the TranscodeJob runs. So a
// thousand ticks cost a handful of status writes.
//
// The feed is a broadcast, not a work queue: every operator instance needs every tick (Kafka
// assigns a group's partitions among its members, so two operators sharing a group — a second
// install on the same Kafka, or a replica still running elsewhere — would each see only some
// videos' progress). Each process therefore joins a group of its own (progressGroupId), which also
// means a restarted operator never waits out the session of its dead predecessor. Those groups
// hold no useful offsets (the feed starts from 'latest'); Kafka deletes them once they have been
// empty for offsets.retention.minutes (7 days by default).
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  parseEvent,
  transcodeAttemptOf,
  Topics,
  type EventBus,
  type EventData,
  type IncomingMessage,
} from '@moocflix/platform-bus';
import type { Logger } from '@moocflix/platform-core/log';
import { attemptOf, type TranscodeJob } from '../api/v1alpha1';
import type { Informer } from '../controller-runtime/informer';
import type { Runnable } from '../controller-runtime/manager';
import { objectKey } from '../controller-runtime/objects';
import { BackgroundSubscription } from './background-subscription';
import { transcodeJobName } from './names';

/**
 * The progress feed's consumer group for this process: `<prefix>.<instance>.<nonce>`, where the
 * instance is the pod name (or the host name) so `kafka-consumer-groups --list` tells whose it is,
 * and the nonce makes a restarted container's group new as well.
 */
export function progressGroupId(prefix: string, instance: string = hostname()): string {
  const safeInstance = instance.replace(/[^a-zA-Z0-9._-]/g, '_');
  return `${prefix}.${safeInstance}.${randomBytes(4).toString('hex')}`;
}

/** Percentage points between two status writes. */
const STEP = 5;

export interface ProgressFeedOptions {
  bus: EventBus;
  groupId: string;
  transcodeJobInformer: Informer<TranscodeJob>;
  /** Called with the TranscodeJob key whose progress moved. */
  onProgress: (key: string) => void;
  logger: Logger;
}

export class TranscodeProgressFeed implements Runnable {
  readonly name = 'transcode progress feed';
  private readonly latest = new Map<string, number>();
  /** TranscodeJobs whose run announced a playable preview. */
  private readonly playable = new Set<string>();
  private readonly subscription: BackgroundSubscription;

  constructor(private readonly options: ProgressFeedOptions) {
    // Only ticks from now on matter; a tick never blocks the partition (it is dropped on error).
    this.subscription = new BackgroundSubscription(
      options.bus,
      {
        groupId: options.groupId,
        topics: [Topics.TranscodingProgress],
        startFrom: 'latest',
        handler: async (m) => this.handle(m),
      },
      options.logger,
    );
    options.transcodeJobInformer.on((event) => {
      if (event.type !== 'delete') return;
      this.latest.delete(objectKey(event.object));
      this.playable.delete(objectKey(event.object));
    });
  }

  /** Whether a TranscodeJob's run announced a playable preview (the video plays while it runs). */
  isPlayable(key: string): boolean {
    return this.playable.has(key);
  }

  /** The latest reported percentage of a TranscodeJob (by key), if any. */
  progressOf(key: string): number | undefined {
    return this.latest.get(key);
  }

  async start(): Promise<void> {
    this.subscription.start();
  }

  stop(): Promise<void> {
    return this.subscription.stop();
  }

  private handle(message: IncomingMessage): void {
    let data: EventData<typeof Topics.TranscodingProgress>;
    try {
      data = parseEvent(Topics.TranscodingProgress, message.value).data;
    } catch (err) {
      this.options.logger.debug({ err }, 'Transcoding-Progress ignored: not a valid event');
      return;
    }
    // Ticks are per attempt, as TranscodeJobs are; names are unique across namespaces (a hash of the attempt id).
    const { attemptId } = transcodeAttemptOf(data);
    const name = transcodeJobName(attemptId);
    const tj = this.options.transcodeJobInformer
      .list()
      .find(
        (t) =>
          t.metadata.name === name &&
          t.spec.requestId === data.requestId &&
          attemptOf(t.spec).attemptId === attemptId,
      );
    if (!tj) return;
    const key = objectKey(tj);
    if (data.preview && !this.playable.has(key)) {
      this.playable.add(key);
      this.options.onProgress(key);
    }
    const progress = Math.max(0, Math.min(100, Math.floor(data.progress)));
    const previous = this.latest.get(key);
    if (previous !== undefined && progress < previous + STEP && progress !== 100) return;
    this.latest.set(key, progress);
    this.options.onProgress(key);
  }
}

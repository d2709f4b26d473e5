import {
  createEvent,
  transcodeAttemptOf,
  Topics,
  type EventBus,
  type EventData,
} from '@moocflix/platform-bus';
import type { Logger } from '@moocflix/platform-core/log';
import type {
  ProgressReporter,
  TranscodingCompletion,
  TranscodingEvents,
} from '../domain/handle-transcoding-request';
import type { TranscodingRequest } from '../domain/transcode-video';

export interface TranscodingEventPublisherOptions {
  bus: EventBus;
  /** CloudEvents `source`. */
  source: string;
  logger: Logger;
  /** Attempts for the completion before giving up (the request is then redone). */
  publishAttempts: number;
  /** First delay between completion attempts; doubles each time, capped at 5 s. */
  retryDelayMs?: number;
  /** Progress is published when it moved this many points, or after `progressIntervalMs`. */
  progressStep?: number;
  progressIntervalMs?: number;
  /**
   * The attempt's heartbeat: a tick as soon as a request is taken up, then the last percentage
   * again whenever nothing was published for this long — the content service holds the attempt's
   * lease only as long as ticks keep coming (ffmpeg may report nothing for a while, and uploading
   * the outputs reports nothing at all). Absent: no heartbeat.
   */
  heartbeatMs?: number;
  now?: () => number;
}

const MAX_RETRY_DELAY_MS = 5_000;

/**
 * Publishes straight to the bus: the transcoder owns no database, so there is no outbox to write
 * to. That is safe because the completion is the last step and is retried, and a completion that
 * could not be published leaves the request unacknowledged (worker) or the process failed (one-shot),
 * so it is redone. Progress ticks are best effort: throttled, coalesced, never retried.
 */
export class TranscodingEventPublisher implements TranscodingEvents {
  constructor(private readonly options: TranscodingEventPublisherOptions) {}

  async completed(completion: TranscodingCompletion): Promise<void> {
    const { bus, source, logger, publishAttempts, retryDelayMs = 250 } = this.options;
    const event = createEvent(Topics.TranscodingCompleted, {
      source,
      subject: completion.videoId,
      data: completion,
    });
    const message = {
      topic: Topics.TranscodingCompleted,
      key: completion.videoId,
      value: JSON.stringify(event),
    };
    for (let attempt = 1; ; attempt++) {
      try {
        await bus.publish([message]);
        return;
      } catch (err) {
        if (attempt >= publishAttempts) throw err;
        const delay = Math.min(MAX_RETRY_DELAY_MS, retryDelayMs * 2 ** (attempt - 1));
        logger.warn(
          { err, attempt, delay, requestId: completion.requestId },
          'could not publish Transcoding-Completed; retrying',
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  progressOf(request: TranscodingRequest): ProgressReporter {
    const {
      bus,
      source,
      logger,
      progressStep = 5,
      progressIntervalMs = 2_000,
      heartbeatMs,
      now = Date.now,
    } = this.options;
    let published = { percent: 0, at: now() };
    let preview: EventData<typeof Topics.TranscodingProgress>['preview'];
    let pending: number | null = null;
    let inFlight: Promise<void> | null = null;
    let closed = false;

    const publish = async (percent: number): Promise<void> => {
      const event = createEvent(Topics.TranscodingProgress, {
        source,
        subject: request.videoId,
        data: {
          requestId: request.requestId,
          ...transcodeAttemptOf(request),
          videoId: request.videoId,
          progress: percent,
          ...(preview && { preview }),
          at: new Date(now()).toISOString(),
        },
      });
      try {
        await bus.publish([
          { topic: Topics.TranscodingProgress, key: request.videoId, value: JSON.stringify(event) },
        ]);
      } catch (err) {
        logger.debug({ err, requestId: request.requestId }, 'progress tick not published');
      }
    };
    // One publish at a time, in order; while one is out, only the newest tick waits.
    const drain = async (): Promise<void> => {
      while (pending !== null) {
        const percent = pending;
        pending = null;
        await publish(percent);
      }
      inFlight = null;
    };

    let publishedSinceBeat = false;
    const enqueue = (percent: number): void => {
      publishedSinceBeat = true;
      pending = percent;
      inFlight ??= drain();
    };
    let heartbeat: NodeJS.Timeout | undefined;
    if (heartbeatMs !== undefined) {
      enqueue(0);
      heartbeat = setInterval(() => {
        if (!closed && !publishedSinceBeat) enqueue(published.percent);
        publishedSinceBeat = false;
      }, heartbeatMs);
      heartbeat.unref();
    }

    return {
      report(percent) {
        const rounded = Math.floor(percent);
        const t = now();
        const due =
          rounded - published.percent >= progressStep ||
          (rounded > published.percent && t - published.at >= progressIntervalMs);
        if (closed || !due) return;
        published = { percent: rounded, at: t };
        enqueue(rounded);
      },
      playable(announced) {
        if (closed) return;
        preview = announced;
        enqueue(published.percent);
      },
      async close() {
        closed = true;
        clearInterval(heartbeat);
        await inFlight;
      },
    };
  }
}

// The terminal Transcoding-Completed {status: failed} the operator publishes when a TranscodeJob's
// Job dies for good (backoff limit, deadline, lost), so the video never hangs in "transcoding".
import { createEvent, Topics, type EventBus } from '@moocflix/platform/events';
import { OPERATOR_NAME, type TranscodeJob } from '../api/v1alpha1';
import { failedCompletionEventId } from './names';

export interface CompletionPublisher {
  /** Publishes the failed completion of `tj`; repeating it publishes the same event (same id). */
  publishFailed(tj: TranscodeJob, error: string, failedAt: Date): Promise<void>;
}

export class EventBusCompletionPublisher implements CompletionPublisher {
  constructor(private readonly bus: EventBus) {}

  async publishFailed(tj: TranscodeJob, error: string, failedAt: Date): Promise<void> {
    const { requestId, videoId } = tj.spec;
    const event = createEvent(Topics.TranscodingCompleted, {
      id: failedCompletionEventId(requestId),
      source: OPERATOR_NAME,
      subject: videoId,
      time: failedAt,
      data: {
        requestId,
        videoId,
        status: 'failed',
        renditions: [],
        masterPlaylistKey: null,
        posterKey: null,
        durationSeconds: null,
        error,
        completedAt: failedAt.toISOString(),
      },
    });
    await this.bus.publish([
      { topic: Topics.TranscodingCompleted, key: videoId, value: JSON.stringify(event) },
    ]);
  }
}

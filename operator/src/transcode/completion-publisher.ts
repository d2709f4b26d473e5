// The terminal Transcoding-Completed {status: failed} the operator publishes when a TranscodeJob's
// Job dies for good (backoff limit, deadline, lost), so the video never hangs in "transcoding". It
// names the attempt and, unless the transcoder itself judged the input (its exit code failed the Job
// through the pod failure policy), is `retryable`: the run died, not necessarily the video, so the
// content service attempts the request again (a new TranscodeJob) until its limit, then fails the video.
import { createEvent, Topics, type EventBus } from '@moocflix/platform-bus';
import { attemptOf, OPERATOR_NAME, type TranscodeJob } from '../api/v1alpha1';
import { failedCompletionEventId } from './names';

export interface CompletionPublisher {
  /** Publishes the failed completion of `tj`; repeating it publishes the same event (same id). */
  publishFailed(tj: TranscodeJob, error: string, failedAt: Date, retryable: boolean): Promise<void>;
}

export class EventBusCompletionPublisher implements CompletionPublisher {
  constructor(private readonly bus: EventBus) {}

  async publishFailed(tj: TranscodeJob, error: string, failedAt: Date, retryable: boolean): Promise<void> {
    const { requestId, videoId } = tj.spec;
    const { attemptId, attempt } = attemptOf(tj.spec);
    const event = createEvent(Topics.TranscodingCompleted, {
      id: failedCompletionEventId(attemptId),
      source: OPERATOR_NAME,
      subject: videoId,
      time: failedAt,
      data: {
        requestId,
        attemptId,
        attempt,
        videoId,
        status: 'failed',
        renditions: [],
        masterPlaylistKey: null,
        posterKey: null,
        durationSeconds: null,
        error,
        retryable,
        completedAt: failedAt.toISOString(),
      },
    });
    await this.bus.publish([
      { topic: Topics.TranscodingCompleted, key: videoId, value: JSON.stringify(event) },
    ]);
  }
}
